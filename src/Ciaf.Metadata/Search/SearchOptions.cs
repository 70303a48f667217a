namespace Ciaf.Metadata.Search;

/// <summary>How <see cref="MetadataStorage.Search"/> orders and pages its results.</summary>
public sealed record SearchOptions
{
    /// <summary>The default page size.</summary>
    public const int DefaultLimit = 50;

    /// <summary>The field or metadata path to order by (<c>timestamp</c>, <c>model_name</c>, <c>metadata.performance.accuracy</c>).</summary>
    public string OrderBy { get; init; } = "timestamp";

    /// <summary>Largest first (the default, with <c>timestamp</c>: newest first). Ties are broken by id in the same direction.</summary>
    public bool Descending { get; init; } = true;

    /// <summary>At most this many records on the page; 0 for every match on one page.</summary>
    public int Limit { get; init; } = DefaultLimit;

    /// <summary>The <see cref="SearchPage.NextCursor"/> of the previous page, or <c>null</c> for the first page.</summary>
    public string? Cursor { get; init; }

    /// <summary>What <c>now()</c> means on the first page; <c>null</c> for the store's clock. Later pages keep the first page's.</summary>
    public DateTimeOffset? Now { get; init; }

    /// <summary>Bounds on the filter's length, nesting and lists.</summary>
    public FilterLimits Limits { get; init; } = FilterLimits.Default;
}
