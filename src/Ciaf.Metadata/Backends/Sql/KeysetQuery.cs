using System.Runtime.CompilerServices;
using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Storage;

namespace Ciaf.Metadata.Backends.Sql;

/// <summary>Reads one page of rows: the SQL text and its arguments, in placeholder order.</summary>
internal delegate ValueTask<List<object?[]>> PageReader(string sql, IReadOnlyList<SqlArg> args, CancellationToken cancellationToken);

/// <summary>
/// A query read in pages of <c>(timestamp, id)</c> keyset order: no transaction stays open while the caller consumes
/// results, a page can be retried alone, and rows skipped (corrupt, or filtered again in memory) never cut a limited
/// result short. Filters become <c>column op placeholder</c> conditions: the column and operator texts are constants of
/// the callers, every value is a parameter.
/// </summary>
internal sealed class KeysetQuery
{
    private readonly SqlDialect _dialect;
    private readonly string _select;
    private readonly bool _descending;
    private readonly List<string> _conditions = [];
    private readonly List<SqlArg> _filters = [];
    private string? _firstPage;
    private string? _nextPage;

    /// <param name="dialect">The backend's dialect.</param>
    /// <param name="select"><c>SELECT columns FROM table</c>, a constant of the backend.</param>
    /// <param name="descending">Newest first.</param>
    public KeysetQuery(SqlDialect dialect, string select, bool descending)
    {
        _dialect = dialect;
        _select = select;
        _descending = descending;
        if (dialect.RowCondition is { } condition) _conditions.Add(condition);
    }

    /// <summary>Records matching <paramref name="query"/>'s model, stage and time range, in its order.</summary>
    public static KeysetQuery Records(SqlDialect dialect, string select, MetadataQuery query) =>
        new KeysetQuery(dialect, select, query.Order == RecordOrder.NewestFirst)
            .Where("model_name", "=", "model_name", query.ModelName)
            .Where("stage", "=", "stage", query.Stage)
            .Between(query.Since, query.Until);

    /// <summary>Compliance events matching <paramref name="query"/>'s framework, record and time range, newest first.</summary>
    public static KeysetQuery ComplianceEvents(SqlDialect dialect, string select, ComplianceEventQuery query) =>
        new KeysetQuery(dialect, select, descending: true)
            .Where("framework", "=", "framework", query.Framework)
            .Where("metadata_id", "=", "metadata_id", query.MetadataId)
            .Between(query.Since, query.Until);

    /// <summary>Audit entries matching <paramref name="query"/>'s parent, action, user and time range, in its order.</summary>
    public static KeysetQuery Audit(SqlDialect dialect, string select, AuditQuery query) =>
        new KeysetQuery(dialect, select, query.Order == RecordOrder.NewestFirst)
            .Where("parent_id", "=", "parent_id", query.ParentId)
            .Where("action", "=", "action", query.Action)
            .Where("user_id", "=", "user_id", query.UserId)
            .Between(query.Since, query.Until);

    /// <summary>Adds the condition <c>column op @name</c> when <paramref name="value"/> is not <c>null</c>.</summary>
    public KeysetQuery Where(string column, string op, string name, object? value)
    {
        if (value is null) return this;
        _filters.Add(new SqlArg(name, value));
        _conditions.Add($"{column} {op} {_dialect.Placeholder(name, _filters.Count)}");
        return this;
    }

    /// <summary>
    /// The matching rows, <paramref name="pageSize"/> at a time (the next page asked for only once the caller has taken
    /// the last), each page read by <paramref name="readPage"/>; <paramref name="materialize"/> returns <c>null</c> for a
    /// row to skip, <paramref name="matches"/> filters again in memory, and at most <paramref name="limit"/> items are
    /// yielded. <paramref name="timestampColumn"/> is where a row holds the raw <c>timestamp</c> the order uses.
    /// </summary>
    public async IAsyncEnumerable<T> ReadAsync<T>(int pageSize, int? limit, Index timestampColumn, PageReader readPage,
        Func<object?[], T?> materialize, Func<T, bool> matches, [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : class
    {
        if (limit == 0) yield break;
        _firstPage ??= PageSql(next: false);
        _nextPage ??= PageSql(next: true);

        int yielded = 0;
        object?[]? last = null;
        while (true)
        {
            int take = limit is { } l ? Math.Min(pageSize, Math.Max(l - yielded, 1)) : pageSize;
            var args = new List<SqlArg>(_filters);
            if (last is not null)
            {
                // Raw values (not parsed), so the continuation compares exactly as the ORDER BY did.
                args.Add(new SqlArg("after_ts", last[timestampColumn]));
                args.Add(new SqlArg("after_id", last[0]));
            }
            args.Add(new SqlArg("take", take));
            var page = await readPage(last is null ? _firstPage : _nextPage, args, cancellationToken).ConfigureAwait(false);

            foreach (var row in page)
            {
                last = row;
                var item = materialize(row);
                if (item is null || !matches(item)) continue;
                yield return item;
                if (++yielded == limit) yield break;
            }
            if (page.Count < take) yield break;
        }
    }

    private KeysetQuery Between(DateTimeOffset? since, DateTimeOffset? until) =>
        Where("timestamp", ">=", "since", since is { } s ? _dialect.Bound(s) : null)
            .Where("timestamp", "<", "until", until is { } u ? _dialect.Bound(u) : null);

    // Parameters in placeholder order: the filters, then (next pages) the last row's timestamp and id, then the page size.
    private string PageSql(bool next)
    {
        int n = _filters.Count;
        var conditions = next
            ? _conditions.Append($"(timestamp, id) {(_descending ? "<" : ">")} ({_dialect.Placeholder("after_ts", n + 1)}, {_dialect.Placeholder("after_id", n + 2)})")
            : _conditions;
        string where = string.Join(" AND ", conditions);
        string direction = _descending ? "DESC" : "ASC";
        return $"{_select}{(where.Length > 0 ? " WHERE " + where : "")} ORDER BY timestamp {direction}, id {direction} LIMIT {_dialect.Placeholder("take", next ? n + 3 : n + 1)}";
    }
}
