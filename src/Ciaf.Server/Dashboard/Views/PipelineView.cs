namespace Ciaf.Server.Dashboard.Views;

/// <summary>A model's pipeline as a timeline of its stages.</summary>
/// <param name="Model">The model.</param>
/// <param name="Versions">Its versions, in order of first appearance.</param>
/// <param name="Stages">Its stages in pipeline order.</param>
/// <param name="First">Its oldest record's time.</param>
/// <param name="Last">Its newest record's time.</param>
/// <param name="Records">Its records.</param>
public sealed record PipelineView(string Model, IReadOnlyList<string> Versions, IReadOnlyList<StageTimeline> Stages,
    DateTimeOffset First, DateTimeOffset Last, int Records);
