namespace Ciaf.Metadata.Retention;

/// <summary>What a cleanup run removed (or, in a dry run, would remove), what legal holds kept and what the EU AI Act's minimums protect.</summary>
public sealed record CleanupReport
{
    /// <summary>The run's id; the <c>cleanup</c> audit entry has this id and every <c>delete</c> entry names it as <c>run_id</c>.</summary>
    public required string RunId { get; init; }
    /// <summary>Whether nothing was removed (a preview).</summary>
    public required bool DryRun { get; init; }
    /// <summary>What started the run: <c>manual</c> or <c>schedule</c>.</summary>
    public required string Trigger { get; init; }
    /// <summary>When the run started, UTC.</summary>
    public required DateTimeOffset RanAt { get; init; }
    /// <summary>The retention applied to ordinary records, in days.</summary>
    public required int RetentionDays { get; init; }
    /// <summary>The retention applied to the compliance stage and compliance events, in days.</summary>
    public required int ComplianceRetentionDays { get; init; }
    /// <summary>Ordinary records strictly older than this go.</summary>
    public required DateTimeOffset Cutoff { get; init; }
    /// <summary>Compliance records and events strictly older than this go.</summary>
    public required DateTimeOffset ComplianceCutoff { get; init; }
    /// <summary>What was removed, oldest first (records, then compliance events); in a dry run, what would be.</summary>
    public required IReadOnlyList<CleanupItem> Removed { get; init; }
    /// <summary>What was old enough to go but is under a legal hold, with the hold as reason.</summary>
    public required IReadOnlyList<CleanupItem> Held { get; init; }
    /// <summary>Whether the store is declared high-risk under the EU AI Act (<c>ai_act_high_risk</c>), so <see cref="Protected"/> applies.</summary>
    public bool AiActHighRisk { get; init; }
    /// <summary>
    /// What was old enough to go by the retention rules but the EU AI Act's minimums keep on a high-risk store, each with the
    /// article in its reason (<see cref="AiActRetention"/>); empty otherwise.
    /// </summary>
    public IReadOnlyList<CleanupItem> Protected { get; init; } = [];
    /// <summary>How many records and compliance events the backend actually deleted (0 in a dry run; may be less than <see cref="Removed"/> when another process removed some first).</summary>
    public required int RemovedCount { get; init; }
}
