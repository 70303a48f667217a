namespace Ciaf.Metadata.Compliance;

/// <summary>How <see cref="ComplianceTracker.TrackEuAiActCompliance"/> reads the store's evidence.</summary>
public sealed record EuAiActAssessmentOptions
{
    /// <summary>The default period in which human oversight events must be found (90 days).</summary>
    public static readonly TimeSpan DefaultOversightPeriod = TimeSpan.FromDays(90);

    /// <summary>The default age a check of the monitoring plan may have to count as recent (30 days).</summary>
    public static readonly TimeSpan DefaultCheckRecency = TimeSpan.FromDays(30);

    /// <summary>The clock the periods end at (default: the system clock).</summary>
    public TimeProvider? TimeProvider { get; init; }

    /// <summary>Human oversight events count when they are this recent (Art. 14; default 90 days).</summary>
    public TimeSpan OversightPeriod { get; init; } = DefaultOversightPeriod;

    /// <summary>A check of the monitoring plan counts when it is this recent (Art. 72; default 30 days).</summary>
    public TimeSpan CheckRecency { get; init; } = DefaultCheckRecency;
}
