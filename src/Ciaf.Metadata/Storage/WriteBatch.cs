namespace Ciaf.Metadata.Storage;

/// <summary>
/// One unit of work for a writer: records or compliance events written together (one transaction or pass), and the
/// user who wrote them (audited when they are durable, which in buffered mode is later, on another thread).
/// </summary>
internal sealed record WriteBatch(IReadOnlyList<MetadataRecord> Records, IReadOnlyList<ComplianceEvent> Events)
{
    public static WriteBatch Of(IReadOnlyList<MetadataRecord> records) => new(records, []);
    public static WriteBatch Of(IReadOnlyList<ComplianceEvent> events) => new([], events);
    public int Count => Records.Count + Events.Count;

    /// <summary>The acting user of the write (see <see cref="StoreCore.ActingUser"/>); <c>null</c> until the core stamps it.</summary>
    public string? User { get; init; }
}
