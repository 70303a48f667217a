namespace Ciaf.Metadata;

/// <summary>A compliance event: the outcome of one compliance check, linked to the metadata record it assessed.</summary>
/// <param name="Id">The event id (a UUID string).</param>
/// <param name="MetadataId">The id of the metadata record the event belongs to, if any.</param>
/// <param name="Framework">The framework, e.g. <c>GDPR</c>.</param>
/// <param name="ComplianceScore">The score in [0, 1], if any.</param>
/// <param name="ValidationStatus">e.g. <c>passed</c> or <c>failed</c>.</param>
/// <param name="Timestamp">When the event was recorded, UTC.</param>
/// <param name="Details">A human-readable description.</param>
public sealed record ComplianceEvent(string Id, string? MetadataId, string Framework,
    double? ComplianceScore, string? ValidationStatus, DateTimeOffset Timestamp, string? Details);
