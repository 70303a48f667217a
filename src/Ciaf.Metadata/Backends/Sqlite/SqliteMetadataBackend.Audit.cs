using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;
using Microsoft.Data.Sqlite;

namespace Ciaf.Metadata.Backends.Sqlite;

// The audit trail (the reference's audit_trail table, columns unchanged, plus our indexes on
// (timestamp, id) and (parent_id, timestamp, id)) and the store state (our ciaf_state table).
public sealed partial class SqliteMetadataBackend
{
    private const int AuditColumnCount = 6;
    private const int AuditTimestampColumn = 3;

    /// <inheritdoc />
    /// <remarks>One transaction per batch; <c>INSERT OR IGNORE</c>, so a retried batch adds nothing twice.</remarks>
    /// <exception cref="ArgumentException">An entry is null or has no id.</exception>
    /// <exception cref="MetadataStorageException">The batch could not be written; none of it was.</exception>
    /// <exception cref="ObjectDisposedException">The backend was disposed.</exception>
    public async ValueTask WriteAuditAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (entries.Count == 0) return;
        var rows = new object?[entries.Count][];
        for (int i = 0; i < entries.Count; i++)
        {
            var e = entries[i] ?? throw new ArgumentException($"entries[{i}] is null.", nameof(entries));
            if (string.IsNullOrEmpty(e.Id)) throw new ArgumentException($"entries[{i}] has no id.", nameof(entries));
            rows[i] = [e.Id, e.ParentId, e.Action, PythonTimestamp.Format(e.Timestamp), e.UserId, e.Details];
        }
        await WriteRowsAsync(_insertAudit, rows, "write audit entry", cancellationToken).ConfigureAwait(false);
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
        var filters = new List<(string Sql, string Name, object Value)>();
        if (query.ParentId is not null) filters.Add(("parent_id = $parent_id", "$parent_id", query.ParentId));
        if (query.Action is not null) filters.Add(("action = $action", "$action", query.Action));
        if (query.UserId is not null) filters.Add(("user_id = $user_id", "$user_id", query.UserId));
        if (query.Since is { } since) filters.Add(("timestamp >= $since", "$since", FormatBound(since)));
        if (query.Until is { } until) filters.Add(("timestamp < $until", "$until", FormatBound(until)));
        return ReadPagedAsync("audit_trail", SqliteSchema.AuditColumns, AuditColumnCount, filters,
            descending: query.Order == RecordOrder.NewestFirst, query.Limit, ToAuditEntry, query.Matches, cancellationToken, AuditTimestampColumn);
    }

    /// <inheritdoc />
    /// <exception cref="MetadataStorageException">The database could not be read.</exception>
    /// <exception cref="ObjectDisposedException">The backend was disposed.</exception>
    public async ValueTask<IReadOnlyDictionary<string, string>> ReadStateAsync(string scope, CancellationToken cancellationToken = default)
    {
        StateScopes.Validate(scope);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        List<object?[]> rows;
        try
        {
            using var connection = OpenReader();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT key, value FROM ciaf_state WHERE scope = $scope";
            command.Parameters.AddWithValue("$scope", scope);
            rows = await WithRetryAsync("read state", () => ReadRows(command, 2), cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException ex)
        {
            throw Failure("read state", null, ex);
        }
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
        if (value is null)
        {
            await WriteRowsAsync(_deleteState, [[scope, key]], "remove state", cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await WriteRowsAsync(_upsertState, [[scope, key, value, PythonTimestamp.Format(PythonTimestamp.Now())]], "write state", cancellationToken)
                .ConfigureAwait(false);
        }
    }

    private AuditEntry? ToAuditEntry(object?[] row)
    {
        try
        {
            return new AuditEntry(
                Required(row[0], "id"),
                Text(row[1], "parent_id"),
                Required(row[2], "action"),
                ParseTimestamp(row[3]),
                Text(row[4], "user_id"),
                Text(row[5], "details"));
        }
        catch (FormatException ex)
        {
            ReportCorrupt(row[0], ex);
            return null;
        }
    }
}
