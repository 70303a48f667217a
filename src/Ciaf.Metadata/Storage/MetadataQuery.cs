namespace Ciaf.Metadata.Storage;

/// <summary>The order query results come in.</summary>
public enum RecordOrder
{
    /// <summary>Newest timestamp first; equal timestamps by id descending.</summary>
    NewestFirst,
    /// <summary>Oldest timestamp first; equal timestamps by id ascending.</summary>
    OldestFirst,
}

/// <summary>A filter over records. Every filter is an exact match; <c>null</c> means "any".</summary>
public sealed record MetadataQuery
{
    /// <summary>Only this model (exact match).</summary>
    public string? ModelName { get; init; }
    /// <summary>Only this stage (exact match, never a substring).</summary>
    public string? Stage { get; init; }
    /// <summary>Only records at or after this time.</summary>
    public DateTimeOffset? Since { get; init; }
    /// <summary>Only records strictly before this time.</summary>
    public DateTimeOffset? Until { get; init; }
    /// <summary>At most this many records; <c>null</c> for all.</summary>
    public int? Limit { get; init; }
    /// <summary>The order of the results.</summary>
    public RecordOrder Order { get; init; } = RecordOrder.NewestFirst;

    /// <summary>Whether <paramref name="record"/> passes every filter (the limit aside).</summary>
    public bool Matches(MetadataRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return (ModelName is null || string.Equals(record.ModelName, ModelName, StringComparison.Ordinal))
            && (Stage is null || string.Equals(record.Stage, Stage, StringComparison.Ordinal))
            && (Since is null || record.Timestamp >= Since.Value)
            && (Until is null || record.Timestamp < Until.Value);
    }

    /// <summary>Compares two records in this query's order.</summary>
    public int Compare(MetadataRecord a, MetadataRecord b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        int c = a.Timestamp.UtcTicks.CompareTo(b.Timestamp.UtcTicks);
        if (c == 0) c = string.CompareOrdinal(a.Id, b.Id);
        return Order == RecordOrder.NewestFirst ? -c : c;
    }
}
