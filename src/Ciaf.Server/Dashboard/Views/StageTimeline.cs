using Ciaf.Metadata;

namespace Ciaf.Server.Dashboard.Views;

/// <summary>One stage of a model's pipeline.</summary>
/// <param name="Stage">The stage.</param>
/// <param name="Count">Its records.</param>
/// <param name="First">Its oldest record's time.</param>
/// <param name="Last">Its newest record's time.</param>
/// <param name="Latest">Its newest entries (at most <see cref="PipelineViewBuilder.EntriesShown"/>), newest first.</param>
/// <param name="Times">When its records were written, oldest first (evenly thinned past <see cref="PipelineViewBuilder.MarksDrawn"/>), for the timeline.</param>
public sealed record StageTimeline(string Stage, int Count, DateTimeOffset First, DateTimeOffset Last,
    IReadOnlyList<MetadataRecord> Latest, IReadOnlyList<DateTimeOffset> Times);
