using Ciaf.Metadata;

namespace Ciaf.Server.Dashboard.Views;

/// <summary>The search page: the form's values, one page of results, the cursor of the next.</summary>
/// <param name="Filter">The filter (empty: every record).</param>
/// <param name="OrderBy">The order (<c>field [asc|desc]</c>).</param>
/// <param name="Limit">Records per page.</param>
/// <param name="Cursor">The cursor this page started from, or <c>null</c> for the first page.</param>
/// <param name="Records">The page's records (empty on an error).</param>
/// <param name="NextCursor">The next page's cursor, or <c>null</c> on the last page.</param>
/// <param name="Total">How many records match in all, or <c>null</c> on an error.</param>
/// <param name="Error">Why the search was refused, or <c>null</c>.</param>
public sealed record SearchView(string Filter, string OrderBy, int Limit, string? Cursor, IReadOnlyList<MetadataRecord> Records, string? NextCursor,
    long? Total, FilterError? Error);
