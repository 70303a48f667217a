using Ciaf.Metadata.Storage;

namespace Ciaf.Metadata.Audit;

/// <summary>A filter over audit entries. Every filter is an exact match; <c>null</c> means "any".</summary>
public sealed record AuditQuery
{
    /// <summary>Only entries concerning this record (exact match on <see cref="AuditEntry.ParentId"/>).</summary>
    public string? ParentId { get; init; }
    /// <summary>Only this action (see <see cref="AuditActions"/>).</summary>
    public string? Action { get; init; }
    /// <summary>Only this user.</summary>
    public string? UserId { get; init; }
    /// <summary>Only entries at or after this time.</summary>
    public DateTimeOffset? Since { get; init; }
    /// <summary>Only entries strictly before this time.</summary>
    public DateTimeOffset? Until { get; init; }
    /// <summary>At most this many entries; <c>null</c> for all.</summary>
    public int? Limit { get; init; }
    /// <summary>The order of the results (by timestamp, then id); newest first by default.</summary>
    public RecordOrder Order { get; init; } = RecordOrder.NewestFirst;

    /// <summary>Whether <paramref name="entry"/> passes every filter (the limit aside).</summary>
    public bool Matches(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return (ParentId is null || string.Equals(entry.ParentId, ParentId, StringComparison.Ordinal))
            && (Action is null || string.Equals(entry.Action, Action, StringComparison.Ordinal))
            && (UserId is null || string.Equals(entry.UserId, UserId, StringComparison.Ordinal))
            && (Since is null || entry.Timestamp >= Since.Value)
            && (Until is null || entry.Timestamp < Until.Value);
    }

    /// <summary>Compares two entries in this query's order (timestamp, then id).</summary>
    public int Compare(AuditEntry a, AuditEntry b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        int c = a.Timestamp.UtcTicks.CompareTo(b.Timestamp.UtcTicks);
        if (c == 0) c = string.CompareOrdinal(a.Id, b.Id);
        return Order == RecordOrder.NewestFirst ? -c : c;
    }
}
