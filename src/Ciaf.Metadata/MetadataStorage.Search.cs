using Ciaf.Metadata.Search;
using Ciaf.Metadata.Storage;

namespace Ciaf.Metadata;

public sealed partial class MetadataStorage
{
    /// <summary>
    /// One page of the records matching <paramref name="filter"/>, a filter over their fields and metadata
    /// (<c>model_name = 'credit_scoring' AND metadata.performance.accuracy &lt; 0.9</c>; the language is in
    /// <c>docs/search.md</c>), in <see cref="SearchOptions.OrderBy"/> order (newest first by default), pending writes
    /// included. SQLite and PostgreSQL evaluate it in SQL, the file backends in memory; every backend returns the same
    /// records in the same order. Metadata is matched as stored: encrypted values are their markers.
    /// </summary>
    /// <exception cref="FilterSyntaxException">The filter is malformed (the exception gives the column and a caret).</exception>
    /// <exception cref="ArgumentException">The cursor is not one this search issued, or an option is out of range.</exception>
    public SearchPage Search(string filter, SearchOptions? options = null) => SyncOverAsync.Run(SearchAsync(filter, options));

    /// <inheritdoc cref="Search"/>
    public ValueTask<SearchPage> SearchAsync(string filter, SearchOptions? options = null, CancellationToken cancellationToken = default) =>
        _search.PageAsync(filter, options, cancellationToken);

    /// <summary>
    /// Every record matching <paramref name="filter"/>, streamed in order (from <see cref="SearchOptions.Cursor"/> on when
    /// one is given; <see cref="SearchOptions.Limit"/> does not apply). See <see cref="Search"/>.
    /// </summary>
    /// <exception cref="FilterSyntaxException">The filter is malformed.</exception>
    public IAsyncEnumerable<MetadataRecord> SearchAllAsync(string filter, SearchOptions? options = null, CancellationToken cancellationToken = default) =>
        _search.StreamAsync(filter, options, cancellationToken);

    /// <summary>
    /// How many records match <paramref name="filter"/>, pending writes included (of <paramref name="options"/>, only
    /// <see cref="SearchOptions.Now"/> and <see cref="SearchOptions.Limits"/> apply).
    /// </summary>
    /// <exception cref="FilterSyntaxException">The filter is malformed.</exception>
    public long Count(string filter, SearchOptions? options = null) => SyncOverAsync.Run(CountAsync(filter, options));

    /// <inheritdoc cref="Count"/>
    public ValueTask<long> CountAsync(string filter, SearchOptions? options = null, CancellationToken cancellationToken = default) =>
        _search.CountAsync(filter, options, cancellationToken);

    /// <summary>
    /// Compliance events matching <paramref name="filter"/>, a filter over their fields (<c>id</c>, <c>metadata_id</c>,
    /// <c>framework</c>, <c>compliance_score</c>, <c>validation_status</c>, <c>timestamp</c>, <c>details</c>), newest
    /// first, at most <paramref name="limit"/> (<c>null</c> for all), pending writes included.
    /// </summary>
    /// <exception cref="FilterSyntaxException">The filter is malformed.</exception>
    public IReadOnlyList<ComplianceEvent> SearchComplianceEvents(string filter, int? limit = null) =>
        SyncOverAsync.Run(SearchComplianceEventsAsync(filter, limit));

    /// <inheritdoc cref="SearchComplianceEvents"/>
    public ValueTask<IReadOnlyList<ComplianceEvent>> SearchComplianceEventsAsync(string filter, int? limit = null, CancellationToken cancellationToken = default) =>
        _search.ComplianceEventsAsync(filter, limit, null, cancellationToken);

    /// <summary>
    /// Exports the records matching <paramref name="filter"/>, as <see cref="ExportMetadataAsync(string?, string, string?, IProgress{long}?, CancellationToken)"/>
    /// exports (same formats, streaming, order, audit; records as stored). Returns the file written.
    /// </summary>
    /// <exception cref="FilterSyntaxException">The filter is malformed; nothing is written.</exception>
    /// <exception cref="ArgumentException">Unknown format.</exception>
    public ValueTask<string> ExportSearchAsync(string filter, string format = "json", string? outputPath = null, IProgress<long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return _exporter.ExportRecordsAsync((string?)null, format, outputPath, progress, cancellationToken, filter);
    }

    /// <summary>
    /// Exports the records matching <paramref name="filter"/> to <paramref name="destination"/>, which is written and left
    /// open (a server's response), as <see cref="ExportMetadataToAsync"/> does. The filter is checked before anything is written.
    /// </summary>
    /// <exception cref="FilterSyntaxException">The filter is malformed; nothing is written.</exception>
    /// <exception cref="ArgumentException">Unknown format, or parquet into a stream that cannot seek.</exception>
    public ValueTask ExportSearchToAsync(Stream destination, string filter, string format = "jsonl", IProgress<long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(filter);
        return _exporter.ExportRecordsAsync(destination, null, format, progress, cancellationToken, filter);
    }

    /// <inheritdoc cref="ExportSearchAsync"/>
    public string ExportSearch(string filter, string format = "json", string? outputPath = null) =>
        SyncOverAsync.Run(ExportSearchAsync(filter, format, outputPath));

    /// <summary>
    /// Declares an index on a metadata path (<c>metadata.performance.accuracy</c>) that searches comparing it use:
    /// SQLite an expression index on <c>json_extract</c>, PostgreSQL one on the <c>jsonb</c> path. Returns <c>false</c>
    /// when it existed. Only paths of plain keys (letters, digits, <c>_</c>) can be indexed.
    /// </summary>
    /// <exception cref="NotSupportedException">A file backend: indexes do not apply (it is searched in memory).</exception>
    /// <exception cref="ArgumentException">Not an indexable metadata path.</exception>
    public bool AddSearchIndex(string path) => SyncOverAsync.Run(AddSearchIndexAsync(path));

    /// <inheritdoc cref="AddSearchIndex"/>
    public ValueTask<bool> AddSearchIndexAsync(string path, CancellationToken cancellationToken = default) => _indexes.AddAsync(path, cancellationToken);

    /// <summary>Drops the index on a metadata path; <c>false</c> when there was none.</summary>
    /// <exception cref="NotSupportedException">A file backend: indexes do not apply.</exception>
    public bool DropSearchIndex(string path) => SyncOverAsync.Run(DropSearchIndexAsync(path));

    /// <inheritdoc cref="DropSearchIndex"/>
    public ValueTask<bool> DropSearchIndexAsync(string path, CancellationToken cancellationToken = default) => _indexes.DropAsync(path, cancellationToken);

    /// <summary>The metadata paths with a declared index.</summary>
    /// <exception cref="NotSupportedException">A file backend: indexes do not apply.</exception>
    public IReadOnlyList<string> GetSearchIndexes() => SyncOverAsync.Run(GetSearchIndexesAsync());

    /// <inheritdoc cref="GetSearchIndexes"/>
    public ValueTask<IReadOnlyList<string>> GetSearchIndexesAsync(CancellationToken cancellationToken = default) => _indexes.ListAsync(cancellationToken);
}
