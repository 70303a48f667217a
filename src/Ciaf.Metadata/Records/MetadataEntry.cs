namespace Ciaf.Metadata;

/// <summary>One record to save, as passed to <c>MetadataStorage.SaveMetadataBatch</c>.</summary>
/// <param name="ModelName">The model the record belongs to.</param>
/// <param name="Stage">The pipeline stage (see <see cref="PipelineStages"/>; any other string is allowed).</param>
/// <param name="EventType">What happened, e.g. <c>model_trained</c>.</param>
/// <param name="Metadata">The payload: an anonymous object, a POCO, a dictionary, a <c>JsonObject</c> or <c>JsonElement</c>.</param>
/// <param name="ModelVersion">The model version; <c>null</c> or empty is stored as <c>"1.0.0"</c>.</param>
/// <param name="Details">A human-readable description.</param>
public sealed record MetadataEntry(string ModelName, string Stage, string EventType,
    object? Metadata, string? ModelVersion = null, string? Details = null);
