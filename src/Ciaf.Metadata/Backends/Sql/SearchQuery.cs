using System.Runtime.CompilerServices;
using Ciaf.Metadata.Search;

namespace Ciaf.Metadata.Backends.Sql;

/// <summary>
/// A compiled search read in keyset pages, as <see cref="KeysetQuery"/> reads plain queries: no transaction stays open
/// between pages, each page continues after the last row's order key. Ordered by <c>(timestamp, id)</c> (the indexes'
/// order) or by a field's <c>(rank, number, text, id)</c> key, selected beside the row so the next page continues from
/// the exact values the database ordered by.
/// </summary>
internal sealed class SearchQuery
{
    private readonly SqlDialect _dialect;
    private readonly SearchOrder _order;
    private readonly OrderKey? _after;
    private readonly int _timestampColumn;
    private readonly List<SqlArg> _filterArgs;
    private readonly string _select;
    private readonly string _where;
    private readonly string _orderBy;
    private readonly string[] _keys;
    private readonly (string Before, string After)? _outer;

    /// <param name="dialect">The backend's dialect.</param>
    /// <param name="compiler">A fresh compiler of the backend.</param>
    /// <param name="columns">The record columns (a constant of the backend).</param>
    /// <param name="from"><c>FROM table</c> (a constant of the backend).</param>
    /// <param name="filter">The checked filter.</param>
    /// <param name="order">The order.</param>
    /// <param name="after">Only rows after this key (a cursor), or <c>null</c>.</param>
    /// <param name="timestampColumn">Where a row holds the raw timestamp the order compares.</param>
    /// <param name="wrapFilter">Turns the compiled condition into the one to use (e.g. letting compressed rows through to be checked in memory).</param>
    /// <param name="sortWhenIndexed">
    /// When a declared index narrows the filter (timestamp order only), take the page's ids from that index, sorted
    /// there, then read only their rows: SQLite's planner would otherwise walk the timestamp index through the table,
    /// or read and sort every matching row.
    /// </param>
    public SearchQuery(SqlDialect dialect, SqlFilterCompiler compiler, string columns, string from, FilterNode filter, SearchOrder order, OrderKey? after,
        int timestampColumn, Func<string, string>? wrapFilter = null, bool sortWhenIndexed = false)
    {
        _dialect = dialect;
        _order = order;
        _after = after;
        _timestampColumn = timestampColumn;
        string condition = compiler.Compile(filter);
        if (wrapFilter is not null) condition = wrapFilter(condition);
        var conditions = new List<string>();
        if (dialect.RowCondition is { } rowCondition) conditions.Add(rowCondition);
        conditions.Add(condition);
        string direction = order.Descending ? "DESC" : "ASC";
        if (order.ByTimestamp)
        {
            _keys = ["timestamp", "id"];
            _select = $"SELECT {columns} {from}";
        }
        else
        {
            var (rank, number, text) = compiler.OrderKey(order.Field);
            _keys = [rank, number, text, "id"];
            _select = $"SELECT {columns}, {rank}, {number}, {text} {from}";
        }
        // A unary + keeps the value and the order but no index can serve it. Then the ids of the page come from the
        // (covering) declared index first, and only their rows are read.
        bool narrowed = sortWhenIndexed && order.ByTimestamp && compiler.NarrowedByIndex(filter);
        string prefix = narrowed ? "+" : "";
        _orderBy = " ORDER BY " + string.Join(", ", _keys.Select(k => $"{prefix}{k} {direction}"));
        if (narrowed)
        {
            _outer = ($"{_select} WHERE id IN (SELECT id {from} WHERE ", $") ORDER BY timestamp {direction}, id {direction}");
        }
        _where = string.Join(" AND ", conditions);
        _filterArgs = compiler.Args;
    }

    /// <summary><c>SELECT COUNT(*)</c> of the matches, and its arguments.</summary>
    public static (string Sql, List<SqlArg> Args) Count(SqlDialect dialect, SqlFilterCompiler compiler, string from, FilterNode filter, Func<string, string>? wrapFilter = null)
    {
        string condition = compiler.Compile(filter);
        if (wrapFilter is not null) condition = wrapFilter(condition);
        string where = dialect.RowCondition is { } rowCondition ? $"{rowCondition} AND {condition}" : condition;
        return ($"SELECT COUNT(*) {from} WHERE {where}", compiler.Args);
    }

    /// <summary>
    /// The matching rows in order, pages of <paramref name="pageSize"/> (fewer when <paramref name="limitHint"/> says
    /// fewer will be read); <paramref name="materialize"/> gets the record columns only and returns <c>null</c> for a
    /// row to skip, <paramref name="matches"/> filters again in memory.
    /// </summary>
    public async IAsyncEnumerable<MetadataRecord> ReadAsync(int pageSize, int? limitHint, PageReader readPage, int recordColumns,
        Func<object?[], MetadataRecord?> materialize, Func<MetadataRecord, bool> matches, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        object?[]? keyValues = _after is { } after ? CursorValues(after) : null;
        int take = limitHint is { } hint ? Math.Clamp(hint, 1, pageSize) : pageSize;
        while (true)
        {
            var args = new List<SqlArg>(_filterArgs);
            string where = _where;
            if (keyValues is not null)
            {
                var placeholders = new List<string>();
                foreach (var value in keyValues)
                {
                    args.Add(new SqlArg("k" + args.Count, value));
                    placeholders.Add(_dialect.Placeholder("k" + (args.Count - 1), args.Count));
                }
                where += $" AND ({string.Join(", ", _keys)}) {(_order.Descending ? "<" : ">")} ({string.Join(", ", placeholders)})";
            }
            args.Add(new SqlArg("take", take));
            string limit = $"LIMIT {_dialect.Placeholder("take", args.Count)}";
            string sql = _outer is { } outer ? $"{outer.Before}{where}{_orderBy} {limit}{outer.After}" : $"{_select} WHERE {where}{_orderBy} {limit}";
            var page = await readPage(sql, args, cancellationToken).ConfigureAwait(false);
            foreach (var row in page)
            {
                var record = materialize(row.Length == recordColumns ? row : row[..recordColumns]);
                if (record is not null && matches(record)) yield return record;
            }
            if (page.Count < take) yield break;
            var last = page[^1];
            // Raw values: the next page compares exactly what the ORDER BY compared.
            keyValues = _order.ByTimestamp ? [last[_timestampColumn], last[0]] : [last[^3], last[^2], last[^1], last[0]];
            take = pageSize;
        }
    }

    private object?[] CursorValues(OrderKey after) => _order.ByTimestamp
        ? [_dialect.Bound(new DateTimeOffset(after.Ticks, TimeSpan.Zero)), after.Id]
        : [after.Rank, after.Number, after.Text, after.Id];
}
