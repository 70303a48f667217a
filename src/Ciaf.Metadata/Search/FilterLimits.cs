namespace Ciaf.Metadata.Search;

/// <summary>
/// Bounds on a filter, so that any input, however large or deep, ends quickly in a result or a
/// <see cref="FilterSyntaxException"/>.
/// </summary>
public sealed record FilterLimits
{
    /// <summary>The defaults: 16 384 characters, 64 levels of nesting, 1 000 values in an <c>IN</c> list.</summary>
    public static FilterLimits Default { get; } = new();

    /// <summary>The longest filter accepted, in characters.</summary>
    public int MaxLength { get; init; } = 16_384;

    /// <summary>The deepest nesting of parentheses and <c>NOT</c> accepted.</summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>The most values an <c>IN (...)</c> list may hold.</summary>
    public int MaxInListSize { get; init; } = 1_000;

    /// <summary>The most comparisons a filter may hold.</summary>
    public int MaxTerms { get; init; } = 1_000;

    internal void Validate()
    {
        if (MaxLength < 1) throw new ArgumentOutOfRangeException(nameof(MaxLength), MaxLength, "MaxLength must be at least 1.");
        if (MaxDepth < 1) throw new ArgumentOutOfRangeException(nameof(MaxDepth), MaxDepth, "MaxDepth must be at least 1.");
        if (MaxInListSize < 1) throw new ArgumentOutOfRangeException(nameof(MaxInListSize), MaxInListSize, "MaxInListSize must be at least 1.");
        if (MaxTerms < 1) throw new ArgumentOutOfRangeException(nameof(MaxTerms), MaxTerms, "MaxTerms must be at least 1.");
    }
}
