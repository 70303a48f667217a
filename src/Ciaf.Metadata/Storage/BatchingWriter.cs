using Ciaf.Metadata.Hashing;
using Microsoft.Extensions.Logging;

namespace Ciaf.Metadata.Storage;

/// <summary>
/// Buffered writes: each save is added to <see cref="PendingWrites"/> (so the instance reads it at once) and queued
/// on the store's <see cref="BackgroundBatcher{T}"/>, which writes batches of up to <c>batchSize</c> records. A full
/// queue makes the caller wait (backpressure; nothing is dropped). A failed batch is retried by the core's policy,
/// logged, kept in memory (still readable), retried on the next flush, and reported by <see cref="FlushAsync"/>.
/// It never throws into the caller's save.
/// </summary>
internal sealed class BatchingWriter : IRecordWriter
{
    private readonly IMetadataBackend _backend;
    private readonly PendingWrites _pending;
    private readonly Action<WriteBatch> _onDurable;
    private readonly StorageMetrics _metrics;
    private readonly BackgroundBatcher<WriteBatch> _batcher;
    // The last write's end: a write reports its batches durable only after the one started before it ended, so saves
    // become durable (pending removed, audit, hooks, lineage) in the order they were queued when two writes overlap.
    private Task _previousWrite = Task.CompletedTask;

    public BatchingWriter(IMetadataBackend backend, PendingWrites pending, Action<WriteBatch> onDurable,
        StorageMetrics metrics, ILogger logger, int batchSize, int queueCapacity, int retries)
    {
        _backend = backend;
        _pending = pending;
        _onDurable = onDurable;
        _metrics = metrics;
        const string What = "buffered records";
        _batcher = new BackgroundBatcher<WriteBatch>(What, WriteAsync, static b => b.Count, backend,
            StoreRetryPolicy.BackgroundWrites(retries, What, logger), logger, batchSize, queueCapacity,
            groupable: static b => Hashed(b.Records), // nothing left to hash here
            overlappable: backend is IConcurrentWritesBackend ? Disjoint : null);
    }

    // Whether two groups of saves share no record or event id (a later save of an id must be written after the earlier).
    private static bool Disjoint(WriteBatch[] before, WriteBatch[] next)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var batch in before)
        {
            foreach (var r in batch.Records) ids.Add(r.Id);
            foreach (var e in batch.Events) ids.Add(e.Id);
        }
        foreach (var batch in next)
        {
            foreach (var r in batch.Records) if (ids.Contains(r.Id)) return false;
            foreach (var e in batch.Events) if (ids.Contains(e.Id)) return false;
        }
        return true;
    }

    // Whether every record was hashed at save (an indexed loop: this runs once per save, on the writer).
    private static bool Hashed(IReadOnlyList<MetadataRecord> records)
    {
        for (int i = 0; i < records.Count; i++)
        {
            if (records[i].MetadataHash.Length == 0) return false;
        }
        return true;
    }

    public ValueTask WriteAsync(WriteBatch batch, CancellationToken cancellationToken)
    {
        _pending.Add(batch);
        var queued = _batcher.EnqueueAsync(batch, cancellationToken);
        return queued.IsCompletedSuccessfully ? queued : WaitAsync(queued, batch);
    }

    private async ValueTask WaitAsync(ValueTask queued, WriteBatch batch)
    {
        try
        {
            await queued.ConfigureAwait(false);
        }
        catch
        {
            _pending.Remove(batch);
            throw;
        }
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken) => _batcher.FlushAsync(cancellationToken);

    public ValueTask DisposeAsync() => _batcher.DisposeAsync();

    /// <summary>One backend call for the queued saves of a batch (called on the batcher's task).</summary>
    private async ValueTask WriteAsync(IReadOnlyList<WriteBatch> queued)
    {
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var previous = Interlocked.Exchange(ref _previousWrite, ended.Task);
        try
        {
            await WriteInOrderAsync(queued, previous).ConfigureAwait(false);
        }
        finally
        {
            ended.TrySetResult();
        }
    }

    private async ValueTask WriteInOrderAsync(IReadOnlyList<WriteBatch> queued, Task previous)
    {
        var records = new List<MetadataRecord>();
        var events = new List<ComplianceEvent>();
        foreach (var batch in queued)
        {
            // The caller left the hash to this thread (buffered saves return before hashing), and a capture's conversion.
            foreach (var r in batch.Records)
            {
                records.Add(r.IsDeferred ? r.Resolved : r.MetadataHash.Length > 0 ? r : r with { MetadataHash = PythonJson.Hash(r.Metadata) });
            }
            events.AddRange(batch.Events);
        }
        var merged = new WriteBatch(records, events);
        try
        {
            await BackendWrites.WriteAsync(_backend, merged, CancellationToken.None).ConfigureAwait(false);
        }
        catch
        {
            _metrics.RecordFailure();
            throw;
        }
        await previous.ConfigureAwait(false);
        // Per queued batch: each carries its own acting user for the audit trail.
        foreach (var batch in queued)
        {
            _pending.Remove(batch);
            _onDurable(batch);
        }
    }
}
