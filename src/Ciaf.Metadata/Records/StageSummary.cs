namespace Ciaf.Metadata;

/// <summary>One stage of a model at a glance (<see cref="ModelSummary.Stages"/>).</summary>
/// <param name="Stage">The stage.</param>
/// <param name="RecordCount">How many records the model has in it.</param>
/// <param name="FirstActivity">The stage's oldest record's timestamp.</param>
/// <param name="LastActivity">The stage's newest record's timestamp.</param>
public sealed record StageSummary(string Stage, long RecordCount, DateTimeOffset FirstActivity, DateTimeOffset LastActivity);
