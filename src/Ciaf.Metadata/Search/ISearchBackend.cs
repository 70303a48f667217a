namespace Ciaf.Metadata.Search;

/// <summary>
/// An optional backend capability: evaluate a filter where the data lives (SQLite and PostgreSQL compile it to SQL).
/// A backend without it is searched in memory over its ordered query. Internal: the filter tree is not public API.
/// </summary>
internal interface ISearchBackend
{
    /// <summary>
    /// The matching records in <paramref name="order"/>, those after <paramref name="after"/> only, read in pages sized
    /// for <paramref name="limitHint"/> (a caller may stop early or read on). Corrupt rows are skipped and reported.
    /// </summary>
    IAsyncEnumerable<MetadataRecord> SearchAsync(FilterNode filter, SearchOrder order, OrderKey? after, int? limitHint, CancellationToken cancellationToken);

    /// <summary>How many records match.</summary>
    ValueTask<long> CountAsync(FilterNode filter, CancellationToken cancellationToken);
}
