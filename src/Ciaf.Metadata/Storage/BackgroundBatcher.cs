using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Polly;

namespace Ciaf.Metadata.Storage;

/// <summary>
/// The store's one background batcher (records in buffered mode, audit entries always): a bounded channel
/// drained by one task that hands batches of up to <c>batchSize</c> units to a write function. A full channel
/// makes the producer wait (backpressure; nothing is dropped). A batch that still fails after the core's retry
/// pipeline is logged, kept in memory, retried once at every flush, and reported by <see cref="FlushAsync"/> and
/// <see cref="DisposeAsync"/>; it never throws into a producer.
/// </summary>
/// <typeparam name="T">What is queued: a <see cref="WriteBatch"/> of records, an audit entry.</typeparam>
internal sealed class BackgroundBatcher<T> : IAsyncDisposable where T : class
{
    private readonly Func<IReadOnlyList<T>, ValueTask> _write;
    private readonly Func<T, int> _units;
    private readonly IMetadataBackend _backend;
    private readonly ResiliencePipeline _retry;
    private readonly ILogger _logger;
    private readonly string _what;
    private readonly int _batchSize;
    private readonly Func<T, bool>? _groupable;
    private readonly Func<T[], T[], bool>? _overlappable;

    /// <summary>
    /// Group commit: when more items are already queued, up to this many batches of items that need no more work on the
    /// background task (<c>groupable</c>) go to the write function in one call — one SQLite transaction, one PostgreSQL
    /// COPY: a commit costs milliseconds whatever its size. Items that still need work there (records left to hash) are
    /// written <c>batchSize</c> at a time, so the work and the producer keep overlapping.
    /// </summary>
    public const int GroupCommitBatches = 10;
    private readonly Channel<object> _channel;
    private readonly List<T[]> _failed = [];
    private readonly Task _loop;
    private Exception? _lastError;

    /// <param name="what">What the items are, for log messages ("buffered records", "audit entries").</param>
    /// <param name="write">Writes one batch durably (throws on failure); called on the background task only.</param>
    /// <param name="units">How many units an item counts for against <paramref name="batchSize"/>.</param>
    /// <param name="backend">The backend written to, named in the failure reported.</param>
    /// <param name="retry">The core's retry pipeline for background writes (<see cref="StoreRetryPolicy"/>).</param>
    /// <param name="logger">Where failures are logged.</param>
    /// <param name="batchSize">The most units per call of <paramref name="write"/>.</param>
    /// <param name="capacity">How many items may wait before producers wait.</param>
    /// <param name="groupable">Which items may be committed in groups of up to <see cref="GroupCommitBatches"/> batches; <c>null</c>: none.</param>
    /// <param name="overlappable">
    /// Whether a batch may start while the one before it (the first argument) is still being written; <c>null</c>: never.
    /// At most two writes run at once, and the loop waits for the older before it takes a third.
    /// </param>
    public BackgroundBatcher(string what, Func<IReadOnlyList<T>, ValueTask> write, Func<T, int> units,
        IMetadataBackend backend, ResiliencePipeline retry, ILogger logger, int batchSize, int capacity, Func<T, bool>? groupable = null,
        Func<T[], T[], bool>? overlappable = null)
    {
        _groupable = groupable;
        _overlappable = overlappable;
        _what = what;
        _write = write;
        _units = units;
        _backend = backend;
        _retry = retry;
        _logger = logger;
        _batchSize = Math.Max(1, batchSize);
        _channel = Channel.CreateBounded<object>(new BoundedChannelOptions(Math.Max(1, capacity))
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Queues an item, waiting while the queue is full.</summary>
    /// <exception cref="ChannelClosedException">The batcher was disposed.</exception>
    public ValueTask EnqueueAsync(T item, CancellationToken cancellationToken) =>
        _channel.Writer.TryWrite(item) ? ValueTask.CompletedTask : _channel.Writer.WriteAsync(item, cancellationToken);

    /// <summary>Returns once every item queued before the call is durable.</summary>
    /// <exception cref="MetadataStorageException">Some items could not be written; they are kept and retried on the next flush.</exception>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await _channel.Writer.WriteAsync(done, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            return; // disposed: DisposeAsync reports what is left
        }
        await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes what is queued, retries what failed once more, and throws if some of it still fails.</summary>
    public async ValueTask DisposeAsync()
    {
        _channel.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        if (await RetryFailedAsync().ConfigureAwait(false) is { } error) throw error;
    }

    private async Task RunAsync()
    {
        var reader = _channel.Reader;
        var batch = new List<T>();
        var flushes = new List<TaskCompletionSource>();
        (Task Write, T[] Items)? underway = null; // the write still running beside the loop (overlappable only)
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            flushes.Clear();
            int units = 0;
            bool grouping = _groupable is not null;
            while ((units < _batchSize || (grouping && units < _batchSize * GroupCommitBatches)) && reader.TryRead(out var item))
            {
                if (item is TaskCompletionSource flush)
                {
                    flushes.Add(flush);
                    break; // complete the flush before taking more work
                }
                var value = (T)item;
                batch.Add(value);
                (int itemUnits, bool itemGroupable) = Measure(value, grouping);
                units += itemUnits;
                grouping = itemGroupable;
            }
            if (batch.Count > 0)
            {
                T[] items = [.. batch];
                if (_overlappable is null)
                {
                    await WriteWithRetryAsync(items, units).ConfigureAwait(false);
                }
                else
                {
                    if (underway is { } before && !_overlappable(before.Items, items))
                    {
                        await before.Write.ConfigureAwait(false);
                        underway = null;
                    }
                    var write = WriteWithRetryAsync(items, units);
                    if (underway is { } older) await older.Write.ConfigureAwait(false);
                    underway = (write, items);
                }
            }
            if (flushes.Count > 0 && underway is { } last)
            {
                await last.Write.ConfigureAwait(false);
                underway = null;
            }
            foreach (var flush in flushes)
            {
                var error = await RetryFailedAsync().ConfigureAwait(false);
                if (error is null) flush.TrySetResult();
                else flush.TrySetException(error);
            }
        }
        if (underway is { } final) await final.Write.ConfigureAwait(false);
    }

    // The loop must outlive a bug in its callbacks: a faulted loop would leave every later flush waiting forever.
    private (int Units, bool Groupable) Measure(T value, bool grouping)
    {
        try
        {
            return (_units(value), grouping && _groupable!(value)); // grouping is false from the start when nothing is groupable
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Sizing a queued item of {What} failed; it is written on its own batch", _what);
            return (_batchSize, false);
        }
    }

    private async Task WriteWithRetryAsync(T[] batch, int units)
    {
        try
        {
            await _retry.ExecuteAsync(static (state, _) => state.Item1._write(state.batch), (this, batch), CancellationToken.None)
                .ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _lastError = ex;
            _logger.LogError(ex, "Background write of {Count} {What} failed after retries; kept in memory and retried on the next flush", units, _what);
            lock (_failed) _failed.Add(batch);
        }
    }

    /// <summary>Retries every failed batch once, in order; returns the error to report when some still fail.</summary>
    private async Task<MetadataStorageException?> RetryFailedAsync()
    {
        T[][] failed;
        lock (_failed)
        {
            failed = [.. _failed];
            _failed.Clear();
        }
        var stillFailing = new List<T[]>();
        foreach (var batch in failed)
        {
            try
            {
                await _write(batch).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                _lastError = ex;
                stillFailing.Add(batch);
            }
        }
        if (stillFailing.Count == 0) return null;
        lock (_failed) _failed.InsertRange(0, stillFailing);
        int count = stillFailing.Sum(b => b.Sum(v => Measure(v, grouping: false).Units));
        return new MetadataStorageException(
            $"{count} {_what} could not be written to the {_backend.Name} backend at '{_backend.StoragePath}'; they are kept in memory and retried on the next flush. Last error: {_lastError!.Message}",
            _lastError)
        {
            Backend = _backend.Name,
            Path = _backend.DbPath ?? _backend.StoragePath,
            RecordId = (_lastError as MetadataStorageException)?.RecordId,
        };
    }
}
