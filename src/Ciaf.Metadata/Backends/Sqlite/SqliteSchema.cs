namespace Ciaf.Metadata.Backends.Sqlite;

/// <summary>
/// The SQLite layout. The three tables are the Python reference's, byte for byte as it creates them
/// (so <c>sqlite_master</c> reads the same whoever created the file); the indexes and the
/// <c>ciaf_schema_version</c> table are ours and invisible to the reference.
/// </summary>
internal static class SqliteSchema
{
    /// <summary>The version of our additions (indexes, version table); bump it with a migration.</summary>
    public const int Version = 2;

    public const string VersionTable = "ciaf_schema_version";

    // Whitespace copied from the reference (see EXPECTED.json "sqlite_schema"), so a store we create
    // is indistinguishable from one it created. Foreign keys are declared but, as in the reference,
    // not enforced: PRAGMA foreign_keys stays off, because compliance events may name records that
    // were never stored (the fixture has one) and deleting a record must not fail on its events.
    public static readonly string[] Tables =
    [
        """
        CREATE TABLE IF NOT EXISTS metadata (
                        id TEXT PRIMARY KEY,
                        model_name TEXT NOT NULL,
                        model_version TEXT,
                        stage TEXT NOT NULL,
                        event_type TEXT NOT NULL,
                        timestamp TEXT NOT NULL,
                        metadata_hash TEXT,
                        details TEXT,
                        metadata_json TEXT NOT NULL
                    )
        """,
        """
        CREATE TABLE IF NOT EXISTS audit_trail (
                        id TEXT PRIMARY KEY,
                        parent_id TEXT,
                        action TEXT NOT NULL,
                        timestamp TEXT NOT NULL,
                        user_id TEXT,
                        details TEXT,
                        FOREIGN KEY (parent_id) REFERENCES metadata (id)
                    )
        """,
        """
        CREATE TABLE IF NOT EXISTS compliance_events (
                        id TEXT PRIMARY KEY,
                        metadata_id TEXT,
                        framework TEXT NOT NULL,
                        compliance_score REAL,
                        validation_status TEXT,
                        timestamp TEXT NOT NULL,
                        details TEXT,
                        FOREIGN KEY (metadata_id) REFERENCES metadata (id)
                    )
        """,
    ];

    /// <summary>Our own tables (invisible to the reference): the store state (legal holds), one row per key.</summary>
    public static readonly (string Name, string Sql)[] OwnTables =
    [
        ("ciaf_state", "CREATE TABLE IF NOT EXISTS ciaf_state (scope TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (scope, key))"),
    ];

    /// <summary>Our indexes, by name. Each ends in <c>id</c> so ORDER BY timestamp, id needs no sort.</summary>
    public static readonly (string Name, string Sql)[] Indexes =
    [
        ("ix_ciaf_metadata_model_stage_ts", "CREATE INDEX IF NOT EXISTS ix_ciaf_metadata_model_stage_ts ON metadata (model_name, stage, timestamp, id)"),
        ("ix_ciaf_metadata_model_ts", "CREATE INDEX IF NOT EXISTS ix_ciaf_metadata_model_ts ON metadata (model_name, timestamp, id)"),
        ("ix_ciaf_metadata_ts", "CREATE INDEX IF NOT EXISTS ix_ciaf_metadata_ts ON metadata (timestamp, id)"),
        ("ix_ciaf_compliance_framework_ts", "CREATE INDEX IF NOT EXISTS ix_ciaf_compliance_framework_ts ON compliance_events (framework, timestamp, id)"),
        ("ix_ciaf_compliance_metadata_id", "CREATE INDEX IF NOT EXISTS ix_ciaf_compliance_metadata_id ON compliance_events (metadata_id, timestamp, id)"),
        ("ix_ciaf_compliance_ts", "CREATE INDEX IF NOT EXISTS ix_ciaf_compliance_ts ON compliance_events (timestamp, id)"),
        ("ix_ciaf_audit_ts", "CREATE INDEX IF NOT EXISTS ix_ciaf_audit_ts ON audit_trail (timestamp, id)"),
        ("ix_ciaf_audit_parent_ts", "CREATE INDEX IF NOT EXISTS ix_ciaf_audit_parent_ts ON audit_trail (parent_id, timestamp, id)"),
    ];

    public const string CreateVersionTable =
        "CREATE TABLE IF NOT EXISTS ciaf_schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)";

    public const string InsertVersion =
        "INSERT OR IGNORE INTO ciaf_schema_version (version, applied_at) VALUES ($version, $applied_at)";

    /// <summary>Columns our statements use, per reference table; an existing table lacking one is not a CIAF store.</summary>
    public static readonly (string Table, string[] Columns)[] RequiredColumns =
    [
        ("metadata", ["id", "model_name", "model_version", "stage", "event_type", "timestamp", "metadata_hash", "details", "metadata_json"]),
        ("compliance_events", ["id", "metadata_id", "framework", "compliance_score", "validation_status", "timestamp", "details"]),
        ("audit_trail", ["id", "parent_id", "action", "timestamp", "user_id", "details"]),
    ];

    public const string MetadataColumns =
        "id, model_name, model_version, stage, event_type, timestamp, metadata_hash, details, metadata_json";

    public const string ComplianceColumns =
        "id, metadata_id, framework, compliance_score, validation_status, timestamp, details";

    public const string AuditColumns = "id, parent_id, action, timestamp, user_id, details";

    // An audit entry is written once: a retried batch re-inserting it changes nothing.
    public const string InsertAudit =
        "INSERT OR IGNORE INTO audit_trail (id, parent_id, action, timestamp, user_id, details) VALUES ($id, $parent_id, $action, $timestamp, $user_id, $details)";

    public const string UpsertState = """
        INSERT INTO ciaf_state (scope, key, value, updated_at) VALUES ($scope, $key, $value, $updated_at)
        ON CONFLICT(scope, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
        """;

    public const string DeleteState = "DELETE FROM ciaf_state WHERE scope = $scope AND key = $key";

    public const string UpsertMetadata = """
        INSERT INTO metadata (id, model_name, model_version, stage, event_type, timestamp, metadata_hash, details, metadata_json)
        VALUES ($id, $model_name, $model_version, $stage, $event_type, $timestamp, $metadata_hash, $details, $metadata_json)
        ON CONFLICT(id) DO UPDATE SET
            model_name = excluded.model_name, model_version = excluded.model_version, stage = excluded.stage,
            event_type = excluded.event_type, timestamp = excluded.timestamp, metadata_hash = excluded.metadata_hash,
            details = excluded.details, metadata_json = excluded.metadata_json
        """;

    public const string UpsertCompliance = """
        INSERT INTO compliance_events (id, metadata_id, framework, compliance_score, validation_status, timestamp, details)
        VALUES ($id, $metadata_id, $framework, $compliance_score, $validation_status, $timestamp, $details)
        ON CONFLICT(id) DO UPDATE SET
            metadata_id = excluded.metadata_id, framework = excluded.framework,
            compliance_score = excluded.compliance_score, validation_status = excluded.validation_status,
            timestamp = excluded.timestamp, details = excluded.details
        """;
}
