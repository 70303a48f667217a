using Ciaf.Metadata.Backends.Sql;
using Ciaf.Metadata.Search;

namespace Ciaf.Metadata.PostgreSql;

public sealed partial class PostgreSqlMetadataBackend : ISearchBackend, ISearchIndexBackend
{
    private const int MetadataColumnCount = 10;

    // The paths with a declared index, read from the catalog once (and after each add or drop through this instance).
    private IReadOnlySet<string>? _indexedPaths;

    /// <inheritdoc />
    IAsyncEnumerable<MetadataRecord> ISearchBackend.SearchAsync(FilterNode filter, SearchOrder order, OrderKey? after, int? limitHint, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var query = new SearchQuery(_sql, new PostgreSqlFilterCompiler(_sql, IndexedPaths()), PostgreSqlSchema.MetadataColumns, $"FROM {_schema.Quoted}.metadata", filter, order, after,
            timestampColumn: MetadataColumnCount - 1);
        // A new connection per page, as plain queries read: a page is retried alone.
        return query.ReadAsync(PageSize, limitHint, (sql, args, token) => ReadRowsAsync("search", sql, args, token), MetadataColumnCount,
            _sql.ToRecord, _ => true, cancellationToken);
    }

    /// <inheritdoc />
    async ValueTask<long> ISearchBackend.CountAsync(FilterNode filter, CancellationToken cancellationToken)
    {
        var (sql, args) = SearchQuery.Count(_sql, new PostgreSqlFilterCompiler(_sql, IndexedPaths()), $"FROM {_schema.Quoted}.metadata", filter);
        var rows = await ReadRowsAsync("count", sql, args, cancellationToken).ConfigureAwait(false);
        return Convert.ToInt64(rows[0][0], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    async ValueTask<bool> ISearchIndexBackend.AddSearchIndexAsync(FilterField field, CancellationToken cancellationToken)
    {
        bool existed = (await IndexedPathsAsync(cancellationToken).ConfigureAwait(false)).Contains(field.Text);
        string name = $"{_schema.Quoted}.{SearchIndexes.NameOf(field)}";
        // The path is a checked constant of plain keys (SearchIndexes.Indexable): no quote can reach this text. The
        // comment names the path, so the catalog lists it back.
        await ExecuteSchemaAsync("add index",
            $"CREATE INDEX IF NOT EXISTS {SearchIndexes.NameOf(field)} ON {_schema.Quoted}.metadata ({PostgreSqlFilterCompiler.IndexExpression(field)}); "
            + $"COMMENT ON INDEX {name} IS '{field.Text}'", cancellationToken).ConfigureAwait(false);
        return !existed;
    }

    /// <inheritdoc />
    async ValueTask<bool> ISearchIndexBackend.DropSearchIndexAsync(FilterField field, CancellationToken cancellationToken)
    {
        bool existed = (await IndexedPathsAsync(cancellationToken).ConfigureAwait(false)).Contains(field.Text);
        await ExecuteSchemaAsync("drop index", $"DROP INDEX IF EXISTS {_schema.Quoted}.{SearchIndexes.NameOf(field)}", cancellationToken).ConfigureAwait(false);
        return existed;
    }

    /// <inheritdoc />
    async ValueTask<IReadOnlyList<string>> ISearchIndexBackend.SearchIndexesAsync(CancellationToken cancellationToken) =>
        [.. (await IndexedPathsAsync(cancellationToken).ConfigureAwait(false)).Order(StringComparer.Ordinal)];

    private IReadOnlySet<string> IndexedPaths() => _indexedPaths ??= IndexedPathsAsync(default).AsTask().GetAwaiter().GetResult();

    private async ValueTask<IReadOnlySet<string>> IndexedPathsAsync(CancellationToken cancellationToken)
    {
        var rows = await ReadRowsAsync("list indexes",
            "SELECT obj_description(c.oid, 'pg_class') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            + "WHERE n.nspname = $1 AND c.relkind = 'i' AND c.relname LIKE 'ix\\_ciaf\\_path\\_%'",
            [new SqlArg("schema", _schema.Name)], cancellationToken).ConfigureAwait(false);
        var paths = rows.Select(r => r[0] as string).OfType<string>().ToHashSet(StringComparer.Ordinal);
        _indexedPaths = paths;
        return paths;
    }

    private async ValueTask ExecuteSchemaAsync(string operation, string sql, CancellationToken cancellationToken)
    {
        await ReadRowsAsync(operation, sql, [], cancellationToken).ConfigureAwait(false);
        await IndexedPathsAsync(cancellationToken).ConfigureAwait(false);
    }
}
