using Ciaf.Metadata.Backends.Sql;
using Ciaf.Metadata.Compression;
using Ciaf.Metadata.Search;
using Microsoft.Data.Sqlite;

namespace Ciaf.Metadata.Backends.Sqlite;

public sealed partial class SqliteMetadataBackend : ISearchBackend
{
    private const string FromMetadata = "FROM metadata";

    /// <inheritdoc />
    IAsyncEnumerable<MetadataRecord> ISearchBackend.SearchAsync(FilterNode filter, SearchOrder order, OrderKey? after, int? limitHint, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_context.EnableCompression && order.Field.IsPath) return SortedInMemoryAsync(filter, order, after, cancellationToken);
        var query = new SearchQuery(_sql, new SqliteFilterCompiler(_sql), SqliteSchema.MetadataReadColumns, FromMetadata, filter, order, after,
            timestampColumn: 5, LetCompressedThrough);
        return ReadSearchAsync(query, limitHint, filter, cancellationToken);
    }

    /// <inheritdoc />
    async ValueTask<long> ISearchBackend.CountAsync(FilterNode filter, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_context.EnableCompression)
        {
            // Compressed rows are checked in memory: count what the search yields.
            long n = 0;
            await foreach (var _ in ((ISearchBackend)this).SearchAsync(filter, SearchOrder.Default, null, null, cancellationToken).ConfigureAwait(false)) n++;
            return n;
        }
        var (sql, args) = SearchQuery.Count(_sql, new SqliteFilterCompiler(_sql), FromMetadata, filter);
        var rows = await ReadRowsAsync("count", sql, args, cancellationToken).ConfigureAwait(false);
        return Convert.ToInt64(rows[0][0], System.Globalization.CultureInfo.InvariantCulture);
    }

    // A compressed row holds a marker, not its metadata: let it through, and check every row again in memory.
    private string LetCompressedThrough(string condition) => _context.EnableCompression
        ? $"(substr(metadata_json, 1, 20) = '{CompressionMarker.Prefix}' OR {condition})"
        : condition;

    // SQL cannot order compressed rows by a metadata path (it sees their marker): the matches are sorted in memory.
    private async IAsyncEnumerable<MetadataRecord> SortedInMemoryAsync(FilterNode filter, SearchOrder order, OrderKey? after,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var matches = new List<(MetadataRecord Record, OrderKey Key)>();
        await foreach (var record in ((ISearchBackend)this).SearchAsync(filter, SearchOrder.Default, null, null, cancellationToken).ConfigureAwait(false))
        {
            var key = SearchOrder.KeyOf(FilterEvaluator.Resolve(record, order.Field), record.Id);
            if (after is not { } a || order.Compare(key, a) > 0) matches.Add((record, key));
        }
        matches.Sort((x, y) => order.Compare(x.Key, y.Key));
        foreach (var (record, _) in matches) yield return record;
    }

    private async IAsyncEnumerable<MetadataRecord> ReadSearchAsync(SearchQuery query, int? limitHint, FilterNode filter,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Func<MetadataRecord, bool> matches = _context.EnableCompression ? r => FilterEvaluator.Matches(filter, r) : _ => true;
        SqliteConnection connection;
        try
        {
            connection = OpenReader();
        }
        catch (SqliteException ex)
        {
            throw Failure("search", null, ex);
        }
        using (connection)
        {
            var records = query.ReadAsync(PageSize, limitHint, (sql, args, token) => ReadRowsAsync("search", sql, args, token, connection),
                SqliteSchema.MetadataReadColumnCount, _sql.ToRecord, matches, cancellationToken);
            await foreach (var record in records.ConfigureAwait(false)) yield return record;
        }
    }
}
