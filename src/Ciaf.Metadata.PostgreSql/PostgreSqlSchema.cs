namespace Ciaf.Metadata.PostgreSql;

/// <summary>One forward migration: statements run in order, in the start-up transaction.</summary>
internal sealed record PostgreSqlMigration(int Version, string Description, string[] Statements);

/// <summary>
/// The PostgreSQL layout (documented in docs/postgresql.md) and the SQL the backend runs. Every statement
/// names its tables through the schema, which is validated against
/// <see cref="PostgreSqlBackendOptions.IdentifierPattern"/> and quoted: it is the only name from configuration
/// ever put into SQL text; every value travels as a parameter.
/// </summary>
internal sealed class PostgreSqlSchema
{
    public const string VersionTable = "ciaf_schema_version";

    // id COLLATE "C": ORDER BY ..., id must be byte (= code point) order, as the other backends compare ids
    // ordinally, whatever the database's default collation is; it also keeps the B-tree comparisons cheap.
    private static readonly PostgreSqlMigration[] AllMigrations =
    [
        new(1, "records, compliance events, audit trail and their indexes",
        [
            """
            CREATE TABLE IF NOT EXISTS {s}.metadata (
                id text COLLATE "C" PRIMARY KEY,
                model_name text NOT NULL,
                model_version text,
                stage text NOT NULL,
                event_type text NOT NULL,
                timestamp timestamptz NOT NULL,
                timestamp_text text NOT NULL,
                metadata_hash text,
                details text,
                metadata jsonb NOT NULL,
                metadata_text text NOT NULL
            )
            """,
            "CREATE INDEX IF NOT EXISTS ix_ciaf_metadata_model_stage_ts ON {s}.metadata (model_name, stage, timestamp, id)",
            "CREATE INDEX IF NOT EXISTS ix_ciaf_metadata_model_ts ON {s}.metadata (model_name, timestamp, id)",
            "CREATE INDEX IF NOT EXISTS ix_ciaf_metadata_ts ON {s}.metadata (timestamp, id)",
            "CREATE INDEX IF NOT EXISTS ix_ciaf_metadata_jsonb ON {s}.metadata USING GIN (metadata jsonb_path_ops)",
            """
            CREATE TABLE IF NOT EXISTS {s}.compliance_events (
                id text COLLATE "C" PRIMARY KEY,
                metadata_id text,
                framework text NOT NULL,
                compliance_score double precision,
                validation_status text,
                timestamp timestamptz NOT NULL,
                timestamp_text text NOT NULL,
                details text
            )
            """,
            "CREATE INDEX IF NOT EXISTS ix_ciaf_compliance_framework_ts ON {s}.compliance_events (framework, timestamp, id)",
            "CREATE INDEX IF NOT EXISTS ix_ciaf_compliance_metadata_id ON {s}.compliance_events (metadata_id, timestamp, id)",
            "CREATE INDEX IF NOT EXISTS ix_ciaf_compliance_ts ON {s}.compliance_events (timestamp, id)",
            // The reference's audit trail; no foreign key, as in the reference (not enforced there either).
            """
            CREATE TABLE IF NOT EXISTS {s}.audit_trail (
                id text COLLATE "C" PRIMARY KEY,
                parent_id text,
                action text NOT NULL,
                timestamp timestamptz NOT NULL,
                timestamp_text text NOT NULL,
                user_id text,
                details text
            )
            """,
            "CREATE INDEX IF NOT EXISTS ix_ciaf_audit_ts ON {s}.audit_trail (timestamp, id)",
            "CREATE INDEX IF NOT EXISTS ix_ciaf_audit_parent_ts ON {s}.audit_trail (parent_id, timestamp, id)",
        ]),
        new(2, "store state (legal holds), one row per key",
        [
            """
            CREATE TABLE IF NOT EXISTS {s}.ciaf_state (
                scope text COLLATE "C" NOT NULL,
                key text COLLATE "C" NOT NULL,
                value text NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (scope, key)
            )
            """,
        ]),
        new(3, "the ledger: leaves, stored subtrees, signed checkpoints (docs/ledger.md)",
        [
            """
            CREATE TABLE IF NOT EXISTS {s}.ciaf_ledger (
                seq bigint PRIMARY KEY,
                kind text NOT NULL,
                item_id text COLLATE "C" NOT NULL,
                leaf text NOT NULL,
                leaf_hash bytea NOT NULL
            )
            """,
            // An item's latest leaf, for proofs.
            "CREATE INDEX IF NOT EXISTS ix_ciaf_ledger_item ON {s}.ciaf_ledger (item_id, seq)",
            "CREATE TABLE IF NOT EXISTS {s}.ciaf_ledger_nodes (level integer NOT NULL, idx bigint NOT NULL, hash bytea NOT NULL, PRIMARY KEY (level, idx))",
            "CREATE TABLE IF NOT EXISTS {s}.ciaf_ledger_checkpoints (tree_size bigint PRIMARY KEY, note text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())",
        ]),
    ];

    /// <summary>Columns our statements use, per table; an existing table lacking one is not a CIAF store.</summary>
    public static readonly (string Table, string[] Columns)[] RequiredColumns =
    [
        ("metadata", ["id", "model_name", "model_version", "stage", "event_type", "timestamp", "timestamp_text", "metadata_hash", "details", "metadata", "metadata_text"]),
        ("compliance_events", ["id", "metadata_id", "framework", "compliance_score", "validation_status", "timestamp", "timestamp_text", "details"]),
        ("audit_trail", ["id", "parent_id", "action", "timestamp", "timestamp_text", "user_id", "details"]),
        ("ciaf_state", ["scope", "key", "value", "updated_at"]),
        ("ciaf_ledger", ["seq", "kind", "item_id", "leaf", "leaf_hash"]),
    ];

    public PostgreSqlSchema(string schema)
    {
        if (!PostgreSqlBackendOptions.IsValidIdentifier(schema))
        {
            throw new ArgumentException(
                $"PostgreSQL schema name '{schema}' is not allowed; it must match {PostgreSqlBackendOptions.IdentifierPattern}.", nameof(schema));
        }
        Name = schema;
        // Validated above: letters, digits and '_' only, so quoting cannot be escaped.
        Quoted = "\"" + schema + "\"";

        Migrations = [.. AllMigrations.Select(m => m with { Statements = [.. m.Statements.Select(Qualify)] })];
        CreateSchema = $"CREATE SCHEMA IF NOT EXISTS {Quoted}";
        CreateVersionTable = Qualify(
            "CREATE TABLE IF NOT EXISTS {s}." + VersionTable + " (version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
        SelectVersion = Qualify("SELECT COALESCE(MAX(version), 0) FROM {s}." + VersionTable);
        InsertVersion = Qualify("INSERT INTO {s}." + VersionTable + " (version, description) VALUES ($1, $2) ON CONFLICT (version) DO NOTHING");

        UpsertMetadata = Qualify("""
            INSERT INTO {s}.metadata AS t (id, model_name, model_version, stage, event_type, timestamp, timestamp_text, metadata_hash, details, metadata, metadata_text)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            ON CONFLICT (id) DO UPDATE SET
            """ + MetadataUpdateSet);
        // Last occurrence wins when a batch names an id twice (ON CONFLICT may not touch a row twice).
        MergeMetadataStage = Qualify("""
            INSERT INTO {s}.metadata AS t (id, model_name, model_version, stage, event_type, timestamp, timestamp_text, metadata_hash, details, metadata, metadata_text)
            SELECT DISTINCT ON (id) id, model_name, model_version, stage, event_type, timestamp, timestamp_text, metadata_hash, details, metadata, metadata_text
            FROM ciaf_metadata_stage ORDER BY id, ord DESC
            ON CONFLICT (id) DO UPDATE SET
            """ + MetadataUpdateSet);
        // The same columns straight into the tables: a batch of new ids (the usual case) needs no stage and no merge.
        CopyMetadata = Qualify(CopyMetadataStage.Replace("ciaf_metadata_stage (ord, ", "{s}.metadata (", StringComparison.Ordinal));
        CopyCompliance = Qualify(CopyComplianceStage.Replace("ciaf_compliance_stage (ord, ", "{s}.compliance_events (", StringComparison.Ordinal));
        CopyAudit = Qualify(CopyAuditStage.Replace("ciaf_audit_stage (ord, ", "{s}.audit_trail (", StringComparison.Ordinal));
        UpsertCompliance = Qualify("""
            INSERT INTO {s}.compliance_events AS t (id, metadata_id, framework, compliance_score, validation_status, timestamp, timestamp_text, details)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            ON CONFLICT (id) DO UPDATE SET
            """ + ComplianceUpdateSet);
        MergeComplianceStage = Qualify("""
            INSERT INTO {s}.compliance_events AS t (id, metadata_id, framework, compliance_score, validation_status, timestamp, timestamp_text, details)
            SELECT DISTINCT ON (id) id, metadata_id, framework, compliance_score, validation_status, timestamp, timestamp_text, details
            FROM ciaf_compliance_stage ORDER BY id, ord DESC
            ON CONFLICT (id) DO UPDATE SET
            """ + ComplianceUpdateSet);

        SelectMetadata = Qualify("SELECT " + MetadataColumns + " FROM {s}.metadata");
        SelectCompliance = Qualify("SELECT " + ComplianceColumns + " FROM {s}.compliance_events");
        DeleteMetadata = Qualify("DELETE FROM {s}.metadata WHERE id = ANY($1) RETURNING id");
        DeleteCompliance = Qualify("DELETE FROM {s}.compliance_events WHERE id = ANY($1) RETURNING id");
        CountMetadata = Qualify("SELECT count(*) FROM {s}.metadata");
        // An audit entry is written once: a retried batch re-inserting it changes nothing.
        InsertAudit = Qualify("""
            INSERT INTO {s}.audit_trail (id, parent_id, action, timestamp, timestamp_text, user_id, details)
            VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING
            """);
        MergeAuditStage = Qualify("""
            INSERT INTO {s}.audit_trail (id, parent_id, action, timestamp, timestamp_text, user_id, details)
            SELECT DISTINCT ON (id) id, parent_id, action, timestamp, timestamp_text, user_id, details
            FROM ciaf_audit_stage ORDER BY id, ord
            ON CONFLICT (id) DO NOTHING
            """);
        SelectAudit = Qualify("SELECT " + AuditColumns + " FROM {s}.audit_trail");
        SelectState = Qualify("SELECT key, value FROM {s}.ciaf_state WHERE scope = $1");
        // min/max of the timestamptz column (the order every query uses); the (model_name, stage, timestamp, id) index
        // covers all but the version.
        SummarizeRecords = Qualify(
            "SELECT model_name, model_version, stage, count(*), min(timestamp), max(timestamp) FROM {s}.metadata GROUP BY model_name, model_version, stage");
        UpsertState = Qualify("""
            INSERT INTO {s}.ciaf_state (scope, key, value, updated_at) VALUES ($1, $2, $3, now())
            ON CONFLICT (scope, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
            """);
        DeleteState = Qualify("DELETE FROM {s}.ciaf_state WHERE scope = $1 AND key = $2");
        AddState = Qualify("INSERT INTO {s}.ciaf_state (scope, key, value, updated_at) VALUES ($1, $2, $3, now()) ON CONFLICT (scope, key) DO NOTHING");
        SelectStateEntry = Qualify("SELECT value FROM {s}.ciaf_state WHERE scope = $1 AND key = $2");
        SelectStateKeys = Qualify("SELECT key FROM {s}.ciaf_state WHERE scope = $1");
        LedgerActive = Qualify("SELECT EXISTS (SELECT 1 FROM {s}.ciaf_state WHERE scope = 'ledger' AND key = 'genesis') AS " + LedgerActiveColumn);
        LedgerSize = Qualify("SELECT COALESCE(MAX(seq) + 1, 0) AS " + LedgerSizeColumn + " FROM {s}.ciaf_ledger");
        SetGenesis = Qualify("INSERT INTO {s}.ciaf_state (scope, key, value) VALUES ('ledger', 'genesis', $1) ON CONFLICT (scope, key) DO NOTHING");
        StartLedgerIfEmpty = Qualify("""
            INSERT INTO {s}.ciaf_state (scope, key, value)
            SELECT 'ledger', 'genesis', $1
            WHERE NOT EXISTS (SELECT 1 FROM {s}.metadata) AND NOT EXISTS (SELECT 1 FROM {s}.compliance_events)
            ON CONFLICT (scope, key) DO NOTHING
            """);
        InsertLeaves = Qualify("INSERT INTO {s}.ciaf_ledger (seq, kind, item_id, leaf, leaf_hash) SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bytea[])");
        InsertNodes = Qualify("INSERT INTO {s}.ciaf_ledger_nodes (level, idx, hash) SELECT * FROM unnest($1::integer[], $2::bigint[], $3::bytea[]) ON CONFLICT (level, idx) DO UPDATE SET hash = excluded.hash");
        SelectLeafHashes = Qualify("SELECT leaf_hash FROM {s}.ciaf_ledger WHERE seq >= $1 AND seq < $2 ORDER BY seq");
        SelectNode = Qualify("SELECT hash FROM {s}.ciaf_ledger_nodes WHERE level = $1 AND idx = $2");
        SelectLeaves = Qualify("SELECT seq, kind, item_id, leaf, leaf_hash FROM {s}.ciaf_ledger WHERE seq >= $1 AND seq < $2 ORDER BY seq LIMIT 10000");
        SelectLatestLeaf = Qualify("SELECT seq, kind, item_id, leaf, leaf_hash FROM {s}.ciaf_ledger WHERE item_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT 1");
        SelectLeafItems = Qualify("SELECT DISTINCT item_id FROM {s}.ciaf_ledger");
        InsertCheckpoint = Qualify("INSERT INTO {s}.ciaf_ledger_checkpoints (tree_size, note) VALUES ($1, $2) ON CONFLICT (tree_size) DO NOTHING");
        SelectCheckpoints = Qualify("SELECT note FROM {s}.ciaf_ledger_checkpoints ORDER BY tree_size");
    }

    // The ledger's statements (docs/ledger.md); leaves and nodes go in as arrays, one round trip per write.
    public string LedgerActive { get; }
    public string LedgerSize { get; }
    public string SetGenesis { get; }
    public string StartLedgerIfEmpty { get; }
    public string InsertLeaves { get; }
    public string InsertNodes { get; }
    public string SelectLeafHashes { get; }
    public string SelectNode { get; }
    public string SelectLeaves { get; }
    public string SelectLatestLeaf { get; }
    public string SelectLeafItems { get; }
    public string InsertCheckpoint { get; }
    public string SelectCheckpoints { get; }

    /// <summary>The column names of <see cref="LedgerActive"/> and <see cref="LedgerSize"/>, which tell their results apart in a batch.</summary>
    public const string LedgerActiveColumn = "ledger_active", LedgerSizeColumn = "ledger_size";

    /// <summary>The advisory lock every ledger append takes, so processes number leaves in one order.</summary>
    public string LedgerLockName => $"ciaf_ledger:{Name}";

    /// <summary>The schema name, unquoted.</summary>
    public string Name { get; }

    /// <summary>The schema name, quoted for SQL.</summary>
    public string Quoted { get; }

    public PostgreSqlMigration[] Migrations { get; }

    public int LatestVersion => AllMigrations[^1].Version;

    public string CreateSchema { get; }
    public string CreateVersionTable { get; }
    public string SelectVersion { get; }
    public string InsertVersion { get; }
    public string UpsertMetadata { get; }
    public string MergeMetadataStage { get; }
    public string CopyMetadata { get; }
    public string CopyCompliance { get; }
    public string CopyAudit { get; }
    public string UpsertCompliance { get; }
    public string MergeComplianceStage { get; }
    public string SelectMetadata { get; }
    public string SelectCompliance { get; }
    public string DeleteMetadata { get; }
    public string DeleteCompliance { get; }
    public string CountMetadata { get; }
    public string InsertAudit { get; }
    public string MergeAuditStage { get; }
    public string SelectAudit { get; }
    public string SelectState { get; }
    public string SummarizeRecords { get; }
    public string UpsertState { get; }
    public string DeleteState { get; }
    public string AddState { get; }
    public string SelectStateEntry { get; }
    public string SelectStateKeys { get; }

    /// <summary>
    /// Takes, until the transaction ends, the advisory lock of the state scope named by $1 (see <see cref="StateLockName"/>):
    /// state writes and guarded deletes of one scope queue on it, in every process and on every machine.
    /// </summary>
    public const string LockState = "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))";

    /// <summary>The name <see cref="LockState"/> hashes for a scope: per schema, so two stores in one database never queue on each other.</summary>
    public string StateLockName(string scope) => $"ciaf_state:{Name}:{scope}";

    /// <summary>Read columns of <c>audit_trail</c>; <c>timestamp</c> (the last) is for continuation and fallback.</summary>
    public const string AuditColumns = "id, parent_id, action, timestamp_text, user_id, details, timestamp";

    public const string CreateAuditStage = """
        CREATE TEMP TABLE ciaf_audit_stage (
            ord integer NOT NULL, id text COLLATE "C" NOT NULL, parent_id text, action text NOT NULL,
            timestamp timestamptz NOT NULL, timestamp_text text NOT NULL, user_id text, details text
        ) ON COMMIT DROP
        """;

    public const string CopyAuditStage =
        "COPY ciaf_audit_stage (ord, id, parent_id, action, timestamp, timestamp_text, user_id, details) FROM STDIN (FORMAT BINARY)";

    /// <summary>Read columns of <c>metadata</c>; <c>timestamp</c> (the last) is only for keyset continuation.</summary>
    public const string MetadataColumns =
        "id, model_name, model_version, stage, event_type, timestamp_text, metadata_hash, details, metadata_text, timestamp";

    /// <summary>Read columns of <c>compliance_events</c>; <c>timestamp</c> (the last) is for continuation and fallback.</summary>
    public const string ComplianceColumns =
        "id, metadata_id, framework, compliance_score, validation_status, timestamp_text, details, timestamp";

    // Temporary tables for binary COPY: dropped at commit, so a pooled connection never carries one over.
    public const string CreateMetadataStage = """
        CREATE TEMP TABLE ciaf_metadata_stage (
            ord integer NOT NULL, id text COLLATE "C" NOT NULL, model_name text NOT NULL, model_version text, stage text NOT NULL,
            event_type text NOT NULL, timestamp timestamptz NOT NULL, timestamp_text text NOT NULL, metadata_hash text,
            details text, metadata jsonb NOT NULL, metadata_text text NOT NULL
        ) ON COMMIT DROP
        """;

    public const string CopyMetadataStage =
        "COPY ciaf_metadata_stage (ord, id, model_name, model_version, stage, event_type, timestamp, timestamp_text, metadata_hash, details, metadata, metadata_text) FROM STDIN (FORMAT BINARY)";

    public const string CreateComplianceStage = """
        CREATE TEMP TABLE ciaf_compliance_stage (
            ord integer NOT NULL, id text COLLATE "C" NOT NULL, metadata_id text, framework text NOT NULL, compliance_score double precision,
            validation_status text, timestamp timestamptz NOT NULL, timestamp_text text NOT NULL, details text
        ) ON COMMIT DROP
        """;

    public const string CopyComplianceStage =
        "COPY ciaf_compliance_stage (ord, id, metadata_id, framework, compliance_score, validation_status, timestamp, timestamp_text, details) FROM STDIN (FORMAT BINARY)";

    private const string MetadataUpdateSet = """
         model_name = excluded.model_name, model_version = excluded.model_version, stage = excluded.stage,
            event_type = excluded.event_type, timestamp = excluded.timestamp, timestamp_text = excluded.timestamp_text,
            metadata_hash = excluded.metadata_hash, details = excluded.details, metadata = excluded.metadata,
            metadata_text = excluded.metadata_text
        """;

    private const string ComplianceUpdateSet = """
         metadata_id = excluded.metadata_id, framework = excluded.framework, compliance_score = excluded.compliance_score,
            validation_status = excluded.validation_status, timestamp = excluded.timestamp,
            timestamp_text = excluded.timestamp_text, details = excluded.details
        """;

    private string Qualify(string sql) => sql.Replace("{s}", Quoted, StringComparison.Ordinal);
}
