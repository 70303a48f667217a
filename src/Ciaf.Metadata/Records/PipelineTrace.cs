using System.Text.Json.Nodes;

namespace Ciaf.Metadata;

/// <summary>Every record of one model, grouped by stage in pipeline order.</summary>
/// <param name="ModelName">The model traced.</param>
/// <param name="TraceGenerated">When the trace was built.</param>
/// <param name="Stages">The stages in pipeline order (see <see cref="PipelineStages.Ordered"/>), then any other stage by first appearance.</param>
public sealed record PipelineTrace(string ModelName, DateTimeOffset TraceGenerated, IReadOnlyList<PipelineStageTrace> Stages)
{
    /// <summary>The total number of entries over all stages.</summary>
    public int EntryCount => Stages.Sum(s => s.Entries.Count);
}

/// <summary>One stage of a <see cref="PipelineTrace"/>: all of its entries, oldest first.</summary>
/// <param name="Stage">The stage name.</param>
/// <param name="Entries">Every entry of the stage, oldest first (no cap).</param>
public sealed record PipelineStageTrace(string Stage, IReadOnlyList<PipelineTraceEntry> Entries);

/// <summary>One entry of a pipeline trace.</summary>
/// <param name="Id">The record id.</param>
/// <param name="EventType">The event type.</param>
/// <param name="Timestamp">When it was recorded.</param>
/// <param name="Details">Its description.</param>
/// <param name="Metadata">Its payload.</param>
public sealed record PipelineTraceEntry(string Id, string EventType, DateTimeOffset Timestamp, string? Details, JsonObject Metadata);
