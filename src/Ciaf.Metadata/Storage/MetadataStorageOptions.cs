using Ciaf.Metadata.Configuration;
using Ciaf.Metadata.Interop.OpenLineage;
using Ciaf.Metadata.Retention;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ciaf.Metadata.Storage;

/// <summary>Everything <see cref="MetadataStorage"/> needs to open a store. Validated once, at construction.</summary>
public sealed class MetadataStorageOptions
{
    /// <summary>Default store folder (<c>ciaf_metadata</c>, relative to the current directory).</summary>
    public const string DefaultStoragePath = "ciaf_metadata";
    /// <summary>Default backend (<c>json</c>).</summary>
    public const string DefaultBackend = "json";
    /// <summary>Default batch size for buffered writes (100).</summary>
    public const int DefaultBatchSize = 100;
    /// <summary>Default number of rows per Parquet row group and per import or migration batch (1000).</summary>
    public const int DefaultExportBatchSize = 1000;
    /// <summary>Default limit on one record's serialized metadata (16 MiB).</summary>
    public const long DefaultMaxMetadataBytes = 16L * 1024 * 1024;
    /// <summary>Default size above which metadata is stored compressed, when compression is on (64 KiB).</summary>
    public const long DefaultCompressionThresholdBytes = 64L * 1024;
    /// <summary>
    /// The longest retention, in days (365,000: 1,000 years), for <see cref="MetadataRetentionDays"/>,
    /// <see cref="ComplianceRetentionDays"/> and a cleanup's age. Far beyond any legal retention period (use a legal
    /// hold to keep something indefinitely), and well inside what a cut-off date (now minus the days) can represent.
    /// </summary>
    public const int MaxRetentionDays = 365_000;

    /// <summary>The store folder.</summary>
    public string StoragePath { get; set; } = DefaultStoragePath;
    /// <summary>The backend name (see <see cref="MetadataBackends.Names"/>).</summary>
    public string Backend { get; set; } = DefaultBackend;
    /// <summary>A connection string for server backends.</summary>
    public string? ConnectionString { get; set; }
    /// <summary>
    /// The remote backend's server (config <c>server_url</c> / <c>CIAF_SERVER_URL</c>): the URL of a <c>ciaf serve</c>,
    /// <c>https://</c> unless the server is on this machine. Read when the backend is <c>remote</c>.
    /// </summary>
    public string? ServerUrl { get; set; }
    /// <summary>
    /// The API key the remote backend sends (config <c>api_key</c> / <c>CIAF_API_KEY</c>). A secret: never logged and
    /// never part of an error message. Read when the backend is <c>remote</c>.
    /// </summary>
    public string? ApiKey { get; set; }
    /// <summary>Immediate (durable on return) or buffered (batched in the background).</summary>
    public WriteMode WriteMode { get; set; } = WriteMode.Immediate;
    /// <summary>Records per background batch (buffered mode).</summary>
    public int BatchSize { get; set; } = DefaultBatchSize;
    /// <summary>How many records the buffered queue holds before a save waits (backpressure); default 10 × <see cref="BatchSize"/>, at least 1000.</summary>
    public int? QueueCapacity { get; set; }
    /// <summary>Rows per Parquet row group and records per import or migration batch (config <c>export_batch_size</c>).</summary>
    public int ExportBatchSize { get; set; } = DefaultExportBatchSize;
    /// <summary>The largest serialized metadata accepted, in bytes.</summary>
    public long MaxMetadataBytes { get; set; } = DefaultMaxMetadataBytes;
    /// <summary>
    /// Store records whose serialized metadata is larger than <see cref="CompressionThresholdBytes"/> compressed
    /// (zstd; config <c>enable_compression</c>). Off by default. Transparent: every call returns the same with it on
    /// or off, and stores written either way read the same. See <c>docs/compression.md</c> for the formats.
    /// </summary>
    public bool EnableCompression { get; set; }
    /// <summary>
    /// With <see cref="EnableCompression"/>, metadata whose compact JSON (<c>json.dumps(metadata)</c>) is larger than this
    /// many bytes is stored compressed; smaller metadata stays plain, readable by SQL and the reference
    /// (config <c>compression_threshold_bytes</c>, default 64 KiB; 0 compresses every record).
    /// </summary>
    public long CompressionThresholdBytes { get; set; } = DefaultCompressionThresholdBytes;
    /// <summary>Retention for ordinary records, in days (config <c>metadata_retention_days</c>).</summary>
    public int MetadataRetentionDays { get; set; } = 365;
    /// <summary>Retention for the compliance stage and compliance events, in days (config <c>compliance_retention_days</c>).</summary>
    public int ComplianceRetentionDays { get; set; } = 2555;
    /// <summary>
    /// Whether the store records a high-risk AI system under the EU AI Act (config <c>ai_act_high_risk</c>, default off).
    /// When on, cleanup never removes logs younger than 183 days (Arts. 19(1), 26(6)) nor documentation younger than
    /// 10 years (Art. 18(1)), whatever the retention settings or a cleanup's age say; see <see cref="AiActRetention"/>.
    /// </summary>
    public bool AiActHighRisk { get; set; }
    /// <summary>How long a database waits on a lock.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>SQLite's journal mode when the backend is chosen by name (config <c>db_journal_mode</c>); see <see cref="Backends.Sqlite.SqliteBackendOptions"/>.</summary>
    public string JournalMode { get; set; } = "WAL";
    /// <summary>How often a failed background batch is retried before it is reported (buffered mode).</summary>
    public int WriteRetries { get; set; } = 3;
    /// <summary>
    /// Whether every save, read, query, export, import, delete and cleanup writes an entry to the audit
    /// trail (config <c>audit_all_access</c>, whose default is <c>true</c>; <c>false</c> here). Removals by
    /// cleanup and legal-hold changes are audited whatever this says.
    /// </summary>
    public bool AuditAllAccess { get; set; }
    /// <summary>
    /// The user written in audit entries and legal holds. <c>null</c> (default): config <c>user_id</c> when built
    /// by <see cref="FromConfig"/>, else the <c>CIAF_USER</c> environment variable, else <see cref="Environment.UserName"/>.
    /// </summary>
    public string? UserId { get; set; }
    /// <summary>
    /// Whether the values of <see cref="SensitiveFields"/> are stored encrypted (AES-256-GCM); requires
    /// <see cref="EncryptionKey"/> or <see cref="EncryptionKeyPath"/> (config <c>encrypt_sensitive_data</c>).
    /// </summary>
    public bool EncryptSensitiveData { get; set; }
    /// <summary>
    /// The 32-byte AES-256 key. Wins over <see cref="EncryptionKeyPath"/>. A key (from either) is used to
    /// decrypt on read even when <see cref="EncryptSensitiveData"/> is off; without one, encrypted values
    /// are returned as their marker objects.
    /// </summary>
    public byte[]? EncryptionKey { get; set; }
    /// <summary>
    /// The key file (config <c>encryption_key_path</c> / <c>CIAF_ENCRYPTION_KEY</c>): 32 raw bytes, or their
    /// base64 or hex text (see <see cref="Encryption.MetadataEncryption.LoadKey"/>).
    /// </summary>
    public string? EncryptionKeyPath { get; set; }
    /// <summary>
    /// The metadata keys whose values are encrypted, matched at any depth and without case (config
    /// <c>sensitive_fields</c>; default: a list of personal-data and secret names such as <c>ssn</c>,
    /// <c>email</c>, <c>api_key</c>).
    /// </summary>
    public IList<string> SensitiveFields { get; set; } = [.. SettingDefinitions.DefaultSensitiveFields];
    /// <summary>
    /// Metadata paths (dot-separated, e.g. <c>applicant.id</c>) naming the data subject a record is about (config
    /// <c>subject_fields</c>; default none). The first that holds a string or number names the subject; the record's
    /// sensitive values are then sealed with that subject's own key, which <c>EraseSubject</c> destroys
    /// (crypto-shredding). Requires <see cref="EncryptSensitiveData"/>.
    /// </summary>
    public IList<string> SubjectFields { get; set; } = [];
    /// <summary>Whether cleanup runs in the background on <see cref="CleanupSchedule"/> (config <c>auto_cleanup_enabled</c>).</summary>
    public bool AutoCleanup { get; set; }
    /// <summary>How often automatic cleanup runs (config <c>cleanup_schedule</c>); the first run is one period after opening.</summary>
    public CleanupSchedule CleanupSchedule { get; set; } = CleanupSchedule.Weekly;
    /// <summary>Whether every write appends a leaf to the store's ledger (config <c>ledger_enabled</c>, default on; docs/ledger.md).</summary>
    public bool LedgerEnabled { get; set; } = true;
    /// <summary>The private key checkpoints are signed with (config <c>ledger_key_path</c>); <c>null</c>: no signed checkpoints.</summary>
    public string? LedgerKeyPath { get; set; }
    /// <summary>The log's name in its checkpoints (config <c>ledger_origin</c>); <c>null</c>: derived from the store.</summary>
    public string? LedgerOrigin { get; set; }
    /// <summary>Sign a checkpoint once this many leaves were appended since the last (config <c>ledger_checkpoint_leaves</c>).</summary>
    public int LedgerCheckpointLeaves { get; set; } = 10_000;
    /// <summary>Sign a checkpoint once this long passed since the last, if leaves were appended (config <c>ledger_checkpoint_seconds</c>).</summary>
    public TimeSpan LedgerCheckpointInterval { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>A folder every signed checkpoint is also copied to (config <c>ledger_witness_path</c>), or <c>null</c>.</summary>
    public string? LedgerWitnessPath { get; set; }
    /// <summary>The logger factory; nothing is logged by default.</summary>
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;

    /// <summary>
    /// Where the store sends OpenLineage events of its pipeline steps (docs/interop.md); null or no destination: none.
    /// Config: <c>openlineage_url</c>, <c>openlineage_api_key</c>, <c>openlineage_file</c>, <c>openlineage_namespace</c>.
    /// Its namespace and producer are also those of <c>openlineage</c> exports.
    /// </summary>
    public OpenLineageOptions? OpenLineage { get; set; }
    /// <summary>The clock (tests may substitute one).</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// The options a <see cref="MetadataConfig"/> describes: <c>storage_backend</c>, <c>storage_path</c>,
    /// <c>async_writes</c> (buffered when true), <c>batch_size</c>, <c>export_batch_size</c>, <c>max_metadata_bytes</c>, <c>enable_compression</c>, <c>compression_threshold_bytes</c>,
    /// <c>metadata_retention_days</c>, <c>compliance_retention_days</c>, <c>ai_act_high_risk</c>, <c>db_connection_timeout</c>,
    /// <c>db_journal_mode</c>, <c>postgres_connection_string</c>, <c>server_url</c>, <c>api_key</c>, <c>audit_all_access</c>, <c>user_id</c>,
    /// <c>encrypt_sensitive_data</c>, <c>encryption_key_path</c>, <c>sensitive_fields</c>, <c>auto_cleanup_enabled</c>
    /// and <c>cleanup_schedule</c>.
    /// </summary>
    /// <exception cref="MetadataConfigException">The configuration is invalid; the message lists every error.</exception>
    public static MetadataStorageOptions FromConfig(MetadataConfig config, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.ThrowIfInvalid();
        return new MetadataStorageOptions
        {
            Backend = config.Get<string>(MetadataConfigKeys.StorageBackend),
            StoragePath = config.Get<string>(MetadataConfigKeys.StoragePath),
            ConnectionString = config.Get<string?>(MetadataConfigKeys.PostgresConnectionString),
            ServerUrl = config.Get<string?>(MetadataConfigKeys.ServerUrl),
            ApiKey = config.Get<string?>(MetadataConfigKeys.ApiKey),
            WriteMode = config.Get<bool>(MetadataConfigKeys.AsyncWrites) ? WriteMode.Buffered : WriteMode.Immediate,
            BatchSize = config.Get<int>(MetadataConfigKeys.BatchSize),
            ExportBatchSize = config.Get<int>(MetadataConfigKeys.ExportBatchSize),
            MaxMetadataBytes = config.Get<long>(MetadataConfigKeys.MaxMetadataBytes),
            EnableCompression = config.Get<bool>(MetadataConfigKeys.EnableCompression),
            CompressionThresholdBytes = config.Get<long>(MetadataConfigKeys.CompressionThresholdBytes),
            MetadataRetentionDays = config.Get<int>(MetadataConfigKeys.MetadataRetentionDays),
            ComplianceRetentionDays = config.Get<int>(MetadataConfigKeys.ComplianceRetentionDays),
            AiActHighRisk = config.Get<bool>(MetadataConfigKeys.AiActHighRisk),
            BusyTimeout = TimeSpan.FromSeconds(config.Get<double>(MetadataConfigKeys.DbConnectionTimeout)),
            JournalMode = config.Get<string>(MetadataConfigKeys.DbJournalMode),
            AuditAllAccess = config.Get<bool>(MetadataConfigKeys.AuditAllAccess),
            UserId = config.Get<string?>(MetadataConfigKeys.UserId),
            EncryptSensitiveData = config.Get<bool>(MetadataConfigKeys.EncryptSensitiveData),
            EncryptionKeyPath = config.Get<string?>(MetadataConfigKeys.EncryptionKeyPath),
            SensitiveFields = [.. config.Get<IReadOnlyList<string>>(MetadataConfigKeys.SensitiveFields)],
            SubjectFields = [.. config.Get<IReadOnlyList<string>>(MetadataConfigKeys.SubjectFields)],
            AutoCleanup = config.Get<bool>(MetadataConfigKeys.AutoCleanupEnabled),
            CleanupSchedule = Enum.Parse<CleanupSchedule>(config.Get<string>(MetadataConfigKeys.CleanupSchedule), ignoreCase: true),
            LedgerEnabled = config.Get<bool>(MetadataConfigKeys.LedgerEnabled),
            LedgerKeyPath = config.Get<string?>(MetadataConfigKeys.LedgerKeyPath),
            LedgerOrigin = config.Get<string?>(MetadataConfigKeys.LedgerOrigin),
            LedgerCheckpointLeaves = config.Get<int>(MetadataConfigKeys.LedgerCheckpointLeaves),
            LedgerCheckpointInterval = TimeSpan.FromSeconds(config.Get<long>(MetadataConfigKeys.LedgerCheckpointSeconds)),
            LedgerWitnessPath = config.Get<string?>(MetadataConfigKeys.LedgerWitnessPath),
            LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance,
            OpenLineage = OpenLineageOptions.FromConfig(config),
        };
    }

    /// <summary>Every problem with these options, keyed by option name; empty when valid.</summary>
    public IReadOnlyDictionary<string, string> Validate()
    {
        var errors = ValidateCommon();
        if (!MetadataBackends.IsRegistered(Backend))
            errors[nameof(Backend)] = $"'{Backend}' is not a known backend; valid: {string.Join(", ", MetadataBackends.Names)}";
        return errors;
    }

    /// <summary>Every problem with the options that do not depend on how the backend is chosen.</summary>
    internal Dictionary<string, string> ValidateCommon()
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(StoragePath)) errors[nameof(StoragePath)] = "must not be empty";
        if (BatchSize < 1) errors[nameof(BatchSize)] = $"{BatchSize} is not allowed; must be at least 1";
        if (ExportBatchSize < 1) errors[nameof(ExportBatchSize)] = $"{ExportBatchSize} is not allowed; must be at least 1";
        if (QueueCapacity is < 1) errors[nameof(QueueCapacity)] = $"{QueueCapacity} is not allowed; must be at least 1";
        if (MaxMetadataBytes < 1024) errors[nameof(MaxMetadataBytes)] = $"{MaxMetadataBytes} is not allowed; must be at least 1024";
        if (CompressionThresholdBytes < 0) errors[nameof(CompressionThresholdBytes)] = $"{CompressionThresholdBytes} is not allowed; must be zero or more";
        if (MetadataRetentionDays is < 1 or > MaxRetentionDays)
            errors[nameof(MetadataRetentionDays)] = $"{MetadataRetentionDays} is not allowed; must be between 1 and {MaxRetentionDays}";
        if (ComplianceRetentionDays > MaxRetentionDays)
            errors[nameof(ComplianceRetentionDays)] = $"{ComplianceRetentionDays} is not allowed; must be at most {MaxRetentionDays}";
        else if (ComplianceRetentionDays < MetadataRetentionDays)
            errors[nameof(ComplianceRetentionDays)] = $"{ComplianceRetentionDays} is less than MetadataRetentionDays ({MetadataRetentionDays})";
        if (BusyTimeout <= TimeSpan.Zero) errors[nameof(BusyTimeout)] = "must be positive";
        if (WriteRetries < 0) errors[nameof(WriteRetries)] = "must not be negative";
        if (EncryptionKey is { Length: not 32 })
            errors[nameof(EncryptionKey)] = $"is {EncryptionKey.Length} bytes; an AES-256 key is exactly 32 bytes";
        if (EncryptSensitiveData && EncryptionKey is null && string.IsNullOrWhiteSpace(EncryptionKeyPath))
            errors[nameof(EncryptionKeyPath)] = "is required when EncryptSensitiveData is on (or set EncryptionKey; config encryption_key_path / CIAF_ENCRYPTION_KEY)";
        if (SensitiveFields is null || SensitiveFields.Any(string.IsNullOrWhiteSpace))
            errors[nameof(SensitiveFields)] = "must be a list of non-empty key names";
        if (SubjectFields is null || SubjectFields.Any(p => string.IsNullOrWhiteSpace(p) || p.Split('.').Any(string.IsNullOrWhiteSpace)))
            errors[nameof(SubjectFields)] = "must be a list of dot-separated metadata paths with no empty segment (e.g. applicant.id)";
        else if (SubjectFields.Count > 0 && !EncryptSensitiveData)
            errors[nameof(SubjectFields)] = "needs EncryptSensitiveData on: a subject's values are erased by destroying the key they are encrypted with";
        if (LedgerCheckpointLeaves < 1) errors[nameof(LedgerCheckpointLeaves)] = $"{LedgerCheckpointLeaves} is not allowed; must be at least 1";
        if (LedgerCheckpointInterval <= TimeSpan.Zero) errors[nameof(LedgerCheckpointInterval)] = "must be positive";
        if (LedgerOrigin is not null && (LedgerOrigin.Length == 0 || LedgerOrigin.Any(c => char.IsControl(c) || char.IsWhiteSpace(c) || c == '+')))
            errors[nameof(LedgerOrigin)] = "must be one non-empty token: no spaces, control characters or '+' (a signed note's origin)";
        if (!Enum.IsDefined(CleanupSchedule)) errors[nameof(CleanupSchedule)] = $"{CleanupSchedule} is not allowed; valid: hourly, daily, weekly, monthly";
        foreach (var (key, message) in OpenLineage?.Validate() ?? new Dictionary<string, string>())
            errors[$"{nameof(OpenLineage)}.{key}"] = message;
        return errors;
    }
}
