using System.Collections.Frozen;
using Ciaf.Metadata.Storage;
using K = Ciaf.Metadata.Configuration.MetadataConfigKeys;

namespace Ciaf.Metadata.Configuration;

/// <summary>The table of known settings, in the order they are saved (the reference's order, then ours).</summary>
internal static class SettingDefinitions
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Millisecond = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    /// <summary>The default personal-data key names (compared case-insensitively by the storage facade).</summary>
    internal static readonly string[] DefaultSensitiveFields =
    [
        "ssn", "social_security_number", "national_id", "passport_number", "drivers_license", "tax_id",
        "email", "email_address", "phone", "phone_number", "date_of_birth", "dob",
        "address", "home_address", "full_name", "first_name", "last_name",
        "credit_card", "credit_card_number", "card_number", "cvv", "iban", "bank_account", "account_number",
        "medical_record_number", "patient_id", "ip_address",
        "password", "secret", "api_key", "access_token",
    ];

    /// <summary>Every known setting.</summary>
    public static readonly IReadOnlyList<SettingDefinition> All =
    [
        // Storage
        new(K.StorageBackend, SettingKind.String, "json", "Backend name: json, sqlite, pickle, postgresql or remote (any registered backend).") { EnvironmentVariable = "CIAF_STORAGE_BACKEND" },
        new(K.StoragePath, SettingKind.String, "ciaf_metadata", "Root folder of the store (relative paths resolve against the current directory).") { EnvironmentVariable = "CIAF_STORAGE_PATH" },
        new(K.EnableCompression, SettingKind.Boolean, false, "Store records whose metadata JSON is larger than compression_threshold_bytes compressed (zstd), transparently (docs/compression.md).") { EnvironmentVariable = "CIAF_ENABLE_COMPRESSION" },
        new(K.MaxFileSizeMb, SettingKind.Integer, 100L, "The reference's per-file size hint in MB.") { ReferenceOnly = true },

        // Performance
        new(K.EnableLazyMaterialization, SettingKind.Boolean, true, "The reference's lazy audit-trail switch.") { ReferenceOnly = true },
        new(K.BatchSize, SettingKind.Integer, 100L, "Records per batch written by the buffered writer; when more are already queued, records hashed at save (the fast lane) are committed up to ten batches at a time (one transaction).") { EnvironmentVariable = "CIAF_BATCH_SIZE" },
        new(K.AsyncWrites, SettingKind.Boolean, true, "true: buffered writes (flushed in batches, on Flush and on dispose); false: every save is durable when it returns.") { EnvironmentVariable = "CIAF_ASYNC_WRITES" },
        new(K.CacheSize, SettingKind.Integer, 10000L, "The reference's in-memory read-cache size (here a get reads one file or row; there is no cache to size).") { EnvironmentVariable = "CIAF_CACHE_SIZE", ReferenceOnly = true },
        new(K.DeferValidation, SettingKind.Boolean, true, "The reference's switch to skip validation during training.") { ReferenceOnly = true },
        new(K.FastInferenceMode, SettingKind.Boolean, true, "The reference's inference optimisation switch.") { ReferenceOnly = true },
        new(K.MemoryBufferSize, SettingKind.Integer, 50L, "The reference's in-memory operation buffer size.") { ReferenceOnly = true },

        // Deferred LCM (the reference's lightweight-receipt queue)
        new(K.EnableDeferredLcm, SettingKind.Boolean, true, "The reference's deferred LCM processing switch.") { ReferenceOnly = true },
        new(K.DefaultLcmMode, SettingKind.String, "adaptive", "The reference's LCM mode: immediate, deferred or adaptive.") { ReferenceOnly = true },
        new(K.LcmBatchSize, SettingKind.Integer, 50L, "The reference's LCM receipts per batch.") { ReferenceOnly = true },
        new(K.LcmProcessingInterval, SettingKind.Number, 2.0, "The reference's seconds between LCM batches.") { ReferenceOnly = true, Unit = Second },
        new(K.LcmQueueMaxSize, SettingKind.Integer, 10000L, "The reference's LCM queue capacity.") { ReferenceOnly = true },
        new(K.LcmImmediateThresholdMs, SettingKind.Number, 50.0, "The reference's adaptive-mode latency threshold (ms).") { ReferenceOnly = true, Unit = Millisecond },
        new(K.LcmCpuThresholdPercent, SettingKind.Number, 80.0, "The reference's adaptive-mode CPU threshold (%).") { ReferenceOnly = true },
        new(K.LcmMemoryThresholdMb, SettingKind.Number, 500.0, "The reference's adaptive-mode memory threshold (MB).") { ReferenceOnly = true },
        new(K.LcmEnablePersistence, SettingKind.Boolean, true, "The reference's switch to persist the LCM queue on shutdown.") { ReferenceOnly = true },
        new(K.LcmStorageDir, SettingKind.String, "deferred_lcm_storage", "The reference's LCM storage folder.") { ReferenceOnly = true },
        new(K.LcmAuditBatchFormat, SettingKind.String, "json", "The reference's LCM audit batch file format.") { ReferenceOnly = true },

        // Database
        new(K.DbConnectionTimeout, SettingKind.Integer, 30L, "Seconds a database backend waits for a lock or a connection before failing.") { EnvironmentVariable = "CIAF_DB_TIMEOUT", Unit = Second },
        new(K.DbJournalMode, SettingKind.String, "WAL", "SQLite journal mode: WAL, DELETE, TRUNCATE, PERSIST, MEMORY or OFF.") { },
        new(K.DbCacheSize, SettingKind.Integer, 10000L, "The reference's SQLite page-cache hint.") { ReferenceOnly = true },
        new(K.DbConnectionPoolSize, SettingKind.Integer, 5L, "The reference's connection pool size.") { ReferenceOnly = true },

        // Retention
        new(K.MetadataRetentionDays, SettingKind.Integer, 365L, "Days metadata records are kept by cleanup.") { EnvironmentVariable = "CIAF_RETENTION_DAYS", Unit = Day, MaxInteger = MetadataStorageOptions.MaxRetentionDays },
        new(K.ComplianceRetentionDays, SettingKind.Integer, 2555L, "Days compliance records are kept (7 years); at least metadata_retention_days.") { EnvironmentVariable = "CIAF_COMPLIANCE_RETENTION", Unit = Day, MaxInteger = MetadataStorageOptions.MaxRetentionDays },
        new(K.AutoCleanupEnabled, SettingKind.Boolean, false, "Remove expired records automatically on cleanup_schedule.") { EnvironmentVariable = "CIAF_AUTO_CLEANUP" },
        new(K.CleanupSchedule, SettingKind.String, "weekly", "How often automatic cleanup runs: hourly, daily, weekly or monthly.") { },
        new(K.AiActHighRisk, SettingKind.Boolean, false, "The store records a high-risk AI system (EU AI Act): cleanup keeps logs at least 183 days (Arts. 19, 26(6)) and documentation-stage records at least 10 years (Art. 18).") { EnvironmentVariable = "CIAF_AI_ACT_HIGH_RISK" },

        // Export
        new(K.DefaultExportFormat, SettingKind.String, "json", "Export format ciaf export uses when --format is not given: json, jsonl, csv, xml, parquet or openlineage.") { },
        new(K.ExportBatchSize, SettingKind.Integer, 1000L, "Records read per batch while exporting.") { },
        new(K.IncludeMetadataHash, SettingKind.Boolean, true, "Include each record's metadata_hash in exports.") { },

        // Security
        new(K.EncryptSensitiveData, SettingKind.Boolean, false, "Encrypt the values of sensitive_fields (AES-GCM); requires encryption_key_path.") { EnvironmentVariable = "CIAF_ENCRYPT_DATA" },
        new(K.EncryptionKeyPath, SettingKind.NullableString, null, "Path of the key file used when encrypt_sensitive_data is on.") { EnvironmentVariable = "CIAF_ENCRYPTION_KEY" },
        new(K.AuditAllAccess, SettingKind.Boolean, true, "Record an audit entry for every read and write.") { EnvironmentVariable = "CIAF_AUDIT_ACCESS" },

        // Compliance
        new(K.ComplianceFrameworks, SettingKind.StringList, new[] { "GDPR", "FDA", "EEOC", "FCRA", "HIPAA", "ISO_13485" }, "Compliance frameworks enabled.") { },
        new(K.RequiredMetadataFields, SettingKind.StringList, new[] { "model_name", "stage", "event_type", "timestamp" }, "The reference's list of fields every record must carry (always true here: every record has them).") { ReferenceOnly = true },
        new(K.ComplianceScoreThreshold, SettingKind.Number, 0.8, "Score at or above which a compliance check passes, in [0, 1].") { },

        // Monitoring
        new(K.EnableMetrics, SettingKind.Boolean, true, "Export the library's metrics and traces to metrics_endpoint (ciaf; the library always publishes them through System.Diagnostics).") { EnvironmentVariable = "CIAF_ENABLE_METRICS" },
        new(K.MetricsEndpoint, SettingKind.NullableString, null, "OTLP/HTTP collector base URL (e.g. http://localhost:4318) that ciaf exports metrics and traces to, or null.") { EnvironmentVariable = "CIAF_METRICS_ENDPOINT" },
        new(K.AlertOnComplianceFailure, SettingKind.Boolean, true, "Raise an alert when a compliance assessment fails.") { },
        new(K.AlertWebhookUrl, SettingKind.NullableString, null, "An http/https URL failed assessments are POSTed to, or null.") { EnvironmentVariable = "CIAF_ALERT_WEBHOOK" },

        // This library's additions
        new(K.MaxMetadataBytes, SettingKind.Integer, 16L * 1024 * 1024, "Largest serialized metadata accepted per record, in bytes (16 MiB); at least 1024.") { EnvironmentVariable = "CIAF_MAX_METADATA_BYTES", MaxInteger = long.MaxValue },
        new(K.CompressionThresholdBytes, SettingKind.Integer, 65536L, "With compression on, metadata whose compact JSON is larger than this many bytes is stored compressed; smaller stays plain (0 compresses all).") { MaxInteger = long.MaxValue },
        new(K.SensitiveFields, SettingKind.StringList, DefaultSensitiveFields, "Metadata keys holding personal data or secrets, encrypted when encrypt_sensitive_data is on.") { },
        new(K.SubjectFields, SettingKind.StringList, Array.Empty<string>(), "Metadata paths (dot-separated) naming the data subject a record is about: its sensitive values are sealed with that subject's own key, which `ciaf erase --subject` destroys.") { },
        new(K.UserId, SettingKind.NullableString, null, "The user recorded in audit entries; null = the operating-system user.") { EnvironmentVariable = "CIAF_USER" },
        new(K.PostgresConnectionString, SettingKind.NullableString, null, "Npgsql connection string; required when storage_backend is postgresql.") { EnvironmentVariable = "CIAF_POSTGRES_CONNECTION", Secret = true },
        new(K.ServerUrl, SettingKind.NullableString, null, "The server a remote store lives on (storage_backend remote): the URL of a ciaf serve, https:// unless on this machine (docs/backends.md).") { EnvironmentVariable = "CIAF_SERVER_URL" },
        new(K.ApiKey, SettingKind.NullableString, null, "The API key the remote backend sends (X-API-Key); a secret: keep it in CIAF_API_KEY, not in shared files.") { EnvironmentVariable = "CIAF_API_KEY", Secret = true },
        new(K.LedgerEnabled, SettingKind.Boolean, true, "Append every write to the store's tamper-evident log (docs/ledger.md).") { EnvironmentVariable = "CIAF_LEDGER" },
        new(K.LedgerKeyPath, SettingKind.NullableString, null, "Private key (PEM, from ciaf ledger key create) checkpoints are signed with; null = no signed checkpoints.") { EnvironmentVariable = "CIAF_LEDGER_KEY_PATH" },
        new(K.LedgerOrigin, SettingKind.NullableString, null, "The log's name in its checkpoints; null = derived from the store's path or database.") { },
        new(K.LedgerCheckpointLeaves, SettingKind.Integer, 10000L, "Sign a checkpoint (with ledger_key_path) once this many leaves were appended since the last.") { MaxInteger = int.MaxValue },
        new(K.LedgerCheckpointSeconds, SettingKind.Integer, 300L, "Sign a checkpoint (with ledger_key_path) once this many seconds passed since the last, if leaves were appended.") { Unit = Second, MaxInteger = int.MaxValue },
        new(K.LedgerWitnessPath, SettingKind.NullableString, null, "A folder every signed checkpoint is also copied to (one the writers cannot rewrite), or null.") { EnvironmentVariable = "CIAF_LEDGER_WITNESS_PATH" },
        new(K.OpenLineageUrl, SettingKind.NullableString, null, "An http/https URL every pipeline step's OpenLineage events are POSTed to (e.g. http://localhost:5000/api/v1/lineage), or null.") { EnvironmentVariable = "CIAF_OPENLINEAGE_URL" },
        new(K.OpenLineageApiKey, SettingKind.NullableString, null, "API key sent as Authorization: Bearer with every OpenLineage POST, or null; keep it in the environment variable.") { EnvironmentVariable = "CIAF_OPENLINEAGE_API_KEY", Secret = true },
        new(K.OpenLineageFile, SettingKind.NullableString, null, "A file every pipeline step's OpenLineage events are appended to as JSON lines, or null.") { EnvironmentVariable = "CIAF_OPENLINEAGE_FILE" },
        new(K.OpenLineageNamespace, SettingKind.String, "ciaf", "The namespace of the jobs in OpenLineage events (live and exported).") { EnvironmentVariable = "CIAF_OPENLINEAGE_NAMESPACE" },
        new(K.ServerUrls, SettingKind.StringList, new[] { "http://127.0.0.1:5080" }, "The URLs ciaf serve listens on (Kestrel's own configuration, e.g. for TLS certificates, wins; docs/server.md).") { EnvironmentVariable = "CIAF_SERVER_URLS" },
        new(K.ServerMaxRequestBodyBytes, SettingKind.Integer, 0L, "The largest request body the server accepts, in bytes (413 past it); 0 = max_metadata_bytes + 64 KiB.") { MaxInteger = long.MaxValue },
        new(K.ServerRateLimitRequests, SettingKind.Integer, 6000L, "Requests one identity (API key, token subject, or client address) may make to the server per window; 0 = no limit (429 past it).") { EnvironmentVariable = "CIAF_SERVER_RATE_LIMIT" },
        new(K.ServerRateLimitWindowSeconds, SettingKind.Integer, 60L, "The server's rate-limit window, in seconds (1 to 86400).") { Unit = Second, MaxInteger = 86400 },
        new(K.ServerJwtAuthority, SettingKind.NullableString, null, "OIDC authority (issuer URL) whose bearer tokens the server accepts; null = no bearer tokens unless server_jwt_signing_key_path is set.") { EnvironmentVariable = "CIAF_SERVER_JWT_AUTHORITY" },
        new(K.ServerJwtAudience, SettingKind.NullableString, null, "The audience bearer tokens must be issued for (required with tokens on).") { EnvironmentVariable = "CIAF_SERVER_JWT_AUDIENCE" },
        new(K.ServerJwtIssuer, SettingKind.NullableString, null, "The issuer bearer tokens must name; null = the authority's.") { },
        new(K.ServerJwtSigningKeyPath, SettingKind.NullableString, null, "A PEM public key (RSA or EC) bearer tokens are verified with, instead of the authority's discovery (for providers the server cannot reach).") { },
        new(K.ServerJwtRoleClaim, SettingKind.String, "roles", "The token claim holding the CIAF roles (reader, writer, auditor, admin).") { },
        new(K.ServerJwtNameClaim, SettingKind.String, "sub", "The token claim naming the user in the audit trail (oidc:<value>).") { },
        new(K.ServerCorsOrigins, SettingKind.StringList, Array.Empty<string>(), "Browser origins (scheme://host[:port]) allowed to call the server's API; empty = CORS off.") { },
        new(K.ServerOidcClientId, SettingKind.NullableString, null, "The dashboard's OIDC client id at server_jwt_authority; set to offer \"Sign in with OIDC\" (authorization code flow with PKCE).") { EnvironmentVariable = "CIAF_SERVER_OIDC_CLIENT_ID" },
        new(K.ServerOidcClientSecret, SettingKind.NullableString, null, "The dashboard's OIDC client secret (a confidential client); null = a public client (PKCE only). Prefer the environment variable.") { EnvironmentVariable = "CIAF_SERVER_OIDC_CLIENT_SECRET", Secret = true },
        new(K.ServerOidcScopes, SettingKind.StringList, new[] { "profile" }, "Scopes the dashboard's OIDC sign-in asks for besides openid (add the one that puts server_jwt_role_claim in the ID token, if your provider needs one).") { },
        new(K.ServerForwardedHeaders, SettingKind.Boolean, false, "Behind a reverse proxy that terminates TLS: read X-Forwarded-For and X-Forwarded-Proto from server_known_proxies (client address, https for Secure cookies); off = ignore them.") { EnvironmentVariable = "CIAF_SERVER_FORWARDED_HEADERS" },
        new(K.ServerKnownProxies, SettingKind.StringList, Array.Empty<string>(), "The reverse proxies (IP addresses or CIDR networks, e.g. 10.0.0.5, 10.0.0.0/8) whose forwarded headers the server believes; empty = loopback only.") { EnvironmentVariable = "CIAF_SERVER_KNOWN_PROXIES" },
        new(K.ServerDataProtectionKeysPath, SettingKind.NullableString, null, "A folder for the key ring that protects dashboard sessions and anti-forgery tokens (shared by every server instance that uses it); null = the store's own state, shared by every instance of the store.") { EnvironmentVariable = "CIAF_SERVER_DATA_PROTECTION_KEYS_PATH" },
        new(K.FlushIntervalMs, SettingKind.Integer, 200L, "Not used: the buffered writer writes a partial batch as soon as it is queued; accepted so older files load.") { Unit = Millisecond, ReferenceOnly = true },
    ];

    /// <summary>Known settings by key (ordinal, case-sensitive as in the reference).</summary>
    public static readonly FrozenDictionary<string, SettingDefinition> ByKey =
        All.ToFrozenDictionary(d => d.Key, StringComparer.Ordinal);

    /// <summary>Known settings by a loose form of the key (case and '_' ignored), for "did you mean" and IConfiguration keys.</summary>
    public static readonly FrozenDictionary<string, SettingDefinition> ByLooseKey =
        All.ToFrozenDictionary(d => Loose(d.Key), StringComparer.Ordinal);

    /// <summary>Environment variable name → setting.</summary>
    public static readonly IReadOnlyList<SettingDefinition> WithEnvironmentVariable =
        [.. All.Where(d => d.EnvironmentVariable is not null)];

    /// <summary>The key lowercased with '_' , '-' and '.' removed.</summary>
    public static string Loose(string key) =>
        string.Concat(key.Where(c => c is not ('_' or '-' or '.'))).ToLowerInvariant();

    /// <summary>Finds a known setting whose loose key matches, for unknown-key hints.</summary>
    public static SettingDefinition? FindSimilar(string key) =>
        ByLooseKey.TryGetValue(Loose(key), out var d) && d.Key != key ? d : null;
}
