using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Configuration;
using Ciaf.Metadata.Encryption;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;
using Microsoft.Extensions.Logging;

namespace Ciaf.Metadata;

/// <summary>
/// The metadata store: every record goes through here. It validates names and payloads, runs the
/// registered validators, computes the reference's metadata hash, hands the record to the writer
/// (immediate: durable on return; buffered: batched in the background), runs hooks after the write,
/// and answers queries (merging in its own not-yet-durable writes, so it always reads its own writes).
/// </summary>
/// <remarks>
/// Thread-safe. <see cref="IDisposable"/> and <see cref="IAsyncDisposable"/>: disposing flushes, and
/// throws if buffered writes could not be made durable. Every I/O method has an <c>...Async</c> form.
/// </remarks>
public sealed partial class MetadataStorage : IDisposable, IAsyncDisposable
{
    /// <summary>Hook event raised after a record is durable (<see cref="RegisterWebhook"/>).</summary>
    public const string MetadataSavedEvent = "metadata_saved";

    private readonly IMetadataBackend _backend;
    private readonly IRecordWriter _writer;
    private readonly AuditWriter _audit;
    private readonly SensitiveDataCipher? _cipher;
    private readonly PendingWrites _pending = new();
    private readonly StorageMetrics _metrics;
    private readonly ILogger _logger;
    private readonly MetadataStorageOptions _options;
    private readonly Lock _registrationLock = new();
    private Dictionary<string, Func<JsonObject, IEnumerable<string>>[]> _validators = new(StringComparer.Ordinal);
    private Action<MetadataRecord>[] _savedHooks = [];
    private Action<ComplianceEvent>[] _complianceHooks = [];
    private int _disposed;

    /// <summary>Opens (or creates) a store that writes immediately: each save is durable when it returns.</summary>
    /// <param name="storagePath">The store folder (created if missing).</param>
    /// <param name="backend">The backend: <c>json</c>, <c>sqlite</c>, <c>pickle</c> (or another registered one).</param>
    /// <exception cref="ArgumentException">Unknown backend (the message lists the valid ones) or empty path.</exception>
    /// <exception cref="MetadataStorageException">The path is a file or cannot be written.</exception>
    public MetadataStorage(string storagePath, string backend = MetadataStorageOptions.DefaultBackend)
        : this(new MetadataStorageOptions { StoragePath = storagePath, Backend = backend })
    {
    }

    /// <summary>
    /// Opens the store a configuration describes (backend, path, write mode — buffered when
    /// <c>async_writes</c> is true — batch size, size limit, retention, database settings).
    /// </summary>
    /// <exception cref="MetadataConfigException">The configuration is invalid; the message lists every error.</exception>
    public MetadataStorage(MetadataConfig config)
        : this(MetadataStorageOptions.FromConfig(config))
    {
    }

    private static readonly Lazy<MetadataStorage> LazyDefault = new(() =>
    {
        var storage = new MetadataStorage(MetadataConfig.Default);
        // The default store lives as long as the process: flush its buffered writes on the way out.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                storage.Dispose();
            }
            catch (MetadataStorageException ex)
            {
                // Nobody is left to catch it: say so where an operator will see it, rather than crash the exit.
                Console.Error.WriteLine($"Ciaf.Metadata: buffered metadata could not be written at exit: {ex.Message}");
            }
        };
        return storage;
    });

    /// <summary>
    /// The process-wide store built from <see cref="MetadataConfig.Default"/> (defaults, then
    /// <c>ciaf_config.json</c> in the current folder if present, then <c>CIAF_*</c> variables). Created on
    /// first use; flushed when the process exits.
    /// </summary>
    public static MetadataStorage Default => LazyDefault.Value;

    /// <summary>Opens (or creates) a store with the given options; the backend is chosen by <see cref="MetadataStorageOptions.Backend"/>.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message lists every problem.</exception>
    /// <exception cref="MetadataStorageException">The path is a file or cannot be written, or the backend cannot open it.</exception>
    public MetadataStorage(MetadataStorageOptions options)
        : this(new MetadataStorageBuilder(options ?? throw new ArgumentNullException(nameof(options))))
    {
    }

    /// <summary>
    /// Builds a store: choose the backend with its options and set the common ones, e.g.
    /// <c>MetadataStorage.Create(b => b.UseSqlite("metadata", o => o.JournalMode = "WAL").Configure(o => o.WriteMode = WriteMode.Buffered))</c>.
    /// </summary>
    /// <exception cref="ArgumentException">No backend was chosen, or an option is invalid; the message lists every problem.</exception>
    /// <exception cref="MetadataStorageException">The path is a file or cannot be written, or the backend cannot open it.</exception>
    public static MetadataStorage Create(Action<MetadataStorageBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = new MetadataStorageBuilder();
        configure(builder);
        return builder.Build();
    }

    internal MetadataStorage(MetadataStorageBuilder builder)
    {
        var openBackend = builder.Validate();
        var options = builder.Options;
        _options = options;
        _logger = options.LoggerFactory.CreateLogger<MetadataStorage>();
        _userId = ResolveUser(options);
        _cipher = CreateCipher(options, _logger);
        string root = Path.GetFullPath(options.StoragePath);
        EnsureWritableFolder(root, options.Backend);
        _metrics = new StorageMetrics(options.Backend, () => _pending.Count);
        var context = new BackendContext
        {
            StoragePath = root,
            ConnectionString = options.ConnectionString,
            Logger = options.LoggerFactory.CreateLogger("Ciaf.Metadata.Backends." + options.Backend),
            BusyTimeout = options.BusyTimeout,
            EnableCompression = options.EnableCompression,
            CompressionThresholdBytes = options.CompressionThresholdBytes,
            MaxMetadataBytes = options.MaxMetadataBytes,
            ReportCorrupt = (location, error) =>
            {
                _metrics.RecordCorrupt();
                _logger.LogWarning(error, "Skipped a corrupt entry at {Location}", location);
                OnCorruptEntry(location, error);
            },
        };
        try
        {
            _backend = openBackend(context);
        }
        catch (Exception ex) when (ex is not MetadataStorageException and not ArgumentException)
        {
            _metrics.Dispose();
            throw new MetadataStorageException($"The {options.Backend} backend could not open the store at '{root}': {ex.Message}", ex)
            {
                Backend = options.Backend,
                Path = root,
            };
        }
        _audit = new AuditWriter(_backend, _logger, AuditBatchSize);
        _writer = options.WriteMode == WriteMode.Buffered
            ? new BatchingWriter(_backend, _pending, OnDurable, _metrics, _logger, options.BatchSize,
                options.QueueCapacity ?? Math.Max(1000, options.BatchSize * 10), options.WriteRetries)
            : new ImmediateWriter(_backend, OnDurable);
        StartAutoCleanup();
    }

    /// <summary>The backend name (<c>json</c>, <c>sqlite</c>, ...).</summary>
    public string Backend => _backend.Name;

    /// <summary>The store folder, as a full path.</summary>
    public string StoragePath => _backend.StoragePath;

    /// <summary>The SQLite database file, or <c>null</c> for backends without one.</summary>
    public string? DbPath => _backend.DbPath;

    /// <summary>Whether saves are durable on return or buffered.</summary>
    public WriteMode WriteMode => _options.WriteMode;

    /// <summary>
    /// Saves one record and returns its id (a time-ordered UUID v7).
    /// </summary>
    /// <param name="modelName">The model (1-255 characters; no '/', '\', '..' or control characters).</param>
    /// <param name="stage">The stage (same rules; see <see cref="PipelineStages"/>).</param>
    /// <param name="eventType">The event type (same rules).</param>
    /// <param name="metadata">The payload: anonymous object, POCO, dictionary, <c>JsonObject</c> or <c>JsonElement</c>; <c>null</c> stores <c>{}</c>.</param>
    /// <param name="modelVersion">The version; <c>null</c> or empty stores <c>"1.0.0"</c>.</param>
    /// <param name="details">A human-readable description.</param>
    /// <exception cref="ArgumentException">A name breaks a rule, the payload cannot be serialized or is too large; nothing is written.</exception>
    /// <exception cref="MetadataValidationException">A registered validator rejected the payload; nothing is written.</exception>
    /// <exception cref="MetadataStorageException">Immediate mode: the backend failed to write.</exception>
    public string SaveMetadata(string modelName, string stage, string eventType, object? metadata,
        string? modelVersion = null, string? details = null) =>
        SyncOverAsync.Run(SaveMetadataAsync(modelName, stage, eventType, metadata, modelVersion, details));

    /// <inheritdoc cref="SaveMetadata"/>
    public async ValueTask<string> SaveMetadataAsync(string modelName, string stage, string eventType, object? metadata,
        string? modelVersion = null, string? details = null, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        long start = Stopwatch.GetTimestamp();
        var record = BuildRecord(new MetadataEntry(modelName, stage, eventType, metadata, modelVersion, details), null);
        await _writer.WriteAsync(WriteBatch.Of([record]), cancellationToken).ConfigureAwait(false);
        _metrics.RecordSave(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        return record.Id;
    }

    /// <summary>
    /// Saves many records in one transaction (SQLite) or one pass (file backends). Every entry is
    /// validated first; if any is invalid nothing is written.
    /// </summary>
    /// <returns>The new ids, in the order of <paramref name="entries"/>.</returns>
    /// <exception cref="ArgumentException">An entry is invalid (the message gives its index); nothing is written.</exception>
    public IReadOnlyList<string> SaveMetadataBatch(IEnumerable<MetadataEntry> entries) =>
        SyncOverAsync.Run(SaveMetadataBatchAsync(entries));

    /// <inheritdoc cref="SaveMetadataBatch"/>
    public async ValueTask<IReadOnlyList<string>> SaveMetadataBatchAsync(IEnumerable<MetadataEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ThrowIfDisposed();
        long start = Stopwatch.GetTimestamp();
        var records = new List<MetadataRecord>();
        foreach (var entry in entries)
        {
            if (entry is null) throw new ArgumentException($"Entry {records.Count} is null.", nameof(entries));
            records.Add(BuildRecord(entry, records.Count));
        }
        if (records.Count == 0) return [];
        await _writer.WriteAsync(WriteBatch.Of(records), cancellationToken).ConfigureAwait(false);
        _metrics.RecordSave(Stopwatch.GetElapsedTime(start).TotalMilliseconds / records.Count);
        return [.. records.Select(r => r.Id)];
    }

    /// <summary>
    /// Registers a validator for a stage (<c>"*"</c> for every stage). Before a save, every validator of
    /// the stage runs; any error rejects the save with a <see cref="MetadataValidationException"/>
    /// listing all of them, and nothing is written.
    /// </summary>
    public void RegisterValidator(string stage, Func<JsonObject, IEnumerable<string>> validator)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(stage);
        ArgumentNullException.ThrowIfNull(validator);
        lock (_registrationLock)
        {
            var copy = new Dictionary<string, Func<JsonObject, IEnumerable<string>>[]>(_validators, StringComparer.Ordinal);
            copy[stage] = [.. copy.GetValueOrDefault(stage, []), validator];
            _validators = copy;
        }
    }

    /// <summary>
    /// Registers a hook. <c>metadata_saved</c> runs after each record is durable (in buffered mode on
    /// the background writer). A hook that throws is logged; the record and the save are unaffected.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown event name.</exception>
    public void RegisterWebhook(string eventName, Action<MetadataRecord> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        if (!string.Equals(eventName, MetadataSavedEvent, StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"Unknown hook event '{eventName}'. Valid: {MetadataSavedEvent} (and compliance_event_added through RegisterComplianceWebhook).", nameof(eventName));
        }
        lock (_registrationLock) _savedHooks = [.. _savedHooks, hook];
    }

    /// <summary>Registers a hook run after each compliance event is durable (the <c>compliance_event_added</c> event).</summary>
    public void RegisterComplianceWebhook(Action<ComplianceEvent> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        lock (_registrationLock) _complianceHooks = [.. _complianceHooks, hook];
    }

    /// <summary>Returns once every save made before the call is durable, and every audit entry written so far.</summary>
    /// <exception cref="MetadataStorageException">Some buffered writes or audit entries could not be made durable; they stay in memory and are retried on the next flush.</exception>
    public void Flush() => SyncOverAsync.Run(FlushAsync());

    /// <inheritdoc cref="Flush"/>
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        await _audit.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Counters and sizes: writes, write and read latency (mean, p95), records, bytes on disk.</summary>
    public StoragePerformanceMetrics GetPerformanceMetrics() => SyncOverAsync.Run(GetPerformanceMetricsAsync());

    /// <inheritdoc cref="GetPerformanceMetrics"/>
    public async ValueTask<StoragePerformanceMetrics> GetPerformanceMetricsAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        long durable = await _backend.CountAsync(cancellationToken).ConfigureAwait(false);
        var (avgWrite, p95Write) = _metrics.WriteLatency;
        var (avgRead, p95Read) = _metrics.ReadLatency;
        return new StoragePerformanceMetrics
        {
            Backend = _backend.Name,
            Writes = _metrics.WriteCount,
            AvgWriteTimeMs = avgWrite,
            P95WriteTimeMs = p95Write,
            Reads = _metrics.ReadCount,
            AvgReadTimeMs = avgRead,
            P95ReadTimeMs = p95Read,
            RecordCount = durable + _pending.Count,
            PendingWrites = _pending.Count,
            WriteFailures = _metrics.FailureCount,
            CorruptEntriesSkipped = _metrics.CorruptCount,
            TotalSizeBytes = _backend.SizeOnDisk(),
        };
    }

    /// <summary>Stops automatic cleanup (waiting for a run in progress), flushes writes and audit entries, and closes the store. Idempotent.</summary>
    /// <exception cref="MetadataStorageException">Buffered writes or audit entries could not be made durable.</exception>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <inheritdoc cref="Dispose"/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await StopAutoCleanupAsync().ConfigureAwait(false);
        Exception? error = null;
        try
        {
            await _writer.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            error = ex;
        }
        try
        {
            // After the writer: its last batches add their save entries.
            await _audit.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (error is not null)
        {
            _logger.LogError(ex, "Audit entries could not be written while closing the store");
        }
        catch (Exception ex)
        {
            error = ex;
        }
        await _backend.DisposeAsync().ConfigureAwait(false);
        _metrics.Dispose();
        if (error is not null) ExceptionDispatchInfo.Throw(error);
    }

    private MetadataRecord BuildRecord(MetadataEntry entry, int? index)
    {
        string prefix = index is null ? string.Empty : $"Entry {index}: ";
        try
        {
            NameRules.Validate(entry.ModelName, "modelName");
            NameRules.Validate(entry.Stage, "stage");
            NameRules.Validate(entry.EventType, "eventType");
            var metadata = MetadataConverter.ToJsonObject(entry.Metadata);
            if (HasValidators(entry.Stage))
            {
                // Validators see the payload exactly as a stored record holds it (GetValue<int>() on an integer works).
                metadata = Reparse(metadata);
                RunValidators(entry.Stage, metadata);
            }
            // Validators see the plaintext; the hash covers the stored (encrypted) form, so Verify needs no key.
            if (_options.EncryptSensitiveData) _cipher?.Encrypt(metadata);
            if (PythonJson.MaxCanonicalLength(metadata) > _options.MaxMetadataBytes
                && PythonJson.Canonical(metadata).Length is var length && length > _options.MaxMetadataBytes)
            {
                throw new ArgumentException(
                    $"The metadata is {length} bytes when serialized; the limit is {_options.MaxMetadataBytes} (max_metadata_bytes).", "metadata");
            }
            var timestamp = NextTimestamp();
            return new MetadataRecord(
                Guid.CreateVersion7(timestamp).ToString(),
                entry.ModelName,
                string.IsNullOrEmpty(entry.ModelVersion) ? RecordJson.DefaultModelVersion : entry.ModelVersion,
                entry.Stage,
                entry.EventType,
                timestamp,
                // Buffered: the background writer hashes (see BatchingWriter), off the caller's thread.
                _options.WriteMode == WriteMode.Buffered ? string.Empty : PythonJson.Hash(metadata),
                entry.Details,
                metadata);
        }
        catch (MetadataValidationException) when (index is null)
        {
            throw;
        }
        catch (ArgumentException ex) when (index is not null)
        {
            throw new ArgumentException(prefix + ex.Message, ex.ParamName, ex);
        }
    }

    private long _lastTimestampTicks;

    /// <summary>
    /// Now, to the microsecond, and strictly after every timestamp this instance handed out before: two saves in
    /// the same microsecond would otherwise tie, and a tie is ordered by id, which UUIDv7 only orders to the
    /// millisecond. So the records of one writer always come back in the order they were saved.
    /// </summary>
    private DateTimeOffset NextTimestamp()
    {
        long now = PythonTimestamp.Now(_options.TimeProvider).UtcTicks;
        long previous, next;
        do
        {
            previous = Volatile.Read(ref _lastTimestampTicks);
            next = now > previous ? now : previous + 10; // 10 ticks = 1 µs, Python's resolution
        }
        while (Interlocked.CompareExchange(ref _lastTimestampTicks, next, previous) != previous);
        return new DateTimeOffset(next, TimeSpan.Zero);
    }

    private bool HasValidators(string stage)
    {
        var validators = _validators;
        return validators.Count > 0 && (validators.ContainsKey(stage) || validators.ContainsKey("*"));
    }

    private void RunValidators(string stage, JsonObject metadata)
    {
        var validators = _validators;
        var errors = new List<string>();
        foreach (var key in new[] { stage, "*" })
        {
            if (!validators.TryGetValue(key, out var list)) continue;
            foreach (var validator in list) errors.AddRange(validator(metadata) ?? []);
        }
        if (errors.Count > 0) throw new MetadataValidationException(stage, errors);
    }

    private void OnDurable(WriteBatch batch)
    {
        _metrics.RecordDurable(batch.Records.Count);
        if (_options.AuditAllAccess) AuditSaves(batch);
        var savedHooks = _savedHooks;
        foreach (var record in batch.Records)
        {
            foreach (var hook in savedHooks) RunHook(hook, DecryptHookRecord(record), MetadataSavedEvent, record.Id);
        }
        var complianceHooks = _complianceHooks;
        foreach (var ev in batch.Events)
        {
            foreach (var hook in complianceHooks) RunHook(hook, ev, "compliance_event_added", ev.Id);
        }
    }

    private void RunHook<T>(Action<T> hook, T argument, string eventName, string id)
    {
        try
        {
            hook(argument);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "A {Event} hook threw for {Id}; the write is unaffected", eventName, id);
        }
    }

    /// <summary>
    /// A detached copy as a reader would get it from the backend: the payload re-read from its JSON text (so every
    /// value is the same kind of node a stored record holds) and the hash filled in if the writer has not yet.
    /// </summary>
    private static MetadataRecord Clone(MetadataRecord record) => record with
    {
        Metadata = Reparse(record.Metadata),
        MetadataHash = record.MetadataHash.Length > 0 ? record.MetadataHash : PythonJson.Hash(record.Metadata),
    };

    private static JsonObject Reparse(JsonObject metadata) =>
        (JsonObject)PythonJson.Parse(PythonJson.Serialize(metadata, PythonJsonStyle.Compact))!;

    private static void EnsureWritableFolder(string root, string backend)
    {
        if (File.Exists(root))
        {
            throw new MetadataStorageException($"The storage path '{root}' is a file; it must be a folder.") { Backend = backend, Path = root };
        }
        try
        {
            Directory.CreateDirectory(root);
            string probe = Path.Combine(root, $".ciaf-write-probe-{Guid.NewGuid():N}");
            using (File.Create(probe, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new MetadataStorageException($"The storage path '{root}' cannot be written: {ex.Message}", ex) { Backend = backend, Path = root };
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
