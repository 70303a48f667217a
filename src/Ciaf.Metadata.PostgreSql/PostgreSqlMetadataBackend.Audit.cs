using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Hashing;
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
    /// One entry: a parameterized insert; several: binary <c>COPY</c> into a temporary table, then one insert, in one
    /// transaction. <c>ON CONFLICT (id) DO NOTHING</c>: a retried batch adds nothing twice and never changes an entry.
    /// </remarks>
    /// <exception cref="ArgumentException">An entry is null or has no id.</exception>
    /// <exception cref="MetadataStorageException">The batch could not be written (after retrying transient errors); none of it was.</exception>
    /// <exception cref="ObjectDisposedException">The backend was disposed.</exception>
    public async ValueTask WriteAuditAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (entries.Count == 0) return;
        for (int i = 0; i < entries.Count; i++)
        {
            var e = entries[i] ?? throw new ArgumentException($"entries[{i}] is null.", nameof(entries));
            if (string.IsNullOrEmpty(e.Id)) throw new ArgumentException($"entries[{i}] has no id.", nameof(entries));
        }
        try
        {
            await RetryAsync("write audit entry", async token =>
            {
                await using var connection = await _dataSource.OpenConnectionAsync(token).ConfigureAwait(false);
                if (entries.Count == 1)
                {
                    var e = entries[0];
                    await using var command = new NpgsqlCommand(_schema.InsertAudit, connection);
                    command.Parameters.Add(Text(e.Id));
                    command.Parameters.Add(Text(e.ParentId));
                    command.Parameters.Add(Text(e.Action));
                    command.Parameters.Add(new NpgsqlParameter { Value = e.Timestamp.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
                    command.Parameters.Add(Text(PythonTimestamp.Format(e.Timestamp)));
                    command.Parameters.Add(Text(e.UserId));
                    command.Parameters.Add(Text(e.Details));
                    await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
                    return 0;
                }
                await using var tx = await connection.BeginTransactionAsync(token).ConfigureAwait(false);
                await ExecuteAsync(connection, PostgreSqlSchema.CreateAuditStage, token).ConfigureAwait(false);
                await using (var importer = await connection.BeginBinaryImportAsync(PostgreSqlSchema.CopyAuditStage, token).ConfigureAwait(false))
                {
                    for (int i = 0; i < entries.Count; i++)
                    {
                        var e = entries[i];
                        await importer.StartRowAsync(token).ConfigureAwait(false);
                        await importer.WriteAsync(i, NpgsqlDbType.Integer, token).ConfigureAwait(false);
                        await WriteTextAsync(importer, e.Id, token).ConfigureAwait(false);
                        await WriteTextAsync(importer, e.ParentId, token).ConfigureAwait(false);
                        await WriteTextAsync(importer, e.Action, token).ConfigureAwait(false);
                        await importer.WriteAsync(e.Timestamp.UtcDateTime, NpgsqlDbType.TimestampTz, token).ConfigureAwait(false);
                        await WriteTextAsync(importer, PythonTimestamp.Format(e.Timestamp), token).ConfigureAwait(false);
                        await WriteTextAsync(importer, e.UserId, token).ConfigureAwait(false);
                        await WriteTextAsync(importer, e.Details, token).ConfigureAwait(false);
                    }
                    await importer.CompleteAsync(token).ConfigureAwait(false);
                }
                await ExecuteAsync(connection, _schema.MergeAuditStage, token).ConfigureAwait(false);
                await tx.CommitAsync(token).ConfigureAwait(false);
                return 0;
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsStorageError(ex))
        {
            throw Failure("write audit entry", entries[0].Id, ex, entries.Count);
        }
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
        var filters = new Filters();
        if (query.ParentId is not null) filters.Add("parent_id =", query.ParentId, NpgsqlDbType.Text);
        if (query.Action is not null) filters.Add("action =", query.Action, NpgsqlDbType.Text);
        if (query.UserId is not null) filters.Add("user_id =", query.UserId, NpgsqlDbType.Text);
        if (query.Since is { } since) filters.Add("timestamp >=", Bound(since), NpgsqlDbType.TimestampTz);
        if (query.Until is { } until) filters.Add("timestamp <", Bound(until), NpgsqlDbType.TimestampTz);
        return ReadPagedAsync(_schema.SelectAudit, filters, descending: query.Order == RecordOrder.NewestFirst, query.Limit,
            ToAuditEntry, query.Matches, cancellationToken);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="scope"/> is empty or holds other than lowercase ASCII letters, digits and '_'.</exception>
    /// <exception cref="MetadataStorageException">The database could not be read.</exception>
    /// <exception cref="ObjectDisposedException">The backend was disposed.</exception>
    public async ValueTask<IReadOnlyDictionary<string, string>> ReadStateAsync(string scope, CancellationToken cancellationToken = default)
    {
        ValidateScope(scope);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        List<object?[]> rows;
        try
        {
            rows = await RetryAsync("read state", async token =>
            {
                await using var connection = await _dataSource.OpenConnectionAsync(token).ConfigureAwait(false);
                await using var command = new NpgsqlCommand(_schema.SelectState, connection);
                command.Parameters.Add(Text(scope));
                return await ReadRowsAsync(command, token).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsStorageError(ex))
        {
            throw Failure("read state", null, ex);
        }
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
                await tx.CommitAsync(token).ConfigureAwait(false);
                return changed;
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsStorageError(ex))
        {
            throw Failure(operation, null, ex);
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
            records ? "delete" : "delete compliance event", cancellationToken, async (connection, tx, token) =>
            {
                await LockStateAsync(connection, tx, deletion.Scope, token).ConfigureAwait(false);
                await using var read = new NpgsqlCommand(_schema.SelectStateKeys, connection, tx);
                read.Parameters.Add(Text(deletion.Scope));
                var set = new HashSet<string>(StringComparer.Ordinal);
                foreach (var row in await ReadRowsAsync(read, token).ConfigureAwait(false)) set.Add((string)row[0]!); // NOT NULL
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

    // Columns: id, parent_id, action, timestamp_text, user_id, details, timestamp
    private AuditEntry? ToAuditEntry(object?[] row)
    {
        try
        {
            return new AuditEntry(
                (string)row[0]!,
                row[1] as string,
                row[2] as string ?? throw new FormatException("action is NULL"),
                Timestamp(row[3], row[^1]),
                row[4] as string,
                row[5] as string);
        }
        catch (FormatException ex)
        {
            ReportCorrupt("audit_trail", row[0], ex);
            return null;
        }
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
