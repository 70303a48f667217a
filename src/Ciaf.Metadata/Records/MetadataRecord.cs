using System.Text.Json.Nodes;

namespace Ciaf.Metadata;

/// <summary>A stored metadata record, exactly as the Python reference stores it.</summary>
/// <param name="Id">The record id (a UUID string).</param>
/// <param name="ModelName">The model name.</param>
/// <param name="ModelVersion">The model version (<c>"1.0.0"</c> when none was given).</param>
/// <param name="Stage">The pipeline stage.</param>
/// <param name="EventType">The event type.</param>
/// <param name="Timestamp">When the record was saved, UTC, microsecond precision.</param>
/// <param name="MetadataHash">SHA-256 (hex) of the canonical JSON of <paramref name="Metadata"/>, as the reference computes it.</param>
/// <param name="Details">The human-readable description, if any.</param>
/// <param name="Metadata">The payload.</param>
public sealed record MetadataRecord(string Id, string ModelName, string ModelVersion,
    string Stage, string EventType, DateTimeOffset Timestamp, string MetadataHash,
    string? Details, JsonObject Metadata);
