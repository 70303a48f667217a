using System.Text.Json.Nodes;
using Ciaf.Metadata.Access;
using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Configuration;
using Ciaf.Metadata.Encryption;
using Ciaf.Metadata.Queries;
using Ciaf.Metadata.Retention;
using Ciaf.Metadata.Search;
using Ciaf.Metadata.Transfer;
using Ciaf.Metadata.Verification;
using Ciaf.Metadata.Storage;

namespace Ciaf.Metadata;

/// <summary>
/// The metadata store: every record goes through here. A thin facade: each member delegates to the store core
/// (<see cref="StoreCore"/>: names, validators, hashing, encryption, the writer, reads of its own writes) or to a
/// capability service in its folder (<c>Retention/</c>, <c>Transfer/</c>, <c>Verification/</c>, <c>Audit/</c>).
/// See <c>docs/architecture.md</c>.
/// </summary>
/// <remarks>
/// Thread-safe. <see cref="IDisposable"/> and <see cref="IAsyncDisposable"/>: disposing flushes, and
/// throws if buffered writes could not be made durable. Every I/O method has an <c>...Async</c> form.
/// </remarks>
public sealed partial class MetadataStorage : IDisposable, IAsyncDisposable
{
    /// <summary>Hook event raised after a record is durable (<see cref="RegisterWebhook"/>).</summary>
    public const string MetadataSavedEvent = StoreHooks.MetadataSavedEvent;

    private readonly StoreCore _core;
    private readonly RetentionService _retention;
    private readonly SubjectRequests _subjects;
    private readonly AutoCleanup? _autoCleanup;
    private readonly AuditTrail _auditTrail;
    private readonly Exporter _exporter;
    private readonly Importer _importer;
    private readonly Migrator _migrator;
    private readonly BackupService _backup;
    private readonly Verifier _verifier;
    private readonly RecordQueries _queries;
    private readonly ModelSummaries _modelSummaries;
    private readonly RecordSearch _search;
    private readonly SearchIndexes _indexes;
    private readonly ApiKeyRegistry _apiKeys;
    private readonly ServerKeyRing _serverKeyRing;

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

    /// <summary><see cref="Default"/> if it was opened already, else null (does not open it).</summary>
    internal static MetadataStorage? DefaultIfCreated => LazyDefault.IsValueCreated ? LazyDefault.Value : null;

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
        _core = new StoreCore(builder.Options, openBackend);
        _retention = new RetentionService(_core);
        _subjects = new SubjectRequests(_core);
        _auditTrail = new AuditTrail(_core);
        _exporter = new Exporter(_core);
        _importer = new Importer(_core);
        _migrator = new Migrator(_core);
        _backup = new BackupService(_core);
        _verifier = new Verifier(_core);
        _queries = new RecordQueries(_core, _auditTrail);
        _modelSummaries = new ModelSummaries(_core);
        _search = new RecordSearch(_core, _auditTrail);
        _indexes = new SearchIndexes(_core);
        _apiKeys = new ApiKeyRegistry(_core);
        _serverKeyRing = new ServerKeyRing(_core);
        _autoCleanup = builder.Options.AutoCleanup ? new AutoCleanup(_retention, _core) : null;
    }

    /// <summary>The backend name (<c>json</c>, <c>sqlite</c>, ...).</summary>
    public string Backend => _core.Backend.Name;

    /// <summary>The store folder, as a full path.</summary>
    public string StoragePath => _core.Backend.StoragePath;

    /// <summary>The SQLite database file, or <c>null</c> for backends without one.</summary>
    public string? DbPath => _core.Backend.DbPath;

    /// <summary>The largest serialized metadata a record may hold, in bytes (<c>max_metadata_bytes</c>).</summary>
    public long MaxMetadataBytes => _core.Options.MaxMetadataBytes;

    /// <summary>Whether saves are durable on return or buffered.</summary>
    public WriteMode WriteMode => _core.Options.WriteMode;

    /// <summary>
    /// Makes <paramref name="userId"/> the acting user of the calls made in this async flow (a server request, a job)
    /// until the returned scope is disposed: audit entries and legal holds name it instead of <see cref="UserId"/>.
    /// Scopes nest; a buffered save is audited under the user who made it, whenever it reaches the disk.
    /// <code>using (storage.ActingAs(request.User)) { storage.GetMetadata(id); }</code>
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="userId"/> is empty or holds control characters.</exception>
    public IDisposable ActingAs(string userId) => StoreCore.ActAs(userId);

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
    public ValueTask<string> SaveMetadataAsync(string modelName, string stage, string eventType, object? metadata,
        string? modelVersion = null, string? details = null, CancellationToken cancellationToken = default) =>
        _core.SaveAsync(new MetadataEntry(modelName, stage, eventType, metadata, modelVersion, details), cancellationToken);

    /// <summary>
    /// Saves many records in one transaction (SQLite) or one pass (file backends). Every entry is
    /// validated first; if any is invalid nothing is written.
    /// </summary>
    /// <returns>The new ids, in the order of <paramref name="entries"/>.</returns>
    /// <exception cref="ArgumentException">An entry is invalid (the message gives its index); nothing is written.</exception>
    public IReadOnlyList<string> SaveMetadataBatch(IEnumerable<MetadataEntry> entries) =>
        SyncOverAsync.Run(SaveMetadataBatchAsync(entries));

    /// <inheritdoc cref="SaveMetadataBatch"/>
    public async ValueTask<IReadOnlyList<string>> SaveMetadataBatchAsync(IEnumerable<MetadataEntry> entries, CancellationToken cancellationToken = default) =>
        await _core.SaveAsync(entries ?? throw new ArgumentNullException(nameof(entries)), cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Registers a validator for a stage (<c>"*"</c> for every stage). Before a save, every validator of
    /// the stage runs; any error rejects the save with a <see cref="MetadataValidationException"/>
    /// listing all of them, and nothing is written.
    /// </summary>
    public void RegisterValidator(string stage, Func<JsonObject, IEnumerable<string>> validator) => _core.Hooks.AddValidator(stage, validator);

    /// <summary>
    /// Registers a hook. <c>metadata_saved</c> runs after each record is durable (in buffered mode on
    /// the background writer). A hook that throws is logged; the record and the save are unaffected.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown event name.</exception>
    public void RegisterWebhook(string eventName, Action<MetadataRecord> hook) => _core.Hooks.AddSavedHook(eventName, hook);

    /// <summary>Registers a hook run after each compliance event is durable (the <c>compliance_event_added</c> event).</summary>
    public void RegisterComplianceWebhook(Action<ComplianceEvent> hook) => _core.Hooks.AddComplianceHook(hook);

    /// <summary>Returns once every save made before the call is durable, and every audit entry written so far.</summary>
    /// <exception cref="MetadataStorageException">Some buffered writes or audit entries could not be made durable; they stay in memory and are retried on the next flush.</exception>
    public void Flush() => SyncOverAsync.Run(FlushAsync());

    /// <inheritdoc cref="Flush"/>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => _core.FlushAsync(cancellationToken);

    /// <summary>Counters and sizes: writes, write and read latency (mean, p95), records, bytes on disk.</summary>
    public StoragePerformanceMetrics GetPerformanceMetrics() => SyncOverAsync.Run(GetPerformanceMetricsAsync());

    /// <inheritdoc cref="GetPerformanceMetrics"/>
    public ValueTask<StoragePerformanceMetrics> GetPerformanceMetricsAsync(CancellationToken cancellationToken = default) =>
        _core.GetPerformanceMetricsAsync(cancellationToken);

    /// <summary>Stops automatic cleanup (waiting for a run in progress), flushes writes and audit entries, and closes the store. Idempotent.</summary>
    /// <exception cref="MetadataStorageException">Buffered writes or audit entries could not be made durable.</exception>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync() => _core.CloseAsync(_autoCleanup);

    private void ThrowIfDisposed() => _core.ThrowIfDisposed();

    /// <summary>The store core, for tests that drive it below the facade.</summary>
    internal StoreCore Core => _core;

    /// <summary>The retention service, for tests that hook into a cleanup run.</summary>
    internal RetentionService Retention => _retention;
}
