using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Backends.Sql;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Ledger;
using Ciaf.Metadata.Retention;
using Ciaf.Metadata.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Ciaf.Metadata.PostgreSql;

// The audit trail (audit_trail, indexes on (timestamp, id) and (parent_id, timestamp, id)) and the store
// state (ciaf_state, one row per scope and key).
public sealed partial class PostgreSqlMetadataBackend
{
    /// <inheritdoc />
    /// <remarks>
    /// One entry: a parameterized insert; several: binary <c>COPY</c> into the table, or, when an id is already there,
    /// into a temporary table, then one insert, in one transaction. <c>ON CONFLICT (id) DO NOTHING</c>: a retried batch
    /// adds nothing twice and never changes an entry.
    /// </remarks>
    /// <exception cref="ArgumentException">An entry is null or has no id.</exception>
    /// <exception cref="MetadataStorageException">The batch could not be written (after retrying transient errors); none of it was.</exception>
    /// <exception cref="ObjectDisposedException">The backend was disposed.</exception>
    public async ValueTask WriteAuditAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default)
    {
        if (!SqlDialect.CheckBatch(entries, e => e.Id, nameof(entries), Volatile.Read(ref _disposed) != 0, this)) return;
        Column[][] rows =
        [
            .. entries.Select(e => new Column[]
            {
                new(e.Id), new(e.ParentId), new(e.Action), new(e.Timestamp.UtcDateTime, NpgsqlDbType.TimestampTz), new(PythonTimestamp.Format(e.Timestamp)),
                new(e.UserId), new(e.Details),
            }),
        ];
        // A retried batch whose first attempt committed appends its leaves again: the same content, so verify still agrees.
        string stamp = LeafDraft.Now();
        await WriteRowsAsync("write audit entry", rows, _schema.InsertAudit, _schema.CopyAudit, PostgreSqlSchema.CreateAuditStage, PostgreSqlSchema.CopyAuditStage,
            _schema.MergeAuditStage, cancellationToken, _context.LedgerEnabled ? [.. entries.Select(e => LeafDraft.ForAudit(e, stamp))] : null).ConfigureAwait(false);
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
        return ReadPagedAsync(KeysetQuery.Audit(_sql, _schema.SelectAudit, query), query.Limit, _sql.ToAuditEntry, query.Matches, cancellationToken);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="scope"/> is empty or holds other than lowercase ASCII letters, digits and '_'.</exception>
    /// <exception cref="MetadataStorageException">The database could not be read.</exception>
    /// <exception cref="ObjectDisposedException">The backend was disposed.</exception>
    public async ValueTask<IReadOnlyDictionary<string, string>> ReadStateAsync(string scope, CancellationToken cancellationToken = default)
    {
        ValidateScope(scope);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var rows = await ReadRowsAsync("read state", _schema.SelectState, [new("scope", scope)], cancellationToken).ConfigureAwait(false);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var row in rows) result[(string)row[0]!] = (string)row[1]!; // both NOT NULL
        return result;
    }

    /// <inheritdoc />
    /// <remarks>
    /// One transaction: the scope's advisory lock (see <see cref="DeleteUnlessGuardedAsync"/>), then one upsert or delete of
    /// one row, so concurrent writers of other keys never interfere.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="scope"/> breaks the naming rule, or <paramref name="key"/> is empty.</exception>
    /// <exception cref="MetadataStorageException">The state could not be written.</exception>
    /// <exception cref="ObjectDisposedException">The backend was disposed.</exception>
    public async ValueTask WriteStateAsync(string scope, string key, string? value, CancellationToken cancellationToken = default)
    {
        ValidateScope(scope);
        ArgumentException.ThrowIfNullOrEmpty(key);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        string operation = value is null ? "remove state" : "write state";
        try
        {
            await RetryAsync(operation, async token =>
            {
                await using var connection = await _dataSource.OpenConnectionAsync(token).ConfigureAwait(false);
                await using var tx = await connection.BeginTransactionAsync(token).ConfigureAwait(false);
                await LockStateAsync(connection, tx, scope, token).ConfigureAwait(false);
                await using var command = new NpgsqlCommand(value is null ? _schema.DeleteState : _schema.UpsertState, connection, tx);
                command.Parameters.Add(Text(scope));
                command.Parameters.Add(Text(key));
                if (value is not null) command.Parameters.Add(Text(value));
                int changed = await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
                // A legal hold placed or released, a data subject erased: a leaf of the ledger, in the same transaction.
                var pending = changed > 0 && LeafDraft.ForState(scope, key, value, LeafDraft.Now()) is { } leaf
                    ? await AppendLeavesAsync(connection, tx, [leaf], token).ConfigureAwait(false)
                    : null;
                await CommitLedgerAsync(tx, pending, token).ConfigureAwait(false);
                return changed;
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsStorageError(ex))
        {
            throw Failure(operation, null, ex);
        }
    }

    /// <inheritdoc />
    /// <exception cref="MetadataStorageException">The database could not be read.</exception>
    /// <exception cref="ObjectDisposedException">The backend was disposed.</exception>
    public async ValueTask<string?> ReadStateEntryAsync(string scope, string key, CancellationToken cancellationToken = default)
    {
        ValidateScope(scope);
        ArgumentException.ThrowIfNullOrEmpty(key);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var rows = await ReadRowsAsync("read state", _schema.SelectStateEntry, [new("scope", scope), new("key", key)], cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : (string)rows[0][0]!;
    }

    /// <inheritdoc />
    /// <remarks>An insert that does nothing on conflict, then a read (read committed: it sees the row of whoever won).</remarks>
    /// <exception cref="MetadataStorageException">The state could not be written or read back.</exception>
    /// <exception cref="ObjectDisposedException">The backend was disposed.</exception>
    public async ValueTask<string> AddStateAsync(string scope, string key, string value, CancellationToken cancellationToken = default)
    {
        ValidateScope(scope);
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        try
        {
            return await RetryAsync("write state", async token =>
            {
                await using var connection = await _dataSource.OpenConnectionAsync(token).ConfigureAwait(false);
                await using (var add = new NpgsqlCommand(_schema.AddState, connection))
                {
                    add.Parameters.Add(Text(scope));
                    add.Parameters.Add(Text(key));
                    add.Parameters.Add(Text(value));
                    await add.ExecuteNonQueryAsync(token).ConfigureAwait(false);
                }
                await using var read = new NpgsqlCommand(_schema.SelectStateEntry, connection);
                read.Parameters.Add(Text(scope));
                read.Parameters.Add(Text(key));
                return (string)(await read.ExecuteScalarAsync(token).ConfigureAwait(false))!;
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsStorageError(ex))
        {
            throw Failure("write state", key, ex);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// One transaction takes the scope's transaction-level advisory lock (the one <see cref="WriteStateAsync"/> takes),
    /// reads the guards (read committed: every state write committed before the lock was granted is seen) and deletes.
    /// </remarks>
    /// <exception cref="ArgumentException">The scope breaks the naming rule, or an id is <c>null</c>.</exception>
    /// <exception cref="MetadataStorageException">The rows could not be deleted; none was.</exception>
    /// <exception cref="ObjectDisposedException">The backend was disposed.</exception>
    public async ValueTask<GuardedDeleteResult> DeleteUnlessGuardedAsync(GuardedDeletion deletion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deletion);
        ValidateScope(deletion.Scope);
        IReadOnlyList<string> kept = [];
        bool records = deletion.Kind == CleanupItemKind.Record;
        int deleted = await DeleteCoreAsync(records ? _schema.DeleteMetadata : _schema.DeleteCompliance, [.. deletion.GuardKeys.Keys],
            records ? "delete" : "delete compliance event", cancellationToken, records ? LeafDraft.OfRecord : LeafDraft.OfComplianceEvent,
            deletion.Reason, async (connection, tx, token) =>
            {
                await LockStateAsync(connection, tx, deletion.Scope, token).ConfigureAwait(false);
                await using var read = new NpgsqlCommand(_schema.SelectStateKeys, connection, tx);
                read.Parameters.Add(Text(deletion.Scope));
                var set = new HashSet<string>(StringComparer.Ordinal);
                foreach (var row in await SqlDialect.ReadRowsAsync(read, token).ConfigureAwait(false)) set.Add((string)row[0]!); // NOT NULL
                (var delete, kept) = deletion.Partition(set.Contains);
                return delete;
            }).ConfigureAwait(false);
        return new GuardedDeleteResult(deleted, kept);
    }

    private async Task LockStateAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string scope, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(PostgreSqlSchema.LockState, connection, tx);
        command.Parameters.Add(Text(_schema.StateLockName(scope)));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The core's rule for state scopes: lowercase ASCII letters, digits and '_'.</summary>
    private static void ValidateScope(string scope)
    {
        ArgumentException.ThrowIfNullOrEmpty(scope);
        foreach (char c in scope)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '_'))
                throw new ArgumentException($"The state scope '{scope}' may hold only lowercase ASCII letters, digits and '_'.", nameof(scope));
        }
    }
}
