namespace Ciaf.Metadata.Search;

/// <summary>
/// An optional backend capability: declared expression indexes on metadata paths, which the backend's compiled
/// searches then use (SQLite: on <c>json_extract</c>; PostgreSQL: on the <c>jsonb</c> path). A backend without it
/// (the file backends) searches in memory, where indexes do not apply.
/// </summary>
internal interface ISearchIndexBackend
{
    /// <summary>Creates the index on <paramref name="field"/> (a checked <see cref="SearchIndexes.Indexable"/> path); nothing when it exists.</summary>
    ValueTask<bool> AddSearchIndexAsync(FilterField field, CancellationToken cancellationToken);

    /// <summary>Drops the index on <paramref name="field"/>; <c>false</c> when there was none.</summary>
    ValueTask<bool> DropSearchIndexAsync(FilterField field, CancellationToken cancellationToken);

    /// <summary>The indexed paths, as the language writes them, in order.</summary>
    ValueTask<IReadOnlyList<string>> SearchIndexesAsync(CancellationToken cancellationToken);
}
