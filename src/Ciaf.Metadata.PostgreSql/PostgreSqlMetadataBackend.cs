using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Ciaf.Metadata.Backends.Sql;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Ledger;
using Ciaf.Metadata.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Ciaf.Metadata.PostgreSql;

/// <summary>
/// Stores records in PostgreSQL (backend name <c>postgresql</c>), so many machines and processes share one store.
/// </summary>
/// <remarks>
/// <para>
/// Tables <c>metadata</c>, <c>compliance_events</c> and <c>audit_trail</c> live in one schema (the first entry of the
/// connection string's <c>Search Path</c>, or <see cref="PostgreSqlBackendOptions.Schema"/>, default <c>public</c>);
/// forward migrations are applied at start-up in one transaction under an advisory lock, so processes starting
/// together do not race. See docs/postgresql.md for the layout and which index serves which query.
/// </para>
/// <para>
/// A record's metadata is kept twice: <c>metadata_text</c>, the exact Python-style JSON (the source of truth: reads
/// return it, so hashes verify and <c>1</c> stays distinct from <c>1.0</c>), and <c>metadata</c> as <c>jsonb</c> with a
/// GIN index for ad-hoc queries. A batch of new ids is one binary <c>COPY</c> into its table; a batch holding an id
/// already stored goes through binary <c>COPY</c> into a temporary table, then one
/// <c>INSERT ... SELECT ... ON CONFLICT (id) DO UPDATE</c>; a single record is one parameterized upsert. Writing an
/// id again replaces the row, so a retried batch never duplicates anything. Two writes may run at once, each on its
/// own connection (<see cref="IConcurrentWritesBackend"/>), so buffered batches overlap.
/// </para>
/// <para>
/// Transient failures (server restart or shutdown, connection refused or reset, SQL states 08xxx, 57P01-57P03,
/// 53300, 40001, 40P01) are retried with exponential backoff and jitter for up to
/// <see cref="PostgreSqlBackendOptions.TransientRetryTimeout"/> (30 s by default), for writes, reads and the
/// start-up migration alike. Queries read in pages of <c>(timestamp, id)</c> keyset order, so no transaction stays
/// open while the caller consumes results and a page can be retried.
/// </para>
/// </remarks>
public sealed partial class PostgreSqlMetadataBackend : IMetadataBackend, IComplianceEventStore, IAuditLog, IStoreState, IGuardedDeleteBackend, IRecordScanBackend, IStoreLayout,
    IConcurrentWritesBackend
{
    /// <summary>The name this backend is registered under.</summary>
    public const string BackendName = PostgreSqlBackend.Name;

    private const int PageSize = 250;

    private static readonly string[] SizedTables = ["metadata", "compliance_events", "audit_trail", "ciaf_state", PostgreSqlSchema.VersionTable];

    private readonly BackendContext _context;
    private readonly Dialect _sql;
    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgreSqlSchema _schema;
    private readonly TimeSpan _retryTimeout;
    private readonly TransientRetry _retry;
    private readonly string _target;
    private int _disposed;

    /// <summary>Opens the store <see cref="BackendContext.ConnectionString"/> points at, with default options.</summary>
    /// <inheritdoc cref="PostgreSqlMetadataBackend(BackendContext, PostgreSqlBackendOptions)"/>
    public PostgreSqlMetadataBackend(BackendContext context)
        : this(context, new PostgreSqlBackendOptions())
    {
    }

    /// <summary>
    /// Opens the store <see cref="BackendContext.ConnectionString"/> points at: creates the schema and tables where
    /// missing and applies pending migrations (retrying while the server is unreachable, up to the retry timeout).
    /// </summary>
    /// <param name="context">Connection string, store folder (used for exports), logger and corrupt-entry callback.</param>
    /// <param name="options">Schema and retry settings.</param>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> or <paramref name="options"/> is <c>null</c>.</exception>
    /// <exception cref="ArgumentException">
    /// No connection string, an invalid one, an empty storage path, or a schema name that does not match
    /// <see cref="PostgreSqlBackendOptions.IdentifierPattern"/>.
    /// </exception>
    /// <exception cref="MetadataStorageException">The server cannot be reached or refuses the schema changes, or the tables are not a CIAF store's.</exception>
    public PostgreSqlMetadataBackend(BackendContext context, PostgreSqlBackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(
                "Invalid PostgreSQL backend options: " + string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value}")), nameof(options));
        }
        if (string.IsNullOrWhiteSpace(context.StoragePath))
        {
            throw new ArgumentException("BackendContext.StoragePath must be a folder path (exports are written there); it is empty.", nameof(context));
        }
        if (string.IsNullOrWhiteSpace(context.ConnectionString))
        {
            throw new ArgumentException(
                "The postgresql backend needs a connection string: set postgres_connection_string (environment CIAF_POSTGRES_CONNECTION) " +
                "or MetadataStorageOptions.ConnectionString, e.g. \"Host=db;Database=ciaf;Username=ciaf;Password=...\".", nameof(context));
        }

        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(context.ConnectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException)
        {
            // Never echo the connection string: it may hold a password.
            throw new ArgumentException($"The PostgreSQL connection string is invalid: {ex.Message}", nameof(context), ex);
        }

        string schema = options.Schema ?? SchemaFromSearchPath(builder.SearchPath) ?? PostgreSqlBackendOptions.DefaultSchema;
        _schema = new PostgreSqlSchema(schema);
        // Single writes and queries repeat a handful of statements: let Npgsql prepare them, unless the user chose.
        if (!builder.ContainsKey("Max Auto Prepare")) builder.MaxAutoPrepare = 16;
        if (options.CommandTimeout is { } commandTimeout) builder.CommandTimeout = (int)Math.Ceiling(commandTimeout.TotalSeconds);

        _context = context;
        _sql = new Dialect(this);
        _retryTimeout = options.TransientRetryTimeout;
        StoragePath = Path.GetFullPath(context.StoragePath);
        _target = string.Create(CultureInfo.InvariantCulture,
            $"postgresql://{builder.Host}:{builder.Port}/{builder.Database} (schema {_schema.Name})");
        _dataSource = new NpgsqlDataSourceBuilder(builder.ConnectionString).Build();
        _retry = StoreRetryPolicy.Transient(PostgreSqlTransientErrors.IsTransient, _retryTimeout,
            firstDelay: TimeSpan.FromMilliseconds(50), maxDelay: TimeSpan.FromSeconds(2), (operation, ex, attempt, delay) =>
            {
                PostgreSqlLog.Transient(context.Logger, _target, operation, PostgreSqlTransientErrors.Describe(ex), attempt, (int)delay.TotalMilliseconds);
                // After a restart every idle pooled connection is dead: drop them all rather than fail on each in turn.
                _dataSource.Clear();
            });
        // Compression is the core's decision for the embedded backends; a server stores values as it sees fit. Say so
        // rather than silently ignore the option.
        if (context.EnableCompression) PostgreSqlLog.CompressionNotApplied(context.Logger, _target);
        try
        {
            RunBlocking("apply schema migrations", Migrate);
        }
        catch (Exception ex)
        {
            _dataSource.Dispose();
            if (ex is NpgsqlException or IOException or TimeoutException)
            {
                throw new MetadataStorageException($"PostgreSQL backend could not open {_target}: {ex.Message}", ex)
                {
                    Backend = BackendName,
                    Path = _target,
                };
            }
            throw;
        }
    }

    /// <inheritdoc />
    public string Name => BackendName;

    /// <inheritdoc />
    public string ComplianceEventLocation(string id) => $"{_target} compliance_events#{id}";

    /// <inheritdoc />
    /// <remarks>The store is in the database: back it up with <c>pg_dump</c>.</remarks>
    public bool IsFileStore => false;

    /// <inheritdoc />
    public bool IsStoreFile(string relativePath) => false;

    /// <inheritdoc />
    /// <remarks>The local folder exports are written to; the records themselves live in PostgreSQL.</remarks>
    public string StoragePath { get; }

    /// <inheritdoc />
    /// <remarks>Always <c>null</c>: there is no database file.</remarks>
    public string? DbPath => null;

    /// <summary>The schema holding the tables (unquoted).</summary>
    public string Schema => _schema.Name;

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A record is <c>null</c> or has no id.</exception>
    /// <exception cref="MetadataStorageException">The batch could not be written (after retrying transient errors); nothing of it was written.</exception>
    /// <exception cref="ObjectDisposedException">The backend was disposed.</exception>
    public async ValueTask WriteAsync(IReadOnlyList<MetadataRecord> records, CancellationToken cancellationToken = default)
    {
        if (!SqlDialect.CheckBatch(records, r => r.Id, nameof(records), Volatile.Read(ref _disposed) != 0, this)) return;

        // Serialize (and hash for the ledger) before touching the network; a retry reuses the rows.
        var rows = new Column[records.Count][];
        var leaves = LeafDrafts(records.Count);
        string stamp = LeafDraft.Now();
        for (int i = 0; i < records.Count; i++)
        {
            var r = records[i];
            if (!r.HasMetadata) throw new ArgumentNullException($"records[{i}].Metadata");
            string text = r.CompactJson;
            rows[i] =
            [
                new(r.Id), new(r.ModelName), new(PostgreSqlText.Encode(string.IsNullOrEmpty(r.ModelVersion) ? RecordJson.DefaultModelVersion : r.ModelVersion)),
                new(r.Stage), new(r.EventType), new(r.Timestamp.UtcDateTime, NpgsqlDbType.TimestampTz), new(PythonTimestamp.Format(r.Timestamp)),
                new(r.MetadataHash), new(PostgreSqlText.Encode(r.Details)), new(JsonbText.For(r, text), NpgsqlDbType.Jsonb), new(text),
            ];
            if (leaves is not null) leaves[i] = LeafDraft.ForRecord(r, stamp);
        }
        await WriteRowsAsync("write", rows, _schema.UpsertMetadata, _schema.CopyMetadata, PostgreSqlSchema.CreateMetadataStage, PostgreSqlSchema.CopyMetadataStage,
            _schema.MergeMetadataStage, cancellationToken, leaves).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">An event is <c>null</c> or has no id.</exception>
    /// <exception cref="MetadataStorageException">The events could not be written (after retrying transient errors); none of them was.</exception>
    /// <exception cref="ObjectDisposedException">The backend was disposed.</exception>
    public async ValueTask WriteComplianceEventsAsync(IReadOnlyList<ComplianceEvent> events, CancellationToken cancellationToken = default)
    {
        if (!SqlDialect.CheckBatch(events, e => e.Id, nameof(events), Volatile.Read(ref _disposed) != 0, this)) return;
        Column[][] rows =
        [
            .. events.Select(e => new Column[]
            {
                new(e.Id), new(e.MetadataId), new(e.Framework), new(e.ComplianceScore, NpgsqlDbType.Double), new(e.ValidationStatus),
                new(e.Timestamp.UtcDateTime, NpgsqlDbType.TimestampTz), new(PythonTimestamp.Format(e.Timestamp)), new(PostgreSqlText.Encode(e.Details)),
            }),
        ];
        string stamp = LeafDraft.Now();
        await WriteRowsAsync("write compliance event", rows, _schema.UpsertCompliance, _schema.CopyCompliance, PostgreSqlSchema.CreateComplianceStage,
            PostgreSqlSchema.CopyComplianceStage, _schema.MergeComplianceStage, cancellationToken,
            _context.LedgerEnabled ? [.. events.Select(e => LeafDraft.ForEvent(e, stamp))] : null).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>A corrupt row is reported through <see cref="BackendContext.ReportCorrupt"/> and returned as <c>null</c>.</remarks>
    /// <exception cref="MetadataStorageException">The database could not be read.</exception>
    /// <exception cref="ObjectDisposedException">The backend was disposed.</exception>
    public async ValueTask<MetadataRecord?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var rows = await ReadRowsAsync("read", _schema.SelectMetadata + " WHERE id = $1", [new("id", id)], cancellationToken, recordId: id).ConfigureAwait(false);
        return rows.Count == 0 ? null : _sql.ToRecord(rows[0]);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">The limit is negative.</exception>
    /// <exception cref="MetadataStorageException">The database could not be read.</exception>
    /// <exception cref="ObjectDisposedException">The backend was disposed.</exception>
    public IAsyncEnumerable<MetadataRecord> QueryAsync(MetadataQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Limit < 0) throw new ArgumentOutOfRangeException(nameof(query), query.Limit, "MetadataQuery.Limit must be zero or positive.");
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return ReadPagedAsync(KeysetQuery.Records(_sql, _schema.SelectMetadata, query), query.Limit, _sql.ToRecord, query.Matches, cancellationToken);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">The limit is negative.</exception>
    /// <exception cref="MetadataStorageException">The database could not be read.</exception>
    /// <exception cref="ObjectDisposedException">The backend was disposed.</exception>
    public IAsyncEnumerable<ComplianceEvent> QueryComplianceEventsAsync(ComplianceEventQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Limit < 0) throw new ArgumentOutOfRangeException(nameof(query), query.Limit, "ComplianceEventQuery.Limit must be zero or positive.");
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return ReadPagedAsync(KeysetQuery.ComplianceEvents(_sql, _schema.SelectCompliance, query), query.Limit,
            _sql.ToComplianceEvent, query.Matches, cancellationToken);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="ids"/> contains <c>null</c>.</exception>
    /// <exception cref="MetadataStorageException">The rows could not be deleted; none was.</exception>
    /// <exception cref="ObjectDisposedException">The backend was disposed.</exception>
    public ValueTask<int> DeleteAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default) =>
        DeleteCoreAsync(_schema.DeleteMetadata, ids, "delete", cancellationToken, LeafDraft.OfRecord, "delete");

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="ids"/> contains <c>null</c>.</exception>
    /// <exception cref="MetadataStorageException">The rows could not be deleted; none was.</exception>
    /// <exception cref="ObjectDisposedException">The backend was disposed.</exception>
    public ValueTask<int> DeleteComplianceEventsAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default) =>
        DeleteCoreAsync(_schema.DeleteCompliance, ids, "delete compliance event", cancellationToken, LeafDraft.OfComplianceEvent, "delete");

    /// <inheritdoc />
    /// <exception cref="MetadataStorageException">The database could not be read.</exception>
    /// <exception cref="ObjectDisposedException">The backend was disposed.</exception>
    public async ValueTask<long> CountAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var rows = await ReadRowsAsync("count", _schema.CountMetadata, [], cancellationToken).ConfigureAwait(false);
        return Convert.ToInt64(rows[0][0], CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    /// <remarks>
    /// <c>pg_total_relation_size</c> of the store's tables (with their indexes and TOAST data). When the server cannot
    /// be asked, the failure is logged and 0 returned: a size is a metric, not worth failing a caller over.
    /// </remarks>
    public long SizeOnDisk()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        try
        {
            using var connection = _dataSource.OpenConnection();
            using var command = new NpgsqlCommand(
                "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c " +
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = ANY($2) AND c.relkind = 'r'",
                connection);
            command.Parameters.Add(new NpgsqlParameter { Value = _schema.Name, NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = SizedTables, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (IsStorageError(ex))
        {
            PostgreSqlLog.SizeUnavailable(_context.Logger, _target, ex.Message, ex);
            return 0;
        }
    }

    /// <summary>Closes every pooled connection (disposes the data source). Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _dataSource.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// The schema a <c>Search Path</c> names first, folded as PostgreSQL folds it: <c>"Name"</c> keeps its case,
    /// an unquoted name is lower-cased. <c>null</c> when the search path is empty.
    /// </summary>
    private static string? SchemaFromSearchPath(string? searchPath)
    {
        if (string.IsNullOrWhiteSpace(searchPath)) return null;
        string first = searchPath.Split(',')[0].Trim();
        if (first.Length >= 2 && first[0] == '"' && first[^1] == '"') return first[1..^1];
        return first.ToLowerInvariant();
    }

    private void Migrate()
    {
        using var connection = _dataSource.OpenConnection();

        // Fast path without any lock or DDL: the store is already at (or past) our version. A role with only
        // read/write rights on the tables can then use a store an administrator created.
        int current = ReadVersion(connection, null);
        CheckColumns(connection, requireTables: false);
        if (current < _schema.LatestVersion)
        {
            using var tx = connection.BeginTransaction();
            // Processes starting at once queue here; the key is per schema, derived in SQL from the name.
            using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", connection, tx))
            {
                lockCommand.Parameters.Add(new NpgsqlParameter { Value = "ciaf_metadata_migrate:" + _schema.Name, NpgsqlDbType = NpgsqlDbType.Text });
                lockCommand.ExecuteNonQuery();
            }
            if (!SchemaExists(connection, tx)) Execute(connection, tx, _schema.CreateSchema);
            Execute(connection, tx, _schema.CreateVersionTable);
            current = ReadVersion(connection, tx);
            // A store that gets the ledger's tables now starts its log if it holds nothing yet; one with earlier data waits
            // for `ciaf ledger init` to adopt it.
            bool startsLedger = current < LedgerMigration && _context.LedgerEnabled;
            foreach (var migration in _schema.Migrations.Where(m => m.Version > current))
            {
                foreach (var sql in migration.Statements) Execute(connection, tx, sql);
                using var insert = new NpgsqlCommand(_schema.InsertVersion, connection, tx);
                insert.Parameters.Add(new NpgsqlParameter { Value = migration.Version, NpgsqlDbType = NpgsqlDbType.Integer });
                insert.Parameters.Add(new NpgsqlParameter { Value = migration.Description, NpgsqlDbType = NpgsqlDbType.Text });
                insert.ExecuteNonQuery();
                PostgreSqlLog.MigrationApplied(_context.Logger, _target, migration.Version, migration.Description);
            }
            if (startsLedger)
            {
                using var start = new NpgsqlCommand(_schema.StartLedgerIfEmpty, connection, tx);
                start.Parameters.Add(Text(LeafDraft.Now()));
                start.ExecuteNonQuery();
            }
            tx.Commit();
        }
        else if (current > _schema.LatestVersion)
        {
            PostgreSqlLog.NewerSchema(_context.Logger, _target, current, _schema.LatestVersion);
        }
        CheckColumns(connection, requireTables: true);
    }

    private int ReadVersion(NpgsqlConnection connection, NpgsqlTransaction? tx)
    {
        using (var exists = new NpgsqlCommand("SELECT to_regclass($1) IS NOT NULL", connection, tx))
        {
            exists.Parameters.Add(new NpgsqlParameter { Value = $"{_schema.Quoted}.{PostgreSqlSchema.VersionTable}", NpgsqlDbType = NpgsqlDbType.Text });
            if (exists.ExecuteScalar() is not true) return 0;
        }
        using var command = new NpgsqlCommand(_schema.SelectVersion, connection, tx);
        return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private bool SchemaExists(NpgsqlConnection connection, NpgsqlTransaction tx)
    {
        using var command = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", connection, tx);
        command.Parameters.Add(new NpgsqlParameter { Value = _schema.Name, NpgsqlDbType = NpgsqlDbType.Text });
        return command.ExecuteScalar() is true;
    }

    // A table of the same name made by another application (CREATE TABLE IF NOT EXISTS would keep it): refuse it,
    // before any migration touches it. requireTables: after the migrations every table must exist.
    private void CheckColumns(NpgsqlConnection connection, bool requireTables)
    {
        var present = new HashSet<(string, string)>();
        using (var command = new NpgsqlCommand(
            "SELECT table_name::text, column_name::text FROM information_schema.columns WHERE table_schema = $1 AND table_name = ANY($2)", connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = _schema.Name, NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter
            {
                Value = PostgreSqlSchema.RequiredColumns.Select(t => t.Table).ToArray(),
                NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text,
            });
            using var reader = command.ExecuteReader();
            while (reader.Read()) present.Add((reader.GetString(0), reader.GetString(1)));
        }
        foreach (var (table, columns) in PostgreSqlSchema.RequiredColumns)
        {
            var missing = columns.Where(c => !present.Contains((table, c))).ToList();
            if (missing.Count == columns.Length && !requireTables) continue; // not created yet
            if (missing.Count > 0)
            {
                throw new MetadataStorageException(
                    $"PostgreSQL backend: {_target} is not a CIAF metadata store: table '{table}' lacks column(s) {string.Join(", ", missing)}.")
                {
                    Backend = BackendName,
                    Path = _target,
                };
            }
        }
    }

    private static void Execute(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection, tx);
        command.ExecuteNonQuery();
    }

    private static async ValueTask ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    // One row: one parameterized statement. Several: binary COPY straight into the table, as the transaction's first
    // statement. If an id is already there (or twice in the batch) that COPY fails whole with a unique violation; the
    // transaction is rolled back (nothing else was in it) and the batch goes the upsert way in a new one: binary COPY
    // into a temporary stage table (each row after its ordinal), then one merge. The batch's ledger leaves (when given)
    // are appended in the same transaction: 5 round trips for a batch of new ids with leaves (the COPY's two, lock +
    // size, leaves + nodes, commit), 6 for the upsert way (stage, the COPY's two, merge + lock + size, leaves + nodes,
    // commit). A failure names the batch by its first id.
    private async ValueTask WriteRowsAsync(string operation, Column[][] rows, string single, string copyDirect, string createStage, string copyStage,
        string mergeStage, CancellationToken cancellationToken, IReadOnlyList<LeafDraft?>? leaves = null)
    {
        List<LeafDraft>? drafts = leaves is null ? null : [.. leaves.OfType<LeafDraft>()];
        try
        {
            await RetryAsync(operation, async token =>
            {
                await using var connection = await _dataSource.OpenConnectionAsync(token).ConfigureAwait(false);
                if (rows.Length == 1 && drafts is not { Count: > 0 })
                {
                    await using var command = new NpgsqlCommand(single, connection);
                    foreach (var column in rows[0]) command.Parameters.Add(column.Parameter());
                    await command.ExecuteNonQueryAsync(token).ConfigureAwait(false); // one statement, no leaves: autocommit
                    return 0;
                }
                var tx = await connection.BeginTransactionAsync(token).ConfigureAwait(false);
                try
                {
                    NpgsqlBatchCommand? write = null;
                    if (rows.Length == 1)
                    {
                        write = new NpgsqlBatchCommand(single);
                        foreach (var column in rows[0]) write.Parameters.Add(column.Parameter());
                    }
                    else if (!await TryCopyAsync(connection, copyDirect, rows, token).ConfigureAwait(false))
                    {
                        await tx.RollbackAsync(token).ConfigureAwait(false);
                        await tx.DisposeAsync().ConfigureAwait(false);
                        tx = await connection.BeginTransactionAsync(token).ConfigureAwait(false);
                        await ExecuteAsync(connection, createStage, token).ConfigureAwait(false);
                        await CopyAsync(connection, copyStage, rows, withOrdinal: true, token).ConfigureAwait(false);
                        write = new NpgsqlBatchCommand(mergeStage);
                    }
                    // The write (the single upsert or the merge, when there is one), the ledger's lock and size in one
                    // round trip; then the leaves and nodes in another (AppendLeavesAsync runs the write alone when
                    // there are no leaves).
                    var pending = await AppendLeavesAsync(connection, tx, drafts ?? [], token, write: write).ConfigureAwait(false);
                    await CommitLedgerAsync(tx, pending, token).ConfigureAwait(false);
                    return 0;
                }
                finally
                {
                    await tx.DisposeAsync().ConfigureAwait(false);
                }
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsStorageError(ex))
        {
            _ledger.Invalidate();
            throw Failure(operation, (string)rows[0][0].Value!, ex, rows.Length);
        }
    }

    // The rows by binary COPY into their table: false when an id is already there or twice among them (the COPY failed
    // whole, so nothing of it was written; the transaction must be rolled back).
    private static async Task<bool> TryCopyAsync(NpgsqlConnection connection, string copy, Column[][] rows, CancellationToken token)
    {
        try
        {
            await CopyAsync(connection, copy, rows, withOrdinal: false, token).ConfigureAwait(false);
            return true;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return false;
        }
    }

    private static async Task CopyAsync(NpgsqlConnection connection, string copy, Column[][] rows, bool withOrdinal, CancellationToken token)
    {
        await using var importer = await connection.BeginBinaryImportAsync(copy, token).ConfigureAwait(false);
        for (int i = 0; i < rows.Length; i++)
        {
            await importer.StartRowAsync(token).ConfigureAwait(false);
            if (withOrdinal) await importer.WriteAsync(i, NpgsqlDbType.Integer, token).ConfigureAwait(false);
            foreach (var column in rows[i]) await column.WriteAsync(importer, token).ConfigureAwait(false);
        }
        await importer.CompleteAsync(token).ConfigureAwait(false);
    }

    private static NpgsqlParameter Text(string? value) =>
        new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };

    // select, when given, picks the ids to delete inside the transaction (before any delete), from the ids given.
    // Each id deleted leaves a tombstone (of: "record" or "compliance_event") saying why, in the same transaction.
    private async ValueTask<int> DeleteCoreAsync(string sql, IReadOnlyCollection<string> ids, string operation, CancellationToken cancellationToken,
        string of, string reason, Func<NpgsqlConnection, NpgsqlTransaction, CancellationToken, Task<List<string>>>? select = null)
    {
        if (SqlDialect.DistinctIds(ids, Volatile.Read(ref _disposed) != 0, this) is not { } distinct) return 0;
        string[] array = [.. distinct];
        string timestamp = LeafDraft.Now();
        try
        {
            return await RetryAsync(operation, async token =>
            {
                await using var connection = await _dataSource.OpenConnectionAsync(token).ConfigureAwait(false);
                await using var tx = await connection.BeginTransactionAsync(token).ConfigureAwait(false);
                string[] targets = select is null ? array : [.. await select(connection, tx, token).ConfigureAwait(false)];
                await using var command = new NpgsqlCommand(sql, connection, tx);
                command.Parameters.Add(new NpgsqlParameter { Value = targets, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
                var deleted = await SqlDialect.ReadRowsAsync(command, token).ConfigureAwait(false); // DELETE ... RETURNING id
                var pending = await AppendLeavesAsync(connection, tx,
                    [.. deleted.Select(row => LeafDraft.ForTombstone(of, (string)row[0]!, reason, timestamp))], token).ConfigureAwait(false);
                await CommitLedgerAsync(tx, pending, token).ConfigureAwait(false);
                return deleted.Count;
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsStorageError(ex))
        {
            _ledger.Invalidate();
            throw Failure(operation, array[0], ex, array.Length);
        }
    }

    // A new connection per page: a page is retried alone. The timestamptz column is always the last one read.
    private IAsyncEnumerable<T> ReadPagedAsync<T>(KeysetQuery query, int? limit, Func<object?[], T?> materialize, Func<T, bool> matches,
        CancellationToken cancellationToken)
        where T : class =>
        query.ReadAsync(PageSize, limit, ^1, (sql, args, token) => ReadRowsAsync("query", sql, args, token), materialize, matches, cancellationToken);

    // One statement on a pooled connection, transient errors retried.
    private async ValueTask<List<object?[]>> ReadRowsAsync(string operation, string sql, IReadOnlyList<SqlArg> args, CancellationToken cancellationToken,
        string? recordId = null)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        try
        {
            return await RetryAsync(operation, async token =>
            {
                await using var connection = await _dataSource.OpenConnectionAsync(token).ConfigureAwait(false);
                await using var command = new NpgsqlCommand(sql, connection);
                _sql.Bind(command, args);
                return await SqlDialect.ReadRowsAsync(command, token).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsStorageError(ex))
        {
            throw Failure(operation, recordId, ex);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// One query streamed row by row on one connection (no paging, no sort), so memory stays flat however large the
    /// store; an unreadable row is yielded with its error. A connection lost mid-scan fails the scan (run it again).
    /// </remarks>
    /// <exception cref="MetadataStorageException">The server could not be reached, or the connection was lost.</exception>
    public async IAsyncEnumerable<ScannedEntry> ScanAsync(string? modelName, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        NpgsqlConnection connection;
        NpgsqlCommand command;
        NpgsqlDataReader reader;
        try
        {
            (connection, command, reader) = await RetryAsync("scan", async token =>
            {
                var c = await _dataSource.OpenConnectionAsync(token).ConfigureAwait(false);
                var cmd = new NpgsqlCommand(modelName is null ? _schema.SelectMetadata : _schema.SelectMetadata + " WHERE model_name = $1", c);
                if (modelName is not null) cmd.Parameters.Add(Text(modelName));
                return (c, cmd, await cmd.ExecuteReaderAsync(token).ConfigureAwait(false));
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsStorageError(ex))
        {
            throw Failure("scan the records", null, ex);
        }
        await using (connection.ConfigureAwait(false))
        await using (command.ConfigureAwait(false))
        await using (reader.ConfigureAwait(false))
        {
            while (true)
            {
                object?[] row;
                try
                {
                    if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) yield break;
                    row = SqlDialect.ReadRow(reader);
                }
                catch (Exception ex) when (IsStorageError(ex))
                {
                    throw Failure("scan the records", null, ex);
                }
                string location = $"{_target} metadata#{row[0] as string ?? "(null id)"}";
                ScannedEntry entry;
                try
                {
                    entry = new ScannedEntry(location, _sql.ParseRecord(row), null);
                }
                catch (FormatException ex)
                {
                    entry = new ScannedEntry(location, null, ex.Message);
                }
                yield return entry;
            }
        }
    }

    /// <summary>
    /// The exact text the record was written with (it round-trips to the tick); rows written by hand without it
    /// fall back to the timestamptz column, which has the same microsecond precision.
    /// </summary>
    private static DateTimeOffset Timestamp(object? text, object? value)
    {
        if (text is string s && PythonTimestamp.TryParse(s, out var parsed)) return parsed;
        if (value is DateTime dt) return new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc));
        throw new FormatException($"timestamp_text '{text}' is not an ISO 8601 timestamp");
    }

    private void ReportCorrupt(string table, object? id, Exception ex)
    {
        string location = $"{_target} {table}#{id as string ?? "(null id)"}";
        PostgreSqlLog.CorruptRow(_context.Logger, location, ex.Message, ex);
        _context.ReportCorrupt(location, ex);
    }

    private static bool IsStorageError(Exception ex) => ex is NpgsqlException or IOException or TimeoutException;

    private ValueTask<T> RetryAsync<T>(string operation, Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken) =>
        _retry.ExecuteAsync(operation, async token => await action(token).ConfigureAwait(false), cancellationToken);

    // The constructor cannot await; it uses the same policy, sleeping.
    private void RunBlocking(string operation, Action action) => _retry.Execute(operation, () =>
    {
        action();
        return true;
    });

    private MetadataStorageException Failure(string operation, string? recordId, Exception ex, int batchSize = 0)
    {
        var message = SqlDialect.FailureMessage("PostgreSQL", operation, recordId, batchSize, _target);
        message.Append(ex is PostgresException pg ? $"{pg.SqlState}: {pg.MessageText}" : ex.Message);
        if (PostgreSqlTransientErrors.IsTransient(ex))
        {
            message.Append(CultureInfo.InvariantCulture, $" (still failing after retrying for {_retryTimeout.TotalSeconds:0.###} s)");
        }
        return new MetadataStorageException(message.ToString(), ex) { Backend = BackendName, Path = _target, RecordId = recordId };
    }

    /// <summary>A value to write and its PostgreSQL type (text unless said otherwise); <c>null</c> is SQL NULL.</summary>
    private readonly record struct Column(object? Value, NpgsqlDbType Type = NpgsqlDbType.Text)
    {
        public NpgsqlParameter Parameter() => new() { Value = Value ?? DBNull.Value, NpgsqlDbType = Type };

        public Task WriteAsync(NpgsqlBinaryImporter importer, CancellationToken cancellationToken) => Value switch
        {
            null => importer.WriteNullAsync(cancellationToken),
            string text => importer.WriteAsync(text, Type, cancellationToken),
            DateTime timestamp => importer.WriteAsync(timestamp, Type, cancellationToken),
            double number => importer.WriteAsync(number, Type, cancellationToken),
            _ => throw new UnreachableException($"No binary COPY of a {Value.GetType().Name} column."),
        };
    }

    // PostgreSQL: positional $n parameters typed explicitly, timestamps as timestamptz beside their exact text, free text
    // encoded where PostgreSQL cannot hold it (PostgreSqlText).
    private sealed class Dialect(PostgreSqlMetadataBackend backend) : SqlDialect
    {
        public override string Placeholder(string name, int position) => "$" + position.ToString(CultureInfo.InvariantCulture);

        public override DbParameter Parameter(SqlArg arg) => arg.Value switch
        {
            DateTime value => new NpgsqlParameter { Value = value, NpgsqlDbType = NpgsqlDbType.TimestampTz },
            int value => new NpgsqlParameter { Value = value, NpgsqlDbType = NpgsqlDbType.Integer },
            double value => new NpgsqlParameter { Value = value, NpgsqlDbType = NpgsqlDbType.Double },
            string[] value => new NpgsqlParameter { Value = value, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
            _ => PostgreSqlMetadataBackend.Text((string?)arg.Value),
        };

        public override object Bound(DateTimeOffset value) => RoundUpToMicroseconds(value).UtcDateTime;

        // Columns: ..., timestamp_text, ..., timestamp (the last one read).
        public override DateTimeOffset Timestamp(object?[] row, int column) => PostgreSqlMetadataBackend.Timestamp(row[column], row[^1]);

        public override string? Decode(string? stored) => PostgreSqlText.Decode(stored);

        protected override (string Json, string What) MetadataText(object?[] row) =>
            (row[8] as string ?? throw new FormatException("metadata_text is NULL"), "metadata_text");

        protected override void ReportCorrupt(string table, object? id, FormatException ex) => backend.ReportCorrupt(table, id, ex);
    }
}
