namespace Ciaf.Metadata;

/// <summary>One model of the store at a glance (<see cref="MetadataStorage.GetModelSummaries"/>).</summary>
/// <param name="ModelName">The model.</param>
/// <param name="RecordCount">How many records it has.</param>
/// <param name="Versions">Its versions, in the order they first appeared (ties by name).</param>
/// <param name="Stages">Its stages: the seed's in pipeline order (<see cref="PipelineStages.Ordered"/>), then any other by name.</param>
/// <param name="FirstActivity">Its oldest record's timestamp.</param>
/// <param name="LastActivity">Its newest record's timestamp.</param>
public sealed record ModelSummary(string ModelName, long RecordCount, IReadOnlyList<string> Versions, IReadOnlyList<StageSummary> Stages,
    DateTimeOffset FirstActivity, DateTimeOffset LastActivity);
