using System.Threading.Channels;
using Ciaf.Metadata.Hashing;
using Microsoft.Extensions.Logging;

namespace Ciaf.Metadata.Storage;

/// <summary>
/// Buffered writes: a bounded channel drained by one background task that writes batches of up to
/// <c>batchSize</c> records. A full channel makes the caller wait (backpressure; nothing is dropped).
/// A failed batch is retried with backoff, logged, kept in memory (still readable through
/// <see cref="PendingWrites"/>), retried on the next flush, and reported by <see cref="FlushAsync"/>.
/// It never throws into the caller's save.
/// </summary>
internal sealed class BatchingWriter : IRecordWriter
{
    private readonly IMetadataBackend _backend;
    private readonly PendingWrites _pending;
    private readonly Action<WriteBatch> _onDurable;
    private readonly StorageMetrics _metrics;
    private readonly ILogger _logger;
    private readonly int _batchSize;
    private readonly int _retries;
    private readonly Channel<object> _channel;
    private readonly Task _loop;
    private readonly List<WriteBatch> _failed = [];
    private Exception? _lastError;

    public BatchingWriter(IMetadataBackend backend, PendingWrites pending, Action<WriteBatch> onDurable,
        StorageMetrics metrics, ILogger logger, int batchSize, int queueCapacity, int retries)
    {
        _backend = backend;
        _pending = pending;
        _onDurable = onDurable;
        _metrics = metrics;
        _logger = logger;
        _batchSize = batchSize;
        _retries = retries;
        _channel = Channel.CreateBounded<object>(new BoundedChannelOptions(queueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        _loop = Task.Run(RunAsync);
    }

    public ValueTask WriteAsync(WriteBatch batch, CancellationToken cancellationToken)
    {
        _pending.Add(batch);
        if (_channel.Writer.TryWrite(batch)) return ValueTask.CompletedTask;
        return WaitAndWriteAsync(batch, cancellationToken);
    }

    private async ValueTask WaitAndWriteAsync(WriteBatch batch, CancellationToken cancellationToken)
    {
        try
        {
            await _channel.Writer.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _pending.Remove(batch);
            throw;
        }
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _channel.Writer.WriteAsync(done, cancellationToken).ConfigureAwait(false);
        await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        ThrowIfFailed(await RetryFailedAsync().ConfigureAwait(false));
    }

    private async Task RunAsync()
    {
        var reader = _channel.Reader;
        var records = new List<MetadataRecord>();
        var events = new List<ComplianceEvent>();
        var flushes = new List<TaskCompletionSource>();
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            records.Clear();
            events.Clear();
            flushes.Clear();
            while (records.Count + events.Count < _batchSize && reader.TryRead(out var item))
            {
                if (item is TaskCompletionSource flush)
                {
                    flushes.Add(flush);
                    break; // complete the flush before taking more work
                }
                var batch = (WriteBatch)item;
                // The caller left the hash to this thread (buffered saves return before hashing).
                foreach (var r in batch.Records) records.Add(r.MetadataHash.Length > 0 ? r : r with { MetadataHash = PythonJson.Hash(r.Metadata) });
                events.AddRange(batch.Events);
            }
            if (records.Count + events.Count > 0)
            {
                await WriteWithRetryAsync(new WriteBatch([.. records], [.. events])).ConfigureAwait(false);
            }
            foreach (var flush in flushes)
            {
                var error = await RetryFailedAsync().ConfigureAwait(false);
                if (error is null) flush.TrySetResult();
                else flush.TrySetException(error);
            }
        }
    }

    private async Task WriteWithRetryAsync(WriteBatch batch)
    {
        if (await TryWriteAsync(batch, _retries).ConfigureAwait(false)) return;
        lock (_failed) _failed.Add(batch);
    }

    private async Task<bool> TryWriteAsync(WriteBatch batch, int retries)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                await BackendWrites.WriteAsync(_backend, batch, CancellationToken.None).ConfigureAwait(false);
                _pending.Remove(batch);
                _onDurable(batch);
                return true;
            }
            catch (Exception ex)
            {
                _metrics.RecordFailure();
                _lastError = ex;
                if (attempt >= retries)
                {
                    _logger.LogError(ex, "Background write of {Count} item(s) to the {Backend} backend failed after {Attempts} attempt(s); kept in memory and retried on the next flush",
                        batch.Count, _backend.Name, attempt + 1);
                    return false;
                }
                _logger.LogWarning(ex, "Background write of {Count} item(s) failed (attempt {Attempt}); retrying", batch.Count, attempt + 1);
                await Task.Delay(TimeSpan.FromMilliseconds(50 * Math.Pow(4, attempt))).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Retries every failed batch once; returns the error to report when some still fail.</summary>
    private async Task<Exception?> RetryFailedAsync()
    {
        WriteBatch[] failed;
        lock (_failed)
        {
            failed = [.. _failed];
            _failed.Clear();
        }
        var stillFailing = new List<WriteBatch>();
        foreach (var batch in failed)
        {
            if (!await TryWriteAsync(batch, 0).ConfigureAwait(false)) stillFailing.Add(batch);
        }
        if (stillFailing.Count == 0) return null;
        lock (_failed) _failed.InsertRange(0, stillFailing);
        int count = stillFailing.Sum(b => b.Count);
        return new MetadataStorageException(
            $"{count} buffered item(s) could not be written to the {_backend.Name} backend at '{_backend.StoragePath}'; they are kept in memory and retried on the next flush. Last error: {_lastError?.Message}",
            _lastError!)
        {
            Backend = _backend.Name,
            Path = _backend.DbPath ?? _backend.StoragePath,
            RecordId = stillFailing[0].Records.FirstOrDefault()?.Id,
        };
    }

    private static void ThrowIfFailed(Exception? error)
    {
        if (error is not null) throw error;
    }
}
