namespace Ciaf.Metadata.Interop.MlFlow;

/// <summary>One run of an MLflow file store, read whole.</summary>
internal sealed record MlflowRun
{
    public required string Path { get; init; }
    public required string RunId { get; init; }
    public required string RunName { get; init; }
    public required string ExperimentId { get; init; }
    public required string ExperimentName { get; init; }
    public required string Status { get; init; }
    public required string LifecycleStage { get; init; }
    public required long StartTime { get; init; }
    public long? EndTime { get; init; }
    public string? User { get; init; }
    public string? ArtifactUri { get; init; }
    public required SortedDictionary<string, string> Params { get; init; }
    public required SortedDictionary<string, string> Tags { get; init; }

    /// <summary>Every point, by metric key (ordinal), each metric's points in file order.</summary>
    public required IReadOnlyList<MlflowMetricPoint> MetricHistory { get; init; }
}
