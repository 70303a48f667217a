namespace Ciaf.Metadata.Search;

/// <summary>One page of search results.</summary>
/// <param name="Records">The records, in the search's order.</param>
/// <param name="NextCursor">Pass as <see cref="SearchOptions.Cursor"/> for the next page; <c>null</c> when this page is the last.</param>
public sealed record SearchPage(IReadOnlyList<MetadataRecord> Records, string? NextCursor);
