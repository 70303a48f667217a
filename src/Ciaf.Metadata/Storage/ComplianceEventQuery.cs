namespace Ciaf.Metadata.Storage;

/// <summary>A filter over compliance events; results come newest first. <c>null</c> means "any".</summary>
public sealed record ComplianceEventQuery
{
    /// <summary>Only this framework (exact match).</summary>
    public string? Framework { get; init; }
    /// <summary>Only events of this metadata record.</summary>
    public string? MetadataId { get; init; }
    /// <summary>Only events at or after this time.</summary>
    public DateTimeOffset? Since { get; init; }
    /// <summary>Only events strictly before this time.</summary>
    public DateTimeOffset? Until { get; init; }
    /// <summary>At most this many events; <c>null</c> for all.</summary>
    public int? Limit { get; init; }

    /// <summary>Whether <paramref name="ev"/> passes every filter (the limit aside).</summary>
    public bool Matches(ComplianceEvent ev)
    {
        ArgumentNullException.ThrowIfNull(ev);
        return (Framework is null || string.Equals(ev.Framework, Framework, StringComparison.Ordinal))
            && (MetadataId is null || string.Equals(ev.MetadataId, MetadataId, StringComparison.Ordinal))
            && (Since is null || ev.Timestamp >= Since.Value)
            && (Until is null || ev.Timestamp < Until.Value);
    }

    /// <summary>Newest first, then id descending.</summary>
    public static int Compare(ComplianceEvent a, ComplianceEvent b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        int c = b.Timestamp.UtcTicks.CompareTo(a.Timestamp.UtcTicks);
        return c != 0 ? c : string.CompareOrdinal(b.Id, a.Id);
    }
}
