namespace Ciaf.Metadata.Storage;

/// <summary>One unit of work for a writer: records or compliance events written together (one transaction or pass).</summary>
internal sealed record WriteBatch(IReadOnlyList<MetadataRecord> Records, IReadOnlyList<ComplianceEvent> Events)
{
    public static WriteBatch Of(IReadOnlyList<MetadataRecord> records) => new(records, []);
    public static WriteBatch Of(IReadOnlyList<ComplianceEvent> events) => new([], events);
    public int Count => Records.Count + Events.Count;
}
