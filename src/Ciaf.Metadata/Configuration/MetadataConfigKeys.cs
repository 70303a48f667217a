namespace Ciaf.Metadata.Configuration;

/// <summary>
/// The snake_case names of the known <see cref="MetadataConfig"/> settings, as written in the
/// reference's JSON configuration files. See <c>docs/configuration.md</c> for types, defaults and
/// environment variables.
/// </summary>
public static class MetadataConfigKeys
{
    // Storage
    /// <summary><c>storage_backend</c>: json, sqlite, pickle, postgresql or remote.</summary>
    public const string StorageBackend = "storage_backend";
    /// <summary><c>storage_path</c>: the store's root folder.</summary>
    public const string StoragePath = "storage_path";
    /// <summary><c>enable_compression</c>: compress stored metadata.</summary>
    public const string EnableCompression = "enable_compression";
    /// <summary><c>max_file_size_mb</c>: the reference's file size hint (not used by this library).</summary>
    public const string MaxFileSizeMb = "max_file_size_mb";

    // Performance
    /// <summary><c>batch_size</c>: records per batch in buffered mode.</summary>
    public const string BatchSize = "batch_size";
    /// <summary><c>async_writes</c>: buffered (true) or immediate, durable-on-return (false) writes.</summary>
    public const string AsyncWrites = "async_writes";
    /// <summary><c>cache_size</c>: records kept in the in-memory cache.</summary>
    public const string CacheSize = "cache_size";
    /// <summary><c>enable_lazy_materialization</c>: reference only.</summary>
    public const string EnableLazyMaterialization = "enable_lazy_materialization";
    /// <summary><c>defer_validation</c>: reference only.</summary>
    public const string DeferValidation = "defer_validation";
    /// <summary><c>fast_inference_mode</c>: reference only.</summary>
    public const string FastInferenceMode = "fast_inference_mode";
    /// <summary><c>memory_buffer_size</c>: reference only.</summary>
    public const string MemoryBufferSize = "memory_buffer_size";

    // Deferred LCM (reference only)
    /// <summary><c>enable_deferred_lcm</c>: reference only.</summary>
    public const string EnableDeferredLcm = "enable_deferred_lcm";
    /// <summary><c>default_lcm_mode</c>: reference only (immediate, deferred, adaptive).</summary>
    public const string DefaultLcmMode = "default_lcm_mode";
    /// <summary><c>lcm_batch_size</c>: reference only.</summary>
    public const string LcmBatchSize = "lcm_batch_size";
    /// <summary><c>lcm_processing_interval</c>: reference only (seconds).</summary>
    public const string LcmProcessingInterval = "lcm_processing_interval";
    /// <summary><c>lcm_queue_max_size</c>: reference only.</summary>
    public const string LcmQueueMaxSize = "lcm_queue_max_size";
    /// <summary><c>lcm_immediate_threshold_ms</c>: reference only.</summary>
    public const string LcmImmediateThresholdMs = "lcm_immediate_threshold_ms";
    /// <summary><c>lcm_cpu_threshold_percent</c>: reference only.</summary>
    public const string LcmCpuThresholdPercent = "lcm_cpu_threshold_percent";
    /// <summary><c>lcm_memory_threshold_mb</c>: reference only.</summary>
    public const string LcmMemoryThresholdMb = "lcm_memory_threshold_mb";
    /// <summary><c>lcm_enable_persistence</c>: reference only.</summary>
    public const string LcmEnablePersistence = "lcm_enable_persistence";
    /// <summary><c>lcm_storage_dir</c>: reference only.</summary>
    public const string LcmStorageDir = "lcm_storage_dir";
    /// <summary><c>lcm_audit_batch_format</c>: reference only.</summary>
    public const string LcmAuditBatchFormat = "lcm_audit_batch_format";

    // Database
    /// <summary><c>db_connection_timeout</c>: seconds a database backend waits on a lock.</summary>
    public const string DbConnectionTimeout = "db_connection_timeout";
    /// <summary><c>db_journal_mode</c>: SQLite journal mode.</summary>
    public const string DbJournalMode = "db_journal_mode";
    /// <summary><c>db_cache_size</c>: reference only (SQLite page cache hint).</summary>
    public const string DbCacheSize = "db_cache_size";
    /// <summary><c>db_connection_pool_size</c>: reference only.</summary>
    public const string DbConnectionPoolSize = "db_connection_pool_size";
    /// <summary><c>postgres_connection_string</c>: the PostgreSQL backend's connection string.</summary>
    public const string PostgresConnectionString = "postgres_connection_string";
    /// <summary><c>server_url</c>: the remote backend's server (a <c>ciaf serve</c> URL).</summary>
    public const string ServerUrl = "server_url";
    /// <summary><c>api_key</c>: the remote backend's API key (a secret: never logged, hidden by <c>ciaf config show</c>).</summary>
    public const string ApiKey = "api_key";

    // Retention
    /// <summary><c>metadata_retention_days</c>: days metadata records are kept.</summary>
    public const string MetadataRetentionDays = "metadata_retention_days";
    /// <summary><c>compliance_retention_days</c>: days compliance records are kept.</summary>
    public const string ComplianceRetentionDays = "compliance_retention_days";
    /// <summary><c>auto_cleanup_enabled</c>: remove expired records automatically.</summary>
    public const string AutoCleanupEnabled = "auto_cleanup_enabled";
    /// <summary><c>cleanup_schedule</c>: hourly, daily, weekly or monthly.</summary>
    public const string CleanupSchedule = "cleanup_schedule";
    /// <summary>
    /// <c>ai_act_high_risk</c>: the store holds the records of a high-risk AI system under the EU AI Act, so cleanup keeps
    /// logs at least 183 days (Arts. 19(1), 26(6)) and documentation at least 10 years (Art. 18(1)); see <see cref="Retention.AiActRetention"/>.
    /// </summary>
    public const string AiActHighRisk = "ai_act_high_risk";

    // Export
    /// <summary><c>default_export_format</c>: json, jsonl, csv, xml or parquet.</summary>
    public const string DefaultExportFormat = "default_export_format";
    /// <summary><c>export_batch_size</c>: records per export batch.</summary>
    public const string ExportBatchSize = "export_batch_size";
    /// <summary><c>include_metadata_hash</c>: include each record's hash in exports.</summary>
    public const string IncludeMetadataHash = "include_metadata_hash";

    // Security
    /// <summary><c>encrypt_sensitive_data</c>: encrypt the values of <see cref="SensitiveFields"/>.</summary>
    public const string EncryptSensitiveData = "encrypt_sensitive_data";
    /// <summary><c>encryption_key_path</c>: the key file used when encryption is on.</summary>
    public const string EncryptionKeyPath = "encryption_key_path";
    /// <summary><c>audit_all_access</c>: write an audit entry for every access.</summary>
    public const string AuditAllAccess = "audit_all_access";
    /// <summary><c>sensitive_fields</c>: metadata keys holding personal data.</summary>
    public const string SensitiveFields = "sensitive_fields";

    /// <summary><c>subject_fields</c>: metadata paths naming the data subject a record is about (crypto-shredding, docs/security.md).</summary>
    public const string SubjectFields = "subject_fields";
    /// <summary><c>user_id</c>: the user recorded in audit entries.</summary>
    public const string UserId = "user_id";

    // Compliance
    /// <summary><c>compliance_frameworks</c>: the frameworks enabled.</summary>
    public const string ComplianceFrameworks = "compliance_frameworks";
    /// <summary><c>required_metadata_fields</c>: fields every record must carry.</summary>
    public const string RequiredMetadataFields = "required_metadata_fields";
    /// <summary><c>compliance_score_threshold</c>: the pass mark, in [0, 1].</summary>
    public const string ComplianceScoreThreshold = "compliance_score_threshold";

    // Monitoring
    /// <summary><c>enable_metrics</c>: publish performance metrics.</summary>
    public const string EnableMetrics = "enable_metrics";
    /// <summary><c>metrics_endpoint</c>: where metrics are sent (http/https), or null.</summary>
    public const string MetricsEndpoint = "metrics_endpoint";
    /// <summary><c>alert_on_compliance_failure</c>: raise an alert when an assessment fails.</summary>
    public const string AlertOnComplianceFailure = "alert_on_compliance_failure";
    /// <summary><c>alert_webhook_url</c>: the webhook alerts are POSTed to (http/https), or null.</summary>
    public const string AlertWebhookUrl = "alert_webhook_url";

    // Limits and writer (this library)
    /// <summary><c>max_metadata_bytes</c>: the largest serialized metadata accepted per record.</summary>
    public const string MaxMetadataBytes = "max_metadata_bytes";
    /// <summary><c>compression_threshold_bytes</c>: metadata smaller than this is stored uncompressed.</summary>
    public const string CompressionThresholdBytes = "compression_threshold_bytes";
    /// <summary><c>flush_interval_ms</c>: how often the buffered writer flushes a partial batch.</summary>
    public const string FlushIntervalMs = "flush_interval_ms";

    // Ledger (docs/ledger.md)
    /// <summary><c>ledger_enabled</c>: every write appends a leaf to the store's tamper-evident log.</summary>
    public const string LedgerEnabled = "ledger_enabled";
    /// <summary><c>ledger_key_path</c>: the private key (PEM) checkpoints are signed with, or null.</summary>
    public const string LedgerKeyPath = "ledger_key_path";
    /// <summary><c>ledger_origin</c>: the name checkpoints give the log, or null for one derived from the store.</summary>
    public const string LedgerOrigin = "ledger_origin";
    /// <summary><c>ledger_checkpoint_leaves</c>: sign a checkpoint when this many leaves were appended since the last.</summary>
    public const string LedgerCheckpointLeaves = "ledger_checkpoint_leaves";
    /// <summary><c>ledger_checkpoint_seconds</c>: sign a checkpoint when this long has passed since the last (and leaves were appended).</summary>
    public const string LedgerCheckpointSeconds = "ledger_checkpoint_seconds";
    /// <summary><c>ledger_witness_path</c>: a folder every checkpoint is also copied to, or null.</summary>
    public const string LedgerWitnessPath = "ledger_witness_path";

    // OpenLineage (docs/interop.md)
    /// <summary><c>openlineage_url</c>: the http/https URL OpenLineage events are POSTed to, or null.</summary>
    public const string OpenLineageUrl = "openlineage_url";
    /// <summary><c>openlineage_api_key</c>: sent as <c>Authorization: Bearer</c> with each POST, or null.</summary>
    public const string OpenLineageApiKey = "openlineage_api_key";
    /// <summary><c>openlineage_file</c>: a file OpenLineage events are appended to as JSON lines, or null.</summary>
    public const string OpenLineageFile = "openlineage_file";
    /// <summary><c>openlineage_namespace</c>: the namespace of the jobs in OpenLineage events.</summary>
    public const string OpenLineageNamespace = "openlineage_namespace";

    /// <summary>The URLs <c>ciaf serve</c> listens on (list; default <c>http://127.0.0.1:5080</c>).</summary>
    public const string ServerUrls = "server_urls";

    /// <summary>The largest request body the server accepts, in bytes; 0 = <c>max_metadata_bytes</c> + 64 KiB.</summary>
    public const string ServerMaxRequestBodyBytes = "server_max_request_body_bytes";

    /// <summary>Requests one identity may make per rate-limit window (0 = no limit).</summary>
    public const string ServerRateLimitRequests = "server_rate_limit_requests";

    /// <summary>The server's rate-limit window, in seconds.</summary>
    public const string ServerRateLimitWindowSeconds = "server_rate_limit_window_seconds";

    /// <summary>The OIDC authority whose tokens the server accepts (null = no bearer tokens unless a signing key is set).</summary>
    public const string ServerJwtAuthority = "server_jwt_authority";

    /// <summary>The audience bearer tokens must be issued for.</summary>
    public const string ServerJwtAudience = "server_jwt_audience";

    /// <summary>The issuer bearer tokens must name (default: the authority's).</summary>
    public const string ServerJwtIssuer = "server_jwt_issuer";

    /// <summary>A PEM public key bearer tokens are verified with, instead of the authority's discovery document.</summary>
    public const string ServerJwtSigningKeyPath = "server_jwt_signing_key_path";

    /// <summary>The token claim holding the CIAF roles.</summary>
    public const string ServerJwtRoleClaim = "server_jwt_role_claim";

    /// <summary>The token claim naming the user in the audit trail.</summary>
    public const string ServerJwtNameClaim = "server_jwt_name_claim";

    /// <summary>Browser origins allowed to call the server's API (CORS); empty = CORS off.</summary>
    public const string ServerCorsOrigins = "server_cors_origins";

    /// <summary>The dashboard's OIDC client id; set (with <c>server_jwt_authority</c>) to offer OIDC sign-in.</summary>
    public const string ServerOidcClientId = "server_oidc_client_id";

    /// <summary>The dashboard's OIDC client secret (a confidential client); null = a public client (PKCE only).</summary>
    public const string ServerOidcClientSecret = "server_oidc_client_secret";

    /// <summary>The scopes the dashboard asks the OIDC provider for, besides <c>openid</c>.</summary>
    public const string ServerOidcScopes = "server_oidc_scopes";

    /// <summary>Whether <c>ciaf serve</c> reads <c>X-Forwarded-For</c>/<c>-Proto</c> from the known proxies (default off).</summary>
    public const string ServerForwardedHeaders = "server_forwarded_headers";

    /// <summary>The reverse proxies (IP addresses or CIDR networks) whose forwarded headers the server believes; empty = loopback.</summary>
    public const string ServerKnownProxies = "server_known_proxies";

    /// <summary>A folder for the server's session key ring (ASP.NET Core Data Protection) instead of the store's state; null = the store.</summary>
    public const string ServerDataProtectionKeysPath = "server_data_protection_keys_path";
}
