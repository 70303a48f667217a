using Ciaf.Metadata.Compression;

namespace Ciaf.Metadata.Backends.Sqlite;

/// <summary>
/// The SQLite layout. The three tables are the Python reference's, byte for byte as it creates them
/// (so <c>sqlite_master</c> reads the same whoever created the file); the indexes, the
/// <c>ciaf_schema_version</c> table and the compressed-metadata table <c>ciaf_metadata_blobs</c> with its two
/// triggers are ours and invisible to the reference.
/// </summary>
internal static class SqliteSchema
{
    /// <summary>
    /// The version of our additions (indexes, version table); bump it with a migration. 3 added
    /// <c>ciaf_metadata_blobs</c> and its triggers (compressed metadata, docs/compression.md); 4 the ledger's tables
    /// (docs/ledger.md).
    /// </summary>
    public const int Version = 4;

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

    /// <summary>
    /// Our own tables (invisible to the reference): the store state (legal holds), one row per key; the ledger's leaves
    /// (by <c>seq</c>; <c>ciaf_ledger_item</c> finds an item's latest leaf for <c>prove</c>), its stored subtrees
    /// (levels ≥ 4, see <c>LedgerAppender</c>) and its signed checkpoints.
    /// </summary>
    public static readonly (string Name, string Sql)[] OwnTables =
    [
        ("ciaf_state", "CREATE TABLE IF NOT EXISTS ciaf_state (scope TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (scope, key))"),
        (LedgerTable, "CREATE TABLE IF NOT EXISTS ciaf_ledger (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, item_id TEXT NOT NULL, leaf TEXT NOT NULL, leaf_hash BLOB NOT NULL)"),
        ("ciaf_ledger_item", "CREATE INDEX IF NOT EXISTS ciaf_ledger_item ON ciaf_ledger (item_id, seq)"),
        ("ciaf_ledger_nodes", "CREATE TABLE IF NOT EXISTS ciaf_ledger_nodes (level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (level, idx)) WITHOUT ROWID"),
        ("ciaf_ledger_checkpoints", "CREATE TABLE IF NOT EXISTS ciaf_ledger_checkpoints (tree_size INTEGER PRIMARY KEY, note TEXT NOT NULL, created_at TEXT NOT NULL)"),
    ];

    /// <summary>The ledger's leaf table; its absence when the schema is created marks a store written before the ledger.</summary>
    public const string LedgerTable = "ciaf_ledger";

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

    /// <summary>The table holding compressed metadata; its row's <c>metadata_json</c> holds a <see cref="CompressionMarker"/>.</summary>
    public const string BlobsTable = "ciaf_metadata_blobs";

    /// <summary>Our table and triggers for compressed metadata, by name (created where missing, in this order).</summary>
    // The marker prefix is 20 characters: the substr() calls below depend on it.
    public static readonly (string Name, string Sql)[] CompressionObjects =
    [
        (BlobsTable, "CREATE TABLE IF NOT EXISTS ciaf_metadata_blobs (id TEXT PRIMARY KEY, codec TEXT NOT NULL, size INTEGER NOT NULL, payload BLOB NOT NULL)"),
        // Whoever deletes a row (this library, the reference's cleanup, a person with sqlite3), its blob goes with it.
        ("ciaf_metadata_blobs_on_delete",
            "CREATE TRIGGER IF NOT EXISTS ciaf_metadata_blobs_on_delete AFTER DELETE ON metadata BEGIN DELETE FROM ciaf_metadata_blobs WHERE id = OLD.id; END"),
        // A row rewritten with plain metadata (by anyone) no longer needs its blob. A marker is recognised by its first
        // characters only: a trigger must never fail on text that is not JSON.
        ("ciaf_metadata_blobs_on_update",
            "CREATE TRIGGER IF NOT EXISTS ciaf_metadata_blobs_on_update AFTER UPDATE OF metadata_json ON metadata "
            + "WHEN substr(NEW.metadata_json, 1, 20) <> '" + CompressionMarker.Prefix + "' "
            + "BEGIN DELETE FROM ciaf_metadata_blobs WHERE id = NEW.id; END"),
    ];

    public const string UpsertBlob = """
        INSERT INTO ciaf_metadata_blobs (id, codec, size, payload) VALUES ($id, $codec, $size, $payload)
        ON CONFLICT(id) DO UPDATE SET codec = excluded.codec, size = excluded.size, payload = excluded.payload
        """;

    /// <summary>
    /// The columns records are read with: <see cref="MetadataColumns"/>, then the blob's codec and payload when
    /// <c>metadata_json</c> starts like a marker (NULL otherwise, so plain rows cost no lookup).
    /// </summary>
    public static readonly string MetadataReadColumns =
        "id, model_name, model_version, stage, event_type, timestamp, metadata_hash, details, metadata_json, "
        + "CASE WHEN substr(metadata_json, 1, 20) = '" + CompressionMarker.Prefix + "' THEN (SELECT b.codec FROM ciaf_metadata_blobs b WHERE b.id = metadata.id) END, "
        + "CASE WHEN substr(metadata_json, 1, 20) = '" + CompressionMarker.Prefix + "' THEN (SELECT b.payload FROM ciaf_metadata_blobs b WHERE b.id = metadata.id) END";

    /// <summary>How many columns <see cref="MetadataReadColumns"/> selects.</summary>
    public const int MetadataReadColumnCount = 11;

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

    public const string AddState = """
        INSERT OR IGNORE INTO ciaf_state (scope, key, value, updated_at) VALUES ($scope, $key, $value, $updated_at)
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
