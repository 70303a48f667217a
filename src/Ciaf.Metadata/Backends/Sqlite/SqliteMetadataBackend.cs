using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Ciaf.Metadata.Backends.Sql;
using Ciaf.Metadata.Compression;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Ledger;
using Ciaf.Metadata.Retention;
using Ciaf.Metadata.Storage;
using Microsoft.Data.Sqlite;

namespace Ciaf.Metadata.Backends.Sqlite;

/// <summary>
/// Stores records in <c>&lt;root&gt;/ciaf_metadata.db</c>, in the Python reference's tables, so the reference
/// and this library can read and write one file side by side.
/// </summary>
/// <remarks>
/// <para>
/// One writer connection, guarded by a lock, with prepared statements reused across batches; each batch is
/// one <c>BEGIN IMMEDIATE</c> transaction of upserts (idempotent by id). Readers use separate pooled
/// connections, so in WAL mode reads never wait for the writer. <c>synchronous=FULL</c>: a batch is on disk
/// when <see cref="WriteAsync"/> completes.
/// </para>
/// <para>
/// Other processes (another instance, the Python reference) may write the same file at once: SQLite's busy
/// timeout plus a retry with exponential backoff absorb lock contention, so "database is locked" never
/// reaches the caller; past <see cref="BackendContext.BusyTimeout"/> a <see cref="MetadataStorageException"/> is thrown.
/// </para>
/// <para>
/// With <see cref="BackendContext.EnableCompression"/>, a record whose compact metadata JSON is larger than
/// <see cref="BackendContext.CompressionThresholdBytes"/> keeps its row in <c>metadata</c> with a marker in
/// <c>metadata_json</c> (<c>{"$ciaf_compressed": "zstd", "size": N}</c>) and its zstd-compressed metadata in
/// <c>ciaf_metadata_blobs</c>, written in the same transaction. Triggers delete the blob when the row is deleted or
/// rewritten with plain metadata, whoever does it. Reads recognise compressed rows whatever the setting.
/// </para>
/// </remarks>
public sealed partial class SqliteMetadataBackend : IMetadataBackend, IComplianceEventStore, IAuditLog, IStoreState, IRecordScanBackend, ISnapshotCapableBackend, IGuardedDeleteBackend, IStoreLayout
{
    /// <summary>The name this backend is registered under.</summary>
    public const string BackendName = "sqlite";

    /// <summary>Whether <paramref name="folder"/> holds a SQLite store (its database file); for tools that detect a store's backend.</summary>
    public static bool HoldsStore(string folder) => File.Exists(Path.Combine(folder, DatabaseFileName));

    /// <inheritdoc />
    public string ComplianceEventLocation(string id) => $"{DbPath}#compliance_events/{id}";

    /// <inheritdoc />
    public bool IsFileStore => false;

    /// <inheritdoc />
    public bool IsStoreFile(string relativePath) => false;

    /// <summary>The database file name inside the storage folder (the reference's).</summary>
    public const string DatabaseFileName = "ciaf_metadata.db";

    /// <summary>The journal modes <see cref="SqliteBackendOptions.JournalMode"/> may name.</summary>
    public static IReadOnlyList<string> SupportedJournalModes { get; } = ["WAL", "DELETE", "TRUNCATE", "PERSIST", "MEMORY", "OFF"];

    // Queries read in pages with keyset continuation: no read transaction stays open while the caller
    // consumes results (a long-lived snapshot would stop WAL checkpoints), and skipped rows (corrupt, or
    // filtered again in memory) never cut a limited result short.
    private const int PageSize = 512;
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteCorrupt = 11;
    private const int SqliteNotADatabase = 26;
    private static readonly string SelectRecords = $"SELECT {SqliteSchema.MetadataReadColumns} FROM metadata";

    private readonly BackendContext _context;
    private readonly Dialect _sql;
    private readonly TimeSpan _busyTimeout;
    private readonly TransientRetry _retry;
    private readonly int _busyTimeoutMs;
    private readonly string _readConnectionString;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SqliteConnection _writer;
    private readonly SqliteCheckpointer? _checkpointer; // WAL mode only
    private readonly SqliteRawStatement _upsertMetadata;
    private readonly SqliteRawStatement _upsertCompliance;
    private readonly SqliteRawStatement _upsertBlob;
    private readonly SqliteCommand _deleteMetadata;
    private readonly SqliteCommand _deleteCompliance;
    private readonly SqliteRawStatement _insertAudit;
    private readonly SqliteRawStatement _upsertState;
    private readonly SqliteRawStatement _deleteState;
    private readonly SqliteRawStatement _addState;
    private int _disposed;

    /// <summary>
    /// Opens (creating if missing) <c>&lt;StoragePath&gt;/ciaf_metadata.db</c>: applies the journal mode, busy timeout
    /// and <c>synchronous=FULL</c>, and creates the reference's tables and this library's indexes where missing.
    /// </summary>
    /// <param name="context">The storage folder, logger, busy timeout and corrupt-entry callback.</param>
    /// <param name="options">The journal mode (WAL when <c>null</c>).</param>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is <c>null</c>.</exception>
    /// <exception cref="ArgumentException">The storage path is empty, or the journal mode is not one of <see cref="SupportedJournalModes"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The busy timeout is negative.</exception>
    /// <exception cref="MetadataStorageException">
    /// The folder cannot be created or written, the file is not a SQLite database, or its tables are not the reference's.
    /// </exception>
    public SqliteMetadataBackend(BackendContext context, SqliteBackendOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (string.IsNullOrWhiteSpace(context.StoragePath))
        {
            throw new ArgumentException("BackendContext.StoragePath must be a folder path; it is empty.", nameof(context));
        }
        string requested = options?.JournalMode ?? SqliteBackendOptions.DefaultJournalMode;
        // PRAGMA values cannot be parameters: only the exact words of SupportedJournalModes are ever put into SQL.
        string journalMode = NormalizeJournalMode(requested) ?? throw new ArgumentException(
            $"SqliteBackendOptions.JournalMode '{requested}' is not a SQLite journal mode. Allowed: {string.Join(", ", SupportedJournalModes)}.",
            nameof(options));
        if (context.BusyTimeout < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(context), context.BusyTimeout,
                "BackendContext.BusyTimeout must be zero or positive.");
        }

        _context = context;
        _busyTimeout = context.BusyTimeout;
        _busyTimeoutMs = (int)Math.Min(int.MaxValue, context.BusyTimeout.TotalMilliseconds);
        StoragePath = Path.GetFullPath(context.StoragePath);
        DbPath = Path.Combine(StoragePath, DatabaseFileName);
        _sql = new Dialect(this);
        // Busy and locked are the transient errors: another connection holds the lock, until the busy timeout.
        _retry = StoreRetryPolicy.Transient(ex => ex is SqliteException sqlite && IsBusy(sqlite), _busyTimeout,
            firstDelay: TimeSpan.FromMilliseconds(10), maxDelay: TimeSpan.FromSeconds(1),
            (operation, _, attempt, delay) => SqliteLog.Busy(context.Logger, DbPath, operation, attempt, (int)delay.TotalMilliseconds));
        EnsureWritableFolder();

        // Microsoft.Data.Sqlite also retries SQLITE_BUSY itself until the command timeout (whole seconds).
        int commandTimeoutSeconds = (int)Math.Min(int.MaxValue, Math.Ceiling(context.BusyTimeout.TotalSeconds));
        var writeBuilder = new SqliteConnectionStringBuilder
        {
            DataSource = DbPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = false, // the writer lives as long as the backend; disposing it must really close the file
            DefaultTimeout = commandTimeoutSeconds,
            // The bundled SQLite enforces foreign keys by default; the reference never does (see SqliteSchema).
            ForeignKeys = false,
        };
        _readConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DbPath,
            Mode = SqliteOpenMode.ReadWrite, // not ReadOnly: the last connection to close checkpoints the WAL
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = commandTimeoutSeconds,
            ForeignKeys = false,
        }.ToString();

        _writer = new SqliteConnection(writeBuilder.ToString());
        try
        {
            if (OpenWriter(journalMode))
            {
                _checkpointer = new SqliteCheckpointer(new SqliteConnectionStringBuilder(_readConnectionString) { Pooling = false }.ToString(),
                    DbPath, context.Logger);
            }
            _upsertMetadata = PrepareRaw(SqliteSchema.UpsertMetadata);
            _upsertCompliance = PrepareRaw(SqliteSchema.UpsertCompliance);
            _upsertBlob = PrepareRaw(SqliteSchema.UpsertBlob);
            _deleteMetadata = Prepare("DELETE FROM metadata WHERE id = $id", "$id");
            _deleteCompliance = Prepare("DELETE FROM compliance_events WHERE id = $id", "$id");
            _insertAudit = PrepareRaw(SqliteSchema.InsertAudit);
            _upsertState = PrepareRaw(SqliteSchema.UpsertState);
            _deleteState = PrepareRaw(SqliteSchema.DeleteState);
            _addState = PrepareRaw(SqliteSchema.AddState);
            _insertLeaf = PrepareRaw("INSERT INTO ciaf_ledger (seq, kind, item_id, leaf, leaf_hash) VALUES ($seq, $kind, $item, $leaf, $hash)");
            _insertNode = PrepareRaw("INSERT OR REPLACE INTO ciaf_ledger_nodes (level, idx, hash) VALUES ($level, $idx, $hash)");
            _ledgerSize = Prepare("SELECT COALESCE(MAX(seq) + 1, 0) FROM ciaf_ledger");
            _insertCheckpoint = PrepareRaw("INSERT OR IGNORE INTO ciaf_ledger_checkpoints (tree_size, note, created_at) VALUES ($size, $note, $at)");
        }
        catch (SqliteException ex)
        {
            _checkpointer?.Dispose();
            _writer.Dispose();
            throw OpenFailure(ex);
        }
        catch
        {
            _checkpointer?.Dispose();
            _writer.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public string Name => BackendName;

    /// <inheritdoc />
    public string StoragePath { get; }

    /// <inheritdoc />
    /// <remarks>Always <c>&lt;StoragePath&gt;/ciaf_metadata.db</c>.</remarks>
    public string DbPath { get; }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A record is <c>null</c> or has no id.</exception>
    /// <exception cref="MetadataStorageException">The batch could not be written (e.g. disk full, lock held past the busy timeout); nothing of it was written.</exception>
    /// <exception cref="ObjectDisposedException">The backend was disposed.</exception>
    public async ValueTask WriteAsync(IReadOnlyList<MetadataRecord> records, CancellationToken cancellationToken = default)
    {
        if (!SqlDialect.CheckBatch(records, r => r.Id, nameof(records), Volatile.Read(ref _disposed) != 0, this)) return;

        // Serialize (and compress), and hash for the ledger, before taking the lock: that work needs no writer.
        var rows = new object?[records.Count][];
        var leaves = LeafDrafts(records.Count);
        string stamp = LeafDraft.Now();
        for (int i = 0; i < records.Count; i++)
        {
            var r = records[i];
            if (!r.HasMetadata) throw new ArgumentNullException($"records[{i}].Metadata");
            byte[] text = r.CompactUtf8; // ensure_ascii: the JSON is ASCII, one byte per character
            object json = new SqliteRawStatement.Utf8Text(text);
            byte[]? payload = null;
            long size = text.Length;
            if (_context.EnableCompression && size > _context.CompressionThresholdBytes)
            {
                payload = MetadataCompression.CompressZstd(text);
                json = CompressionMarker.Create(MetadataCompression.Zstd, size);
            }
            // The payload and its size ride after the row's columns; WriteRowsAsync stores them in the same transaction.
            rows[i] =
            [
                r.Id, r.ModelName, string.IsNullOrEmpty(r.ModelVersion) ? RecordJson.DefaultModelVersion : r.ModelVersion,
                r.Stage, r.EventType, PythonTimestamp.Format(r.Timestamp), r.MetadataHash, r.Details,
                json, payload, size,
            ];
            if (leaves is not null) leaves[i] = LeafDraft.ForRecord(r, stamp);
        }
        await WriteRowsAsync(_upsertMetadata, rows, "write", cancellationToken, leaves).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">An event is <c>null</c> or has no id.</exception>
    /// <exception cref="MetadataStorageException">The events could not be written; none of them was.</exception>
    /// <exception cref="ObjectDisposedException">The backend was disposed.</exception>
    public async ValueTask WriteComplianceEventsAsync(IReadOnlyList<ComplianceEvent> events, CancellationToken cancellationToken = default)
    {
        if (!SqlDialect.CheckBatch(events, e => e.Id, nameof(events), Volatile.Read(ref _disposed) != 0, this)) return;
        var rows = new object?[events.Count][];
        var leaves = LeafDrafts(events.Count);
        string stamp = LeafDraft.Now();
        for (int i = 0; i < events.Count; i++)
        {
            var e = events[i];
            rows[i] = [e.Id, e.MetadataId, e.Framework, e.ComplianceScore, e.ValidationStatus, PythonTimestamp.Format(e.Timestamp), e.Details];
            if (leaves is not null) leaves[i] = LeafDraft.ForEvent(e, stamp);
        }
        await WriteRowsAsync(_upsertCompliance, rows, "write compliance event", cancellationToken, leaves).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>A corrupt row is reported through <see cref="BackendContext.ReportCorrupt"/> and returned as <c>null</c>.</remarks>
    /// <exception cref="MetadataStorageException">The database could not be read.</exception>
    /// <exception cref="ObjectDisposedException">The backend was disposed.</exception>
    public async ValueTask<MetadataRecord?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        // A reader kept open with the statement prepared: opening a pooled connection, setting its pragmas and preparing
        // the SELECT cost three times the lookup itself (docs/performance.md).
        var reader = _idReaders.TryTake(out var kept) ? kept : null;
        bool reusable = false;
        try
        {
            reader ??= new IdReader(OpenReader(), SelectRecords + " WHERE id = $id");
            var command = reader.Command;
            command.Parameters[0].Value = id;
            var rows = await _retry.ExecuteAsync("read", token => new ValueTask<List<object?[]>>(SqlDialect.ReadRowsAsync(command, token)), cancellationToken)
                .ConfigureAwait(false);
            reusable = true;
            return rows.Count == 0 ? null : _sql.ToRecord(rows[0]);
        }
        catch (SqliteException ex)
        {
            throw Failure("read", id, ex);
        }
        finally
        {
            if (reader is not null) KeepOrClose(reader, reusable);
        }
    }

    // Readers kept for GetAsync, at most one per core (more concurrent gets open and close their own).
    private readonly System.Collections.Concurrent.ConcurrentBag<IdReader> _idReaders = [];

    private void KeepOrClose(IdReader reader, bool reusable)
    {
        if (!reusable || Volatile.Read(ref _disposed) != 0 || _idReaders.Count >= Environment.ProcessorCount)
        {
            reader.Dispose();
            return;
        }
        _idReaders.Add(reader);
        if (Volatile.Read(ref _disposed) != 0) CloseIdReaders(); // disposed meanwhile: DisposeAsync may have drained already
    }

    private void CloseIdReaders()
    {
        while (_idReaders.TryTake(out var reader)) reader.Dispose();
    }

    private sealed class IdReader : IDisposable
    {
        private readonly SqliteConnection _connection;

        public IdReader(SqliteConnection connection, string sql)
        {
            _connection = connection;
            Command = connection.CreateCommand();
            try
            {
                Command.CommandText = sql;
                Command.Parameters.Add(new SqliteParameter { ParameterName = "$id" });
                Command.Prepare();
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public SqliteCommand Command { get; }

        public void Dispose()
        {
            Command.Dispose();
            _connection.Dispose();
        }
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
        return ReadPagedAsync(KeysetQuery.Records(_sql, SelectRecords, query), query.Limit, _sql.ToRecord, query.Matches, cancellationToken);
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
        return ReadPagedAsync(KeysetQuery.ComplianceEvents(_sql, $"SELECT {SqliteSchema.ComplianceColumns} FROM compliance_events", query),
            query.Limit, _sql.ToComplianceEvent, query.Matches, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>Oldest first, read in pages (no read transaction stays open); corrupt rows come with their error.</remarks>
    /// <exception cref="MetadataStorageException">The database could not be read.</exception>
    /// <exception cref="ObjectDisposedException">The backend was disposed.</exception>
    public IAsyncEnumerable<ScannedEntry> ScanAsync(string? modelName, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return ReadPagedAsync(new KeysetQuery(_sql, SelectRecords, descending: false).Where("model_name", "=", "model_name", modelName),
            limit: null, ToScannedEntry, static _ => true, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>
    /// SQLite's online backup API copies every page in one step under a read lock, so the copy is one
    /// consistent point in time while writers (this process or others) keep writing; in WAL mode they are
    /// never blocked. The copy is switched to the <c>DELETE</c> journal mode so it is one self-contained file.
    /// </remarks>
    /// <exception cref="MetadataStorageException">The backup failed.</exception>
    /// <exception cref="ObjectDisposedException">The backend was disposed.</exception>
    public async ValueTask<IReadOnlyList<string>> SnapshotAsync(string folder, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        string target = Path.Combine(folder, DatabaseFileName);
        string targetConnection = new SqliteConnectionStringBuilder
        {
            DataSource = target,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString();
        try
        {
            await WithRetryAsync("backup", () =>
            {
                using var source = new SqliteConnection(_readConnectionString);
                source.Open();
                using var destination = new SqliteConnection(targetConnection);
                destination.Open();
                source.BackupDatabase(destination);
                using var command = destination.CreateCommand();
                command.CommandText = "PRAGMA journal_mode = DELETE";
                command.ExecuteNonQuery();
                return 0;
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException ex)
        {
            throw Failure("backup", null, ex);
        }
        return [DatabaseFileName];
    }

    /// <inheritdoc />
    /// <remarks>All ids are deleted in one transaction.</remarks>
    /// <exception cref="MetadataStorageException">The delete failed; nothing was deleted.</exception>
    /// <exception cref="ObjectDisposedException">The backend was disposed.</exception>
    public ValueTask<int> DeleteAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default) =>
        DeleteCoreAsync(_deleteMetadata, ids, "delete", cancellationToken, LeafDraft.OfRecord, "delete");

    /// <inheritdoc />
    /// <remarks>All ids are deleted in one transaction.</remarks>
    /// <exception cref="MetadataStorageException">The delete failed; nothing was deleted.</exception>
    /// <exception cref="ObjectDisposedException">The backend was disposed.</exception>
    public ValueTask<int> DeleteComplianceEventsAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default) =>
        DeleteCoreAsync(_deleteCompliance, ids, "delete compliance event", cancellationToken, LeafDraft.OfComplianceEvent, "delete");

    /// <inheritdoc />
    /// <remarks>
    /// The guards are read and the entries deleted in one <c>BEGIN IMMEDIATE</c> transaction, which holds the database's
    /// write lock as <see cref="WriteStateAsync"/>'s own transaction does: a state write is wholly before (and seen) or after.
    /// </remarks>
    /// <exception cref="MetadataStorageException">The delete failed; nothing was deleted.</exception>
    /// <exception cref="ObjectDisposedException">The backend was disposed.</exception>
    public async ValueTask<GuardedDeleteResult> DeleteUnlessGuardedAsync(GuardedDeletion deletion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deletion);
        StateScopes.Validate(deletion.Scope);
        IReadOnlyList<string> kept = [];
        var command = deletion.Kind == CleanupItemKind.Record ? _deleteMetadata : _deleteCompliance;
        int deleted = await DeleteCoreAsync(command, [.. deletion.GuardKeys.Keys],
            deletion.Kind == CleanupItemKind.Record ? "delete" : "delete compliance event", cancellationToken,
            deletion.Kind == CleanupItemKind.Record ? LeafDraft.OfRecord : LeafDraft.OfComplianceEvent, deletion.Reason, tx =>
            {
                var set = new HashSet<string>(StringComparer.Ordinal);
                using var read = _writer.CreateCommand();
                read.Transaction = tx;
                read.CommandText = "SELECT key FROM ciaf_state WHERE scope = $scope";
                read.Parameters.AddWithValue("$scope", deletion.Scope);
                using (var reader = read.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        if (reader.GetValue(0) is string key) set.Add(key);
                    }
                }
                (var delete, kept) = deletion.Partition(set.Contains);
                return delete;
            }).ConfigureAwait(false);
        return new GuardedDeleteResult(deleted, kept);
    }

    /// <inheritdoc />
    /// <remarks>Counts rows, corrupt ones included.</remarks>
    /// <exception cref="MetadataStorageException">The database could not be read.</exception>
    /// <exception cref="ObjectDisposedException">The backend was disposed.</exception>
    public async ValueTask<long> CountAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var rows = await ReadRowsAsync("count", "SELECT COUNT(*) FROM metadata", [], cancellationToken).ConfigureAwait(false);
        return Convert.ToInt64(rows[0][0], CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    /// <remarks>The database file plus its <c>-wal</c> and <c>-shm</c> files.</remarks>
    public long SizeOnDisk()
    {
        long total = 0;
        foreach (var path in (ReadOnlySpan<string>)[DbPath, DbPath + "-wal", DbPath + "-shm"])
        {
            try
            {
                var info = new FileInfo(path);
                if (info.Exists) total += info.Length;
            }
            catch (IOException)
            {
                // Removed between the check and the read (e.g. the WAL after a checkpoint): counts as 0.
            }
        }
        return total;
    }

    /// <summary>
    /// Waits for a write in progress, closes the writer and the pooled readers, so the file is released
    /// (and, in WAL mode, checkpointed by SQLite). Idempotent.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            _upsertMetadata.Dispose();
            _upsertCompliance.Dispose();
            _upsertBlob.Dispose();
            _deleteMetadata.Dispose();
            _deleteCompliance.Dispose();
            _insertAudit.Dispose();
            _upsertState.Dispose();
            _deleteState.Dispose();
            _addState.Dispose();
            _insertLeaf.Dispose();
            _insertNode.Dispose();
            _ledgerSize.Dispose();
            _insertCheckpoint.Dispose();
            CloseIdReaders();
            _checkpointer?.Dispose();
            _writer.Dispose();
        }
        finally
        {
            _writeLock.Release();
        }
        using var pooled = new SqliteConnection(_readConnectionString);
        SqliteConnection.ClearPool(pooled);
    }

    /// <summary>The journal mode as SQL names it (one of <see cref="SupportedJournalModes"/>; blank means WAL), or <c>null</c> if it is none.</summary>
    internal static string? NormalizeJournalMode(string? journalMode)
    {
        string mode = string.IsNullOrWhiteSpace(journalMode) ? SqliteBackendOptions.DefaultJournalMode : journalMode.Trim().ToUpperInvariant();
        return SupportedJournalModes.Contains(mode) ? mode : null;
    }

    private void EnsureWritableFolder()
    {
        try
        {
            Directory.CreateDirectory(StoragePath);
            // SQLite needs to create files next to the database (-wal, -shm, -journal): check the folder, not just the file.
            string probe = Path.Combine(StoragePath, $"{StoreFolders.WriteProbePrefix}{Environment.ProcessId}-{Guid.NewGuid():N}");
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new MetadataStorageException(
                $"SQLite backend: storage folder '{StoragePath}' cannot be created or written: {ex.Message}", ex)
            {
                Backend = BackendName,
                Path = StoragePath,
            };
        }
    }

    // Returns whether the database is in WAL mode.
    private bool OpenWriter(string journalMode)
    {
        _writer.Open();
        if (SQLitePCL.raw.sqlite3_db_readonly(_writer.Handle, "main") == 1)
        {
            throw new MetadataStorageException($"SQLite backend: database '{DbPath}' is read-only (check the file's permissions).")
            {
                Backend = BackendName,
                Path = DbPath,
            };
        }
        Execute($"PRAGMA busy_timeout = {_busyTimeoutMs.ToString(CultureInfo.InvariantCulture)}");

        // The first statement that reads the file: a file that is not a database fails here (SQLITE_NOTADB).
        // Changing the journal mode needs a lock other processes opening the same file may hold: retried.
        string actual = RunWithRetryBlocking("set journal mode", () =>
            Convert.ToString(Scalar($"PRAGMA journal_mode = {journalMode}"), CultureInfo.InvariantCulture) ?? string.Empty);
        if (!string.Equals(actual, journalMode, StringComparison.OrdinalIgnoreCase))
        {
            SqliteLog.JournalModeNotApplied(_context.Logger, DbPath, journalMode, actual);
        }
        // FULL: a committed batch survives power loss (in WAL mode NORMAL could lose the last commits).
        Execute("PRAGMA synchronous = FULL");
        // What a write replaces or deletes is overwritten with zeros, not left in free pages: a destroyed data subject's
        // key (crypto-shredding) or a record removed by cleanup cannot be read back from the file.
        Execute("PRAGMA secure_delete = ON");
        bool wal = string.Equals(actual, "wal", StringComparison.OrdinalIgnoreCase);
        // The log is checkpointed on a thread of its own (SqliteCheckpointer); SQLite's own, on this connection, is the bound.
        if (wal) Execute($"PRAGMA wal_autocheckpoint = {SqliteCheckpointer.FallbackPages.ToString(CultureInfo.InvariantCulture)}");
        EnsureSchema();
        return wal;
    }

    private void EnsureSchema()
    {
        var existing = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        using (var command = _writer.CreateCommand())
        {
            command.CommandText = "SELECT name FROM sqlite_master WHERE type IN ('table', 'index', 'trigger')";
            RunWithRetryBlocking("read schema", () =>
            {
                existing.Clear();
                using var reader = command.ExecuteReader();
                while (reader.Read()) existing.Add(reader.GetString(0));
                return 0;
            });
        }

        // A table of the same name from another application: refuse it before touching anything.
        foreach (var (table, columns) in SqliteSchema.RequiredColumns)
        {
            if (!existing.Contains(table)) continue;
            var present = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            using var command = _writer.CreateCommand();
            command.CommandText = "SELECT name FROM pragma_table_info($table)";
            command.Parameters.AddWithValue("$table", table);
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read()) present.Add(reader.GetString(0));
            }
            var missing = columns.Where(c => !present.Contains(c)).ToList();
            if (missing.Count > 0)
            {
                throw new MetadataStorageException(
                    $"SQLite backend: '{DbPath}' is not a CIAF metadata store: table '{table}' lacks column(s) {string.Join(", ", missing)}.")
                {
                    Backend = BackendName,
                    Path = DbPath,
                };
            }
        }

        bool complete = existing.Contains("metadata") && existing.Contains("audit_trail") && existing.Contains("compliance_events")
            && existing.Contains(SqliteSchema.VersionTable) && SqliteSchema.Indexes.All(i => existing.Contains(i.Name))
            && SqliteSchema.OwnTables.All(t => existing.Contains(t.Name))
            && SqliteSchema.CompressionObjects.All(o => existing.Contains(o.Name));
        if (!complete)
        {
            // Only when something is missing: opening a complete store takes no write lock, so many
            // processes can open one store at once without queueing on each other.
            RunWithRetryBlocking("create schema", () =>
            {
                using var tx = _writer.BeginTransaction(IsolationLevel.Serializable, deferred: false);
                foreach (var sql in SqliteSchema.Tables) Execute(sql, tx);
                foreach (var (_, sql) in SqliteSchema.OwnTables) Execute(sql, tx);
                if (!existing.Contains(SqliteSchema.LedgerTable)) StartLedgerIfEmpty(tx, hadMetadata: existing.Contains("metadata"));
                foreach (var (_, sql) in SqliteSchema.Indexes) Execute(sql, tx);
                foreach (var (_, sql) in SqliteSchema.CompressionObjects) Execute(sql, tx);
                Execute(SqliteSchema.CreateVersionTable, tx);
                using (var insert = _writer.CreateCommand())
                {
                    insert.Transaction = tx;
                    insert.CommandText = SqliteSchema.InsertVersion;
                    insert.Parameters.AddWithValue("$version", SqliteSchema.Version);
                    insert.Parameters.AddWithValue("$applied_at", PythonTimestamp.Format(PythonTimestamp.Now()));
                    insert.ExecuteNonQuery();
                }
                tx.Commit();
                return 0;
            });
            SqliteLog.SchemaCreated(_context.Logger, DbPath, SqliteSchema.Version);
        }

        if (Scalar($"SELECT MAX(version) FROM {SqliteSchema.VersionTable}") is long found && found > SqliteSchema.Version)
        {
            SqliteLog.NewerSchema(_context.Logger, DbPath, found, SqliteSchema.Version);
        }
    }

    private SqliteRawStatement PrepareRaw(string sql) => new(_writer, sql);

    private SqliteCommand Prepare(string sql, params string[] parameterNames)
    {
        var command = _writer.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameterNames) command.Parameters.Add(new SqliteParameter { ParameterName = name });
        command.Prepare();
        return command;
    }

    // Writes of this many leaves and more make them ahead, on another thread (below, a thread hop costs more than it saves).
    private const int MakeLeavesAheadFrom = 32;

    // leaves, when given, holds each row's ledger leaf (appended if the row changed something).
    private async ValueTask WriteRowsAsync(SqliteRawStatement command, object?[][] rows, string operation, CancellationToken cancellationToken,
        IReadOnlyList<LeafDraft?>? leaves = null) =>
        await InWriteTransactionAsync(operation, _ => Enumerable.Range(0, rows.Length), i => Convert.ToString(rows[i][0], CultureInfo.InvariantCulture)!, (tx, i) =>
        {
            var row = rows[i];
            int columns = command.ParameterCount;
            int changed = command.Execute(row.AsSpan(0, columns));
            if (row.Length > columns && row[columns] is byte[] payload)
            {
                // A metadata row's compressed payload (see WriteAsync). The row's marker was written first, so
                // the update trigger, which fires on plain metadata only, has left any earlier blob alone.
                _upsertBlob.Execute([row[0], MetadataCompression.Zstd, row[columns + 1], payload]);
            }
            return changed;
        }, Convert.ToString(rows[0][0], CultureInfo.InvariantCulture)!, rows.Length, cancellationToken, leaves is null ? null : (i, changed) => changed > 0 ? leaves[i] : null,
            leaves is { Count: >= MakeLeavesAheadFrom } && leaves.All(l => l is not null) ? [.. leaves.Select(l => l!)] : null).ConfigureAwait(false);

    // select, when given, picks the ids to delete inside the transaction (before any delete), from the ids given.
    // Each id deleted leaves a tombstone (of: "record" or "compliance_event") saying why.
    private async ValueTask<int> DeleteCoreAsync(SqliteCommand command, IReadOnlyCollection<string> ids, string operation, CancellationToken cancellationToken,
        string of, string reason, Func<SqliteTransaction, IEnumerable<string>>? select = null)
    {
        if (SqlDialect.DistinctIds(ids, Volatile.Read(ref _disposed) != 0, this) is not { } distinct) return 0;
        string timestamp = LeafDraft.Now();
        return await InWriteTransactionAsync(operation, tx => select?.Invoke(tx) ?? distinct, id => id, (tx, id) =>
        {
            command.Transaction = tx;
            command.Parameters[0].Value = id;
            return command.ExecuteNonQuery();
        }, distinct.First(), distinct.Count, cancellationToken,
            (id, changed) => changed > 0 ? LeafDraft.ForTombstone(of, id, reason, timestamp) : null).ConfigureAwait(false);
    }

    // One BEGIN IMMEDIATE transaction on the writer, under the write lock, busy errors retried: execute runs for each
    // item (returning the rows it changed); leafOf, when given, names each item's ledger leaf, appended in the same
    // transaction when the ledger is active. A failure names the item it was at, or (a failed commit has no single
    // culprit) the batch by its first id.
    // expectedLeaves, when given, are the leaves the write appends if every item changes something: they are made on
    // another thread (texts, hashes, subtrees) while the items are written, and used if so (LedgerAppender.MakeAhead).
    private async ValueTask<int> InWriteTransactionAsync<T>(string operation, Func<SqliteTransaction, IEnumerable<T>> items, Func<T, string> id,
        Func<SqliteTransaction, T, int> execute, string firstId, int count, CancellationToken cancellationToken,
        Func<T, int, LeafDraft?>? leafOf = null, IReadOnlyList<LeafDraft>? expectedLeaves = null)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        // The item being written, named (by id) only if it fails.
        (bool Any, T Item) current = default;
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            return await WithRetryAsync(operation, () =>
            {
                int changed = 0;
                current = default;
                List<LeafDraft>? leaves = null;
                using var tx = _writer.BeginTransaction(IsolationLevel.Serializable, deferred: false);
                var ahead = expectedLeaves is null ? null : _ledger.MakeAhead(expectedLeaves);
                foreach (var item in items(tx))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    current = (true, item);
                    int itemChanged = execute(tx, item);
                    changed += itemChanged;
                    if (leafOf?.Invoke(item, itemChanged) is { } leaf) (leaves ??= []).Add(leaf);
                }
                current = default;
                LedgerAppender.Pending? appended = null;
                try
                {
                    if (leaves is not null && LedgerActive(tx)) appended = AppendLeaves(tx, leaves, ahead);
                    tx.Commit();
                }
                catch
                {
                    _ledger.Invalidate();
                    throw;
                }
                if (appended is not null) _ledger.Accept(appended);
                _checkpointer?.Written(_writer);
                return changed;
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException ex)
        {
            throw Failure(operation, current.Any ? id(current.Item) : firstId, ex, count);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async IAsyncEnumerable<T> ReadPagedAsync<T>(KeysetQuery query, int? limit, Func<object?[], T?> materialize, Func<T, bool> matches,
        [EnumeratorCancellation] CancellationToken cancellationToken, int timestampColumn = 5)
        where T : class
    {
        if (limit == 0) yield break;
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        SqliteConnection connection;
        try
        {
            connection = OpenReader();
        }
        catch (SqliteException ex)
        {
            throw Failure("query", null, ex);
        }
        using (connection)
        {
            // One connection for all the pages; timestampColumn: 5 for metadata and compliance_events, 3 for audit_trail.
            var items = query.ReadAsync(PageSize, limit, timestampColumn,
                (sql, args, token) => ReadRowsAsync("query", sql, args, token, connection), materialize, matches, cancellationToken);
            await foreach (var item in items.ConfigureAwait(false)) yield return item;
        }
    }

    // One statement on a pooled reader connection (or the one given), busy errors retried. Microsoft.Data.Sqlite is
    // synchronous: the rows are read on the calling thread.
    private async ValueTask<List<object?[]>> ReadRowsAsync(string operation, string sql, IReadOnlyList<SqlArg> args,
        CancellationToken cancellationToken, SqliteConnection? connection = null, string? recordId = null)
    {
        try
        {
            using var owned = connection is null ? OpenReader() : null;
            using var command = (connection ?? owned!).CreateCommand();
            command.CommandText = sql;
            _sql.Bind(command, args);
            return await _retry.ExecuteAsync(operation, token => new ValueTask<List<object?[]>>(SqlDialect.ReadRowsAsync(command, token)), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (SqliteException ex)
        {
            throw Failure(operation, recordId, ex);
        }
    }

    private ScannedEntry ToScannedEntry(object?[] row)
    {
        string location = $"{DbPath}#{row[0] as string ?? "(null id)"}";
        try
        {
            return new ScannedEntry(location, _sql.ParseRecord(row), null);
        }
        catch (FormatException ex)
        {
            ReportCorrupt(row[0], ex);
            return new ScannedEntry(location, null, ex.Message);
        }
    }

    /// <summary>A compressed row's metadata JSON, expanded no further than the store's limit.</summary>
    /// <exception cref="FormatException">The blob is corrupt, disagrees with its marker, or would expand past <c>max_metadata_bytes</c>.</exception>
    private string ExpandBlob(byte[] payload, string? blobCodec, string codec, long size)
    {
        if (blobCodec is not null && !string.Equals(blobCodec, codec, StringComparison.Ordinal))
        {
            throw new FormatException($"the marker names codec '{codec}' but the blob row says '{blobCodec}'");
        }
        if (size > _context.MaxMetadataBytes)
        {
            throw new FormatException(
                $"the compressed metadata declares {size} bytes, past the store's limit of {_context.MaxMetadataBytes} (max_metadata_bytes); refused without expanding it");
        }
        byte[] expanded;
        try
        {
            expanded = MetadataCompression.Decompress(payload, codec, _context.MaxMetadataBytes, "max_metadata_bytes");
        }
        catch (InvalidDataException ex)
        {
            throw new FormatException(ex.Message, ex);
        }
        if (expanded.Length != size)
        {
            throw new FormatException($"the compressed metadata expands to {expanded.Length} bytes, not the {size} its marker declares");
        }
        return Encoding.UTF8.GetString(expanded);
    }

    private void ReportCorrupt(object? id, Exception ex)
    {
        string location = $"{DbPath}#{id as string ?? "(null id)"}";
        SqliteLog.CorruptRow(_context.Logger, location, ex.Message, ex);
        _context.ReportCorrupt(location, ex);
    }

    private SqliteConnection OpenReader()
    {
        var connection = new SqliteConnection(_readConnectionString);
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            // Pooled connections keep these; setting them again is cheap. query_only guards against misuse.
            command.CommandText = $"PRAGMA busy_timeout = {_busyTimeoutMs.ToString(CultureInfo.InvariantCulture)}; PRAGMA query_only = 1";
            command.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static bool IsBusy(SqliteException ex) => (ex.SqliteErrorCode & 0xFF) is SqliteBusy or SqliteLocked;


    // Microsoft.Data.Sqlite is synchronous. A write or backup may wait (busy timeout) for another process's lock and
    // then fsyncs, so it runs on the thread pool, never on the caller's thread.
    private ValueTask<T> WithRetryAsync<T>(string operation, Func<T> action, CancellationToken cancellationToken) =>
        _retry.ExecuteAsync(operation, async token =>
        {
            token.ThrowIfCancellationRequested();
            return await Task.Run(action, token).ConfigureAwait(false);
        }, cancellationToken);

    private T RunWithRetryBlocking<T>(string operation, Func<T> action) => _retry.Execute(operation, action);

    private MetadataStorageException Failure(string operation, string? recordId, SqliteException ex, int batchSize = 0)
    {
        var message = SqlDialect.FailureMessage("SQLite", operation, recordId, batchSize, $"'{DbPath}'");
        message.Append(IsBusy(ex)
            ? $"the database stayed locked by another connection for longer than the busy timeout ({_busyTimeout.TotalSeconds:0.###} s)."
            : ex.Message);
        return new MetadataStorageException(message.ToString(), ex) { Backend = BackendName, Path = DbPath, RecordId = recordId };
    }

    private MetadataStorageException OpenFailure(SqliteException ex)
    {
        string reason = (ex.SqliteErrorCode & 0xFF) switch
        {
            SqliteNotADatabase => "the file is not a SQLite database",
            SqliteCorrupt => "the database file is corrupt",
            _ when IsBusy(ex) => $"the database stayed locked for longer than the busy timeout ({_busyTimeout.TotalSeconds:0.###} s)",
            _ => ex.Message,
        };
        return new MetadataStorageException($"SQLite backend could not open '{DbPath}': {reason}.", ex) { Backend = BackendName, Path = DbPath };
    }

    private void Execute(string sql, SqliteTransaction? transaction = null)
    {
        using var command = _writer.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private object? Scalar(string sql)
    {
        using var command = _writer.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    // The reference's file: named $parameters, timestamps as ISO text (whose text order is chronological), columns
    // checked strictly (another program may have written anything), metadata possibly compressed into a blob.
    private sealed class Dialect(SqliteMetadataBackend backend) : SqlDialect
    {
        // SQLite lets a TEXT PRIMARY KEY of a rowid table hold NULL; such a row is no record and cannot be paged past.
        public override string RowCondition => "id IS NOT NULL";

        public override string Placeholder(string name, int position) => "$" + name;

        public override DbParameter Parameter(SqlArg arg) => new SqliteParameter("$" + arg.Name, arg.Value ?? DBNull.Value);

        public override object Bound(DateTimeOffset value) => PythonTimestamp.Format(RoundUpToMicroseconds(value));

        public override DateTimeOffset Timestamp(object?[] row, int column)
        {
            string text = Required(row[column], "timestamp");
            return PythonTimestamp.TryParse(text, out var timestamp)
                ? timestamp
                : throw new FormatException($"timestamp '{text}' is not an ISO 8601 timestamp");
        }

        // Columns 8-10: metadata_json, then the blob's codec and payload (NULL unless compressed).
        protected override (string Json, string What) MetadataText(object?[] row)
        {
            string json = Text(row[8], "metadata_json") ?? throw new FormatException("metadata_json is NULL");
            return row[10] is byte[] payload && CompressionMarker.TryParse(json, out string codec, out long size)
                ? (backend.ExpandBlob(payload, row[9] as string, codec, size), "the compressed metadata")
                : (json, "metadata_json");
        }

        protected override void ReportCorrupt(string table, object? id, FormatException ex) => backend.ReportCorrupt(id, ex);
    }
}
