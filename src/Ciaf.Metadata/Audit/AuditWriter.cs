using System.Threading.Channels;
using Ciaf.Metadata.Storage;
using Microsoft.Extensions.Logging;

namespace Ciaf.Metadata.Audit;

/// <summary>
/// The facade's audit batcher: <see cref="Enqueue(AuditEntry)"/> never blocks and does no I/O (an
/// unbounded channel), so an audited read costs the caller one allocation. One background task writes
/// whatever has queued up, up to <c>batchSize</c> entries per backend call. A failed batch is retried with
/// backoff, logged, kept, retried on the next flush and reported by <see cref="FlushAsync"/>; it never
/// throws into the caller.
/// </summary>
internal sealed class AuditWriter : IAsyncDisposable
{
    private const int Retries = 3;

    private readonly IMetadataBackend _backend;
    private readonly ILogger _logger;
    private readonly int _batchSize;
    private readonly Channel<object> _channel = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<AuditEntry> _failed = [];
    private readonly Task _loop;
    private Exception? _lastError;
    private long _queued;
    private long _failures;

    public AuditWriter(IMetadataBackend backend, ILogger logger, int batchSize)
    {
        _backend = backend;
        _logger = logger;
        _batchSize = Math.Max(1, batchSize);
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Entries accepted but not yet durable.</summary>
    public long Pending => Interlocked.Read(ref _queued);

    /// <summary>Failed backend writes so far (each retry counts).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    public void Enqueue(AuditEntry entry)
    {
        Interlocked.Increment(ref _queued);
        if (!_channel.Writer.TryWrite(entry))
        {
            Interlocked.Decrement(ref _queued);
            _logger.LogWarning("An audit entry ({Action} {ParentId}) arrived after the store was closed; it is not recorded", entry.Action, entry.ParentId);
        }
    }

    public void Enqueue(IReadOnlyList<AuditEntry> entries)
    {
        foreach (var entry in entries) Enqueue(entry);
    }

    /// <summary>Returns once every entry enqueued before the call is durable.</summary>
    /// <exception cref="MetadataStorageException">Some entries could not be written; they are kept and retried on the next flush.</exception>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_channel.Writer.TryWrite(done)) return; // closed: DisposeAsync reports
        await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        if (await RetryFailedAsync().ConfigureAwait(false) is { } error) throw error;
    }

    private async Task RunAsync()
    {
        var reader = _channel.Reader;
        var batch = new List<AuditEntry>(_batchSize);
        var flushes = new List<TaskCompletionSource>();
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            flushes.Clear();
            while (batch.Count < _batchSize && reader.TryRead(out var item))
            {
                if (item is TaskCompletionSource flush)
                {
                    flushes.Add(flush);
                    break;
                }
                batch.Add((AuditEntry)item);
            }
            if (batch.Count > 0 && !await TryWriteAsync([.. batch], Retries).ConfigureAwait(false))
            {
                lock (_failed) _failed.AddRange(batch);
            }
            foreach (var flush in flushes)
            {
                var error = await RetryFailedAsync().ConfigureAwait(false);
                if (error is null) flush.TrySetResult();
                else flush.TrySetException(error);
            }
        }
    }

    private async Task<bool> TryWriteAsync(AuditEntry[] entries, int retries)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                await _backend.WriteAuditAsync(entries, CancellationToken.None).ConfigureAwait(false);
                Interlocked.Add(ref _queued, -entries.Length);
                return true;
            }
            catch (Exception ex)
            {
                Interlocked.Increment(ref _failures);
                _lastError = ex;
                if (attempt >= retries)
                {
                    _logger.LogError(ex, "Writing {Count} audit entr(ies) to the {Backend} backend failed after {Attempts} attempt(s); kept in memory and retried on the next flush",
                        entries.Length, _backend.Name, attempt + 1);
                    return false;
                }
                _logger.LogWarning(ex, "Writing {Count} audit entr(ies) failed (attempt {Attempt}); retrying", entries.Length, attempt + 1);
                await Task.Delay(TimeSpan.FromMilliseconds(50 * Math.Pow(4, attempt))).ConfigureAwait(false);
            }
        }
    }

    private async Task<Exception?> RetryFailedAsync()
    {
        AuditEntry[] failed;
        lock (_failed)
        {
            failed = [.. _failed];
            _failed.Clear();
        }
        if (failed.Length == 0) return null;
        if (await TryWriteAsync(failed, 0).ConfigureAwait(false)) return null;
        lock (_failed) _failed.InsertRange(0, failed);
        return new MetadataStorageException(
            $"{failed.Length} audit entr(ies) could not be written to the {_backend.Name} backend at '{_backend.StoragePath}'; they are kept in memory and retried on the next flush. Last error: {_lastError?.Message}",
            _lastError!)
        {
            Backend = _backend.Name,
            Path = _backend.DbPath ?? _backend.StoragePath,
            RecordId = failed[0].ParentId,
        };
    }
}
