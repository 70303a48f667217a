using Ciaf.Metadata.Backends.Sql;
using Ciaf.Metadata.Search;

namespace Ciaf.Metadata.PostgreSql;

public sealed partial class PostgreSqlMetadataBackend : ISearchBackend
{
    private const int MetadataColumnCount = 10;

    /// <inheritdoc />
    IAsyncEnumerable<MetadataRecord> ISearchBackend.SearchAsync(FilterNode filter, SearchOrder order, OrderKey? after, int? limitHint, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var query = new SearchQuery(_sql, new PostgreSqlFilterCompiler(_sql), PostgreSqlSchema.MetadataColumns, $"FROM {_schema.Quoted}.metadata", filter, order, after,
            timestampColumn: MetadataColumnCount - 1);
        // A new connection per page, as plain queries read: a page is retried alone.
        return query.ReadAsync(PageSize, limitHint, (sql, args, token) => ReadRowsAsync("search", sql, args, token), MetadataColumnCount,
            _sql.ToRecord, _ => true, cancellationToken);
    }

    /// <inheritdoc />
    async ValueTask<long> ISearchBackend.CountAsync(FilterNode filter, CancellationToken cancellationToken)
    {
        var (sql, args) = SearchQuery.Count(_sql, new PostgreSqlFilterCompiler(_sql), $"FROM {_schema.Quoted}.metadata", filter);
        var rows = await ReadRowsAsync("count", sql, args, cancellationToken).ConfigureAwait(false);
        return Convert.ToInt64(rows[0][0], System.Globalization.CultureInfo.InvariantCulture);
    }
}
