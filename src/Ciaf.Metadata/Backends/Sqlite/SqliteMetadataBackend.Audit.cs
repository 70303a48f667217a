using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Backends.Sql;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Ledger;
using Ciaf.Metadata.Storage;
using Microsoft.Data.Sqlite;

namespace Ciaf.Metadata.Backends.Sqlite;

// The audit trail (the reference's audit_trail table, columns unchanged, plus our indexes on
// (timestamp, id) and (parent_id, timestamp, id)) and the store state (our ciaf_state table).
public sealed partial class SqliteMetadataBackend
{
    private const int AuditTimestampColumn = 3;

    /// <inheritdoc />
    /// <remarks>One transaction per batch; <c>INSERT OR IGNORE</c>, so a retried batch adds nothing twice.</remarks>
    /// <exception cref="ArgumentException">An entry is null or has no id.</exception>
    /// <exception cref="MetadataStorageException">The batch could not be written; none of it was.</exception>
    /// <exception cref="ObjectDisposedException">The backend was disposed.</exception>
    public async ValueTask WriteAuditAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default)
    {
        if (!SqlDialect.CheckBatch(entries, e => e.Id, nameof(entries), Volatile.Read(ref _disposed) != 0, this)) return;
        var rows = new object?[entries.Count][];
        var leaves = LeafDrafts(entries.Count);
        string stamp = LeafDraft.Now();
        for (int i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            rows[i] = [e.Id, e.ParentId, e.Action, PythonTimestamp.Format(e.Timestamp), e.UserId, e.Details];
            if (leaves is not null) leaves[i] = LeafDraft.ForAudit(e, stamp);
        }
        // INSERT OR IGNORE: an entry already stored (a retried batch) changes nothing and gets no second leaf.
        await WriteRowsAsync(_insertAudit, rows, "write audit entry", cancellationToken, leaves).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">The limit is negative.</exception>
    /// <exception cref="MetadataStorageException">The database could not be read.</exception>
    /// <exception cref="ObjectDisposedException">The backend was disposed.</exception>
    public IAsyncEnumerable<AuditEntry> QueryAuditAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Limit < 0) throw new ArgumentOutOfRangeException(nameof(query), query.Limit, "AuditQuery.Limit must be zero or positive.");
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return ReadPagedAsync(KeysetQuery.Audit(_sql, $"SELECT {SqliteSchema.AuditColumns} FROM audit_trail", query), query.Limit,
            _sql.ToAuditEntry, query.Matches, cancellationToken, AuditTimestampColumn);
    }

    /// <inheritdoc />
    /// <exception cref="MetadataStorageException">The database could not be read.</exception>
    /// <exception cref="ObjectDisposedException">The backend was disposed.</exception>
    public async ValueTask<IReadOnlyDictionary<string, string>> ReadStateAsync(string scope, CancellationToken cancellationToken = default)
    {
        StateScopes.Validate(scope);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var rows = await ReadRowsAsync("read state", "SELECT key, value FROM ciaf_state WHERE scope = $scope", [new("scope", scope)], cancellationToken)
            .ConfigureAwait(false);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (row[0] is string key && row[1] is string value) result[key] = value;
            else ReportCorrupt($"ciaf_state/{scope}", new FormatException("a state row has a NULL or non-text key or value"));
        }
        return result;
    }

    /// <inheritdoc />
    /// <exception cref="MetadataStorageException">The state could not be written.</exception>
    /// <exception cref="ObjectDisposedException">The backend was disposed.</exception>
    public async ValueTask WriteStateAsync(string scope, string key, string? value, CancellationToken cancellationToken = default)
    {
        StateScopes.Validate(scope);
        ArgumentException.ThrowIfNullOrEmpty(key);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        // A legal hold placed or released, a data subject erased: a leaf of the ledger, in the same transaction.
        LeafDraft?[]? leaves = _context.LedgerEnabled && LeafDraft.ForState(scope, key, value, LeafDraft.Now()) is { } leaf ? [leaf] : null;
        if (value is null)
        {
            await WriteRowsAsync(_deleteState, [[scope, key]], "remove state", cancellationToken, leaves).ConfigureAwait(false);
        }
        else
        {
            await WriteRowsAsync(_upsertState, [[scope, key, value, PythonTimestamp.Format(PythonTimestamp.Now())]], "write state", cancellationToken, leaves)
                .ConfigureAwait(false);
        }
        // A subject's key replaced by its erasure: the old value was zeroed in the database (secure_delete), and the WAL,
        // which still holds the page as it was, is folded into the database and emptied.
        if (scope == StateScopes.SubjectKeys) await TruncateWalAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <exception cref="MetadataStorageException">The database could not be read.</exception>
    /// <exception cref="ObjectDisposedException">The backend was disposed.</exception>
    public async ValueTask<string?> ReadStateEntryAsync(string scope, string key, CancellationToken cancellationToken = default)
    {
        StateScopes.Validate(scope);
        ArgumentException.ThrowIfNullOrEmpty(key);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var rows = await ReadRowsAsync("read state", "SELECT value FROM ciaf_state WHERE scope = $scope AND key = $key",
            [new("scope", scope), new("key", key)], cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0][0] as string;
    }

    /// <inheritdoc />
    /// <exception cref="MetadataStorageException">The state could not be written or read back.</exception>
    /// <exception cref="ObjectDisposedException">The backend was disposed.</exception>
    public async ValueTask<string> AddStateAsync(string scope, string key, string value, CancellationToken cancellationToken = default)
    {
        StateScopes.Validate(scope);
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await WriteRowsAsync(_addState, [[scope, key, value, PythonTimestamp.Format(PythonTimestamp.Now())]], "write state", cancellationToken).ConfigureAwait(false);
        return await ReadStateEntryAsync(scope, key, cancellationToken).ConfigureAwait(false)
            ?? throw Failure("write state", key, new SqliteException($"the state entry {scope}/{key} vanished as it was added", 0));
    }

    // A checkpoint under way elsewhere would make this one return at once, the log not emptied: the background one is waited for.
    private async ValueTask TruncateWalAsync(CancellationToken cancellationToken)
    {
        var gate = _checkpointer?.Gate;
        if (gate is not null) await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await ExecuteOnWriterAsync("empty the write-ahead log", "PRAGMA wal_checkpoint(TRUNCATE)", cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate?.Release();
        }
    }

    // One statement on the writer connection, under the write lock, busy errors retried.
    private async ValueTask ExecuteOnWriterAsync(string operation, string sql, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _retry.ExecuteAsync(operation, _ =>
            {
                Execute(sql);
                return ValueTask.FromResult(true);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException ex)
        {
            throw Failure(operation, null, ex);
        }
        finally
        {
            _writeLock.Release();
        }
    }
}
