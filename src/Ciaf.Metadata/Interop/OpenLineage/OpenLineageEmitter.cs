using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Ciaf.Metadata.Capture;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;
using Microsoft.Extensions.Logging;

namespace Ciaf.Metadata.Interop.OpenLineage;

/// <summary>
/// Sends a store's pipeline steps as OpenLineage RunEvents while they happen (<c>storage.OpenLineage</c>, on when
/// <see cref="MetadataStorageOptions.OpenLineage"/> or <c>openlineage_url</c> / <c>openlineage_file</c> is set). A capture
/// scope sends <c>START</c> when it opens and <c>COMPLETE</c> or <c>FAIL</c> once its record is durable; every other record
/// (manager steps, plain saves) sends its <c>START</c> and <c>COMPLETE</c> once durable, as <c>ciaf export --format
/// openlineage</c> writes them.
/// </summary>
/// <remarks>
/// Never blocks the pipeline: the store hands durable records to a bounded queue without waiting (a full queue drops the
/// new item, counted in <see cref="EventsDropped"/> and logged); one background task builds the events and delivers each
/// to every transport, retrying failures with the store's retry policy (<see cref="StoreRetryPolicy.Transient"/>: exponential
/// backoff with jitter for <see cref="OpenLineageOptions.RetryBudget"/>). An event that still fails is counted in
/// <see cref="EventsFailed"/> and logged, never thrown. Metrics: <c>ciaf.metadata.openlineage.*</c> on the
/// <c>Ciaf.Metadata</c> meter. Disposed with its store: what is queued is delivered, for at most one retry budget more.
/// </remarks>
public sealed class OpenLineageEmitter : IAsyncDisposable
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    private readonly StoreCore _core;
    private readonly RunEventBuilder _builder;
    private readonly TransientRetry _retry;
    private readonly ILogger _logger;
    private readonly TimeSpan _drainTimeout;
    private readonly Channel<object> _queue;
    private readonly ConcurrentDictionary<string, CaptureRun> _open = new(StringComparer.Ordinal);
    private readonly LineageParents _parents;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Meter _meter;
    private readonly Counter<long> _sentCounter;
    private readonly Counter<long> _failedCounter;
    private readonly Counter<long> _droppedCounter;
    private readonly Task _loop;
    private long _sent;
    private long _failed;
    private long _dropped;
    private int _disposed;

    internal OpenLineageEmitter(StoreCore core, OpenLineageOptions options)
    {
        _core = core;
        _builder = new RunEventBuilder(options.Namespace, options.Producer);
        _logger = core.Options.LoggerFactory.CreateLogger<OpenLineageEmitter>();
        var transports = new List<IOpenLineageTransport>();
        if (!string.IsNullOrWhiteSpace(options.FilePath)) transports.Add(new OpenLineageFileTransport(options.FilePath));
        if (options.Url is not null) transports.Add(new OpenLineageHttpTransport(options.Url, options.ApiKey, options.RequestTimeout, options.HttpClient));
        transports.AddRange(options.Transports);
        Transports = transports;
        _retry = StoreRetryPolicy.Transient(IsTransient, options.RetryBudget, FirstRetryDelay, MaxRetryDelay, (operation, error, attempt, delay) =>
            _logger.LogWarning("OpenLineage delivery to {Transport} failed (attempt {Attempt}): {Error}; retrying in {Delay} ms",
                operation, attempt, error.Message, (int)delay.TotalMilliseconds));
        _drainTimeout = options.RetryBudget + options.RequestTimeout;
        _parents = new LineageParents(core);
        _meter = new Meter(MetadataTelemetry.MeterName);
        _sentCounter = _meter.CreateCounter<long>("ciaf.metadata.openlineage.events", "{event}", "OpenLineage events delivered (per transport).");
        _failedCounter = _meter.CreateCounter<long>("ciaf.metadata.openlineage.failures", "{event}", "OpenLineage events a transport could not take after retries.");
        _droppedCounter = _meter.CreateCounter<long>("ciaf.metadata.openlineage.dropped", "{item}", "Items dropped because the OpenLineage queue was full.");
        _queue = Channel.CreateBounded<object>(new BoundedChannelOptions(options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // producers only TryWrite: a full queue drops, it never waits
            SingleReader = true,
        });
        _loop = Task.Run(RunAsync);
    }

    /// <summary>The namespace of the jobs.</summary>
    public string Namespace => _builder.Namespace;

    /// <summary>Where events go, in order.</summary>
    public IReadOnlyList<IOpenLineageTransport> Transports { get; }

    /// <summary>Events delivered, counted once per transport that took them.</summary>
    public long EventsSent => Interlocked.Read(ref _sent);

    /// <summary>Events a transport refused or could not take within the retry budget (each logged).</summary>
    public long EventsFailed => Interlocked.Read(ref _failed);

    /// <summary>Items (a durable batch of records, a capture's start) dropped because the queue was full (logged).</summary>
    public long EventsDropped => Interlocked.Read(ref _dropped);

    /// <summary>Returns once every event queued before the call was delivered or given up on (see <see cref="EventsFailed"/>).</summary>
    public void Flush() => SyncOverAsync.Run(FlushAsync());

    /// <inheritdoc cref="Flush"/>
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _queue.Writer.WriteAsync(done, cancellationToken).ConfigureAwait(false);
        await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The store made these records durable (called on the writer's thread: queues them, never waits).</summary>
    internal void OnDurable(IReadOnlyList<MetadataRecord> records)
    {
        if (records.Count > 0 && !_queue.Writer.TryWrite(new DurableRecords(records))) Drop(records.Count + " record(s)");
    }

    /// <summary>A capture scope opened: queues its <c>START</c> and remembers its run for the terminal event.</summary>
    internal void CaptureStarted(MetadataCapture capture, MetadataCapture? parent)
    {
        if (Volatile.Read(ref _disposed) != 0) return; // a capture on a closed store: its save fails, and no run starts
        var parentRun = parent is null ? null : new LineageParent(RunEventBuilder.RunIdOf(parent.CaptureId), JobName(parent));
        var run = new CaptureRun(capture.CaptureId, JobName(capture), parentRun);
        _open[run.CaptureId] = run;
        var start = _builder.Start(run.CaptureId, run.JobName, PythonTimestamp.Now(_core.Clock), run.Parent);
        if (!_queue.Writer.TryWrite(start))
        {
            // Without its START the run is sent whole (START and terminal) once its record is durable.
            _open.TryRemove(run.CaptureId, out _);
            Drop("the start of capture " + run.CaptureId);
        }
    }

    /// <summary>A capture's record could not be saved: its run ends without a record (as the wrapped code ended).</summary>
    internal void CaptureNotSaved(string captureId, Exception? workError)
    {
        if (!_open.TryRemove(captureId, out var run)) return;
        if (!_queue.Writer.TryWrite(new UnrecordedEnd(run, PythonTimestamp.Now(_core.Clock), workError?.Message))) Drop("the end of capture " + captureId);
    }

    /// <summary>
    /// Delivers what is queued (for at most one retry budget more; then the rest is counted as failed), ends the runs of
    /// captures whose record never became durable, and stops. Called by the store after its last write. Idempotent.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        var now = PythonTimestamp.Now(_core.Clock);
        foreach (var captureId in _open.Keys)
        {
            if (_open.TryRemove(captureId, out var run))
                _queue.Writer.TryWrite(new UnrecordedEnd(run, now, "the store closed before the step's record was written"));
        }
        _queue.Writer.TryComplete();
        try
        {
            await _loop.WaitAsync(_drainTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _logger.LogError("OpenLineage delivery did not finish within {Seconds} s of closing the store; the events left are counted as failed", (int)_drainTimeout.TotalSeconds);
            await _stopping.CancelAsync().ConfigureAwait(false);
            await _loop.ConfigureAwait(false);
        }
        _stopping.Dispose();
        _meter.Dispose();
    }

    private async Task RunAsync()
    {
        await foreach (var item in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                switch (item)
                {
                    case TaskCompletionSource flush:
                        flush.TrySetResult();
                        break;
                    case JsonObject start:
                        await DeliverAsync(start).ConfigureAwait(false);
                        break;
                    case UnrecordedEnd end:
                        await DeliverAsync(_builder.Terminal(end.Run.CaptureId, end.Run.JobName, end.At, end.Run.Parent, end.Failure)).ConfigureAwait(false);
                        break;
                    case DurableRecords durable:
                        await ProcessAsync(durable.Records).ConfigureAwait(false);
                        break;
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The loop outlives any one item: a store read failing here must not stop later deliveries or flushes.
                Interlocked.Increment(ref _failed);
                _failedCounter.Add(1);
                _logger.LogError(ex, "OpenLineage events could not be built for a batch of records; it was skipped");
            }
        }
    }

    private async Task ProcessAsync(IReadOnlyList<MetadataRecord> durable)
    {
        var records = durable.Select(StoreCore.Clone).ToList();
        var leaves = await LedgerLeafLookup.OpenAsync(_core, _stopping.Token).ConfigureAwait(false);
        var leafIndexes = await leaves.LookupAsync([.. records.Select(r => r.Id)], _stopping.Token).ConfigureAwait(false);
        foreach (var record in records)
        {
            long? leaf = leafIndexes.TryGetValue(record.Id, out long l) ? l : null;
            if (LineageCaptureId(record) is { } captureId && _open.TryRemove(captureId, out var run))
            {
                await DeliverAsync(_builder.Terminal(record, run.Parent, leaf)).ConfigureAwait(false);
            }
            else
            {
                var parent = await _parents.ParentAsync(record, id => _open.TryGetValue(id, out var open) ? open.JobName : null, _stopping.Token).ConfigureAwait(false);
                await DeliverAsync(_builder.Start(record, parent)).ConfigureAwait(false);
                await DeliverAsync(_builder.Terminal(record, parent, leaf)).ConfigureAwait(false);
            }
            _parents.Observe(record);
        }
    }

    // Names as the record will store them (NFC), so the START and the terminal name one job.
    private static string JobName(MetadataCapture capture) => RunEventBuilder.JobName(
        NameRules.ForLookup(capture.ModelName)!, NameRules.ForLookup(capture.Stage)!, NameRules.ForLookup(capture.EventType)!);

    private static string? LineageCaptureId(MetadataRecord record) => LineageDatasets.Text(record.Metadata[RunEventBuilder.CaptureIdKey]);

    private async Task DeliverAsync(JsonObject runEvent)
    {
        string text = PythonJson.Serialize(runEvent, PythonJsonStyle.Compact);
        foreach (var transport in Transports)
        {
            try
            {
                await _retry.ExecuteAsync(transport.Description, async ct =>
                {
                    await transport.SendAsync(text, ct).ConfigureAwait(false);
                    return true;
                }, _stopping.Token).ConfigureAwait(false);
                Interlocked.Increment(ref _sent);
                _sentCounter.Add(1);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Interlocked.Increment(ref _failed);
                _failedCounter.Add(1);
                _logger.LogError(ex, "OpenLineage {EventType} event of run {RunId} ({Job}) was not delivered to {Transport}",
                    runEvent["eventType"]?.GetValue<string>(), runEvent["run"]?["runId"]?.GetValue<string>(), runEvent["job"]?["name"]?.GetValue<string>(), transport.Description);
            }
        }
    }

    private void Drop(string what)
    {
        long dropped = Interlocked.Increment(ref _dropped);
        _droppedCounter.Add(1);
        // Logged on the first drop and then every thousandth: a full queue must not flood the log as well.
        if (dropped == 1 || dropped % 1000 == 0)
            _logger.LogWarning("The OpenLineage queue is full; dropped {What} ({Dropped} item(s) dropped so far)", what, dropped);
    }

    private static bool IsTransient(Exception ex) => ex is not OpenLineageTransportException { IsTransient: false };

    private sealed record CaptureRun(string CaptureId, string JobName, LineageParent? Parent);

    private sealed record DurableRecords(IReadOnlyList<MetadataRecord> Records);

    private sealed record UnrecordedEnd(CaptureRun Run, DateTimeOffset At, string? Failure);
}
