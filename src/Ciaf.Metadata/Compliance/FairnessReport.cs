using System.Text.Json.Nodes;

namespace Ciaf.Metadata.Compliance;

/// <summary>
/// Group fairness metrics computed by <see cref="FairnessMetrics"/>. Differences and ratios follow Fairlearn's
/// definitions (between groups: max − min, min / max); the adverse impact ratio follows the four-fifths rule of
/// 29 CFR 1607.4(D) (each group's selection rate over the highest group's). Groups smaller than
/// <see cref="MinimumGroupSize"/> are listed in <see cref="SmallGroups"/> and left out of every metric. With a bootstrap,
/// <see cref="Intervals"/> holds a confidence interval for each metric.
/// </summary>
public sealed record FairnessReport
{
    /// <summary>The four-fifths threshold of 29 CFR 1607.4(D).</summary>
    public const double FourFifths = 0.8;

    /// <summary>The event type of a fairness assessment recorded in the <c>validation</c> stage (<c>ciaf fairness --record</c>).</summary>
    public const string EventType = "fairness_assessment";

    /// <summary>The counts of every group, small ones included, ordered by group name (ordinal). Every metric derives from them.</summary>
    public required IReadOnlyList<GroupOutcomeCounts> Groups { get; init; }

    /// <summary>The groups with fewer than <see cref="MinimumGroupSize"/> observations: too small to judge, left out of every metric.</summary>
    public IReadOnlyList<string> SmallGroups { get; init; } = [];

    /// <summary>Whether labels were given (the label-based metrics are null otherwise).</summary>
    public bool HasLabels { get; init; }

    /// <summary>Whether scores were given (<see cref="ExpectedCalibrationErrors"/> is empty otherwise).</summary>
    public bool HasScores { get; init; }

    /// <summary>Selection rate (Fairlearn <c>selection_rate</c>) per judged group: selected / observations.</summary>
    public required IReadOnlyDictionary<string, double> SelectionRates { get; init; }

    /// <summary>True positive rate (<c>true_positive_rate</c>) per judged group with label positives: TP / label positives.</summary>
    public IReadOnlyDictionary<string, double> TruePositiveRates { get; init; } = new Dictionary<string, double>();

    /// <summary>False positive rate (<c>false_positive_rate</c>) per judged group with label negatives: FP / label negatives.</summary>
    public IReadOnlyDictionary<string, double> FalsePositiveRates { get; init; } = new Dictionary<string, double>();

    /// <summary>
    /// Expected calibration error per judged group, with scores: Σ_b (n_b / n) · |observed positive rate_b − mean score_b| over
    /// <see cref="FairnessMetrics.CalibrationBins"/> equal-width score bins.
    /// </summary>
    public IReadOnlyDictionary<string, double> ExpectedCalibrationErrors { get; init; } = new Dictionary<string, double>();

    /// <summary>The judged group with the highest selection rate (the four-fifths rule's comparison group).</summary>
    public required string ReferenceGroup { get; init; }

    /// <summary>Per judged group: its selection rate over the reference group's (1.0 when no group was selected).</summary>
    public required IReadOnlyDictionary<string, double> AdverseImpactRatios { get; init; }

    /// <summary>The lowest adverse impact ratio (equal to Fairlearn's demographic parity ratio).</summary>
    public double AdverseImpactRatio { get; init; }

    /// <summary>True when every judged group's ratio is at least four fifths.</summary>
    public bool PassesFourFifthsRule => AdverseImpactRatio >= FourFifths;

    /// <summary>The groups whose ratio is below four fifths (the four-fifths flag).</summary>
    public IReadOnlyList<string> GroupsBelowFourFifths => AdverseImpactRatios.Where(kv => kv.Value < FourFifths).Select(kv => kv.Key).ToArray();

    /// <summary>Fairlearn <c>demographic_parity_difference</c>: max − min selection rate.</summary>
    public double DemographicParityDifference { get; init; }

    /// <summary>Fairlearn <c>demographic_parity_ratio</c>: min / max selection rate (1.0 when no group was selected).</summary>
    public double DemographicParityRatio { get; init; }

    /// <summary>Fairlearn <c>equal_opportunity_difference</c>: max − min true positive rate; null without labels.</summary>
    public double? EqualOpportunityDifference { get; init; }

    /// <summary>Fairlearn <c>false_positive_rate_difference</c>: max − min false positive rate; null without labels.</summary>
    public double? FalsePositiveRateDifference { get; init; }

    /// <summary>Fairlearn <c>equalized_odds_difference</c> (worst case): the larger of the TPR and FPR differences; null without labels.</summary>
    public double? EqualizedOddsDifference { get; init; }

    /// <summary>The group size below which a group is flagged as too small to judge.</summary>
    public int MinimumGroupSize { get; init; }

    /// <summary>The bootstrap confidence intervals of every metric; null when computed without a bootstrap.</summary>
    public FairnessIntervals? Intervals { get; init; }

    /// <summary>Warnings: groups too small to judge, rates undefined for a group, no selections at all, metrics undefined in some resamples.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>
    /// The report as stored (with an EEOC assessment, or as a fairness assessment) and printed by <c>ciaf fairness --json</c>:
    /// Fairlearn's names, each metric as <c>{"value", "ci_low", "ci_high"}</c> (the bounds null without a bootstrap), per group
    /// under <c>by_group</c>; <c>groups</c> holds the counts needed to recompute it (<see cref="FairnessMetrics.FromJson"/>).
    /// </summary>
    public JsonObject ToJson()
    {
        var byGroup = new JsonObject();
        var small = SmallGroups.ToHashSet(StringComparer.Ordinal);
        foreach (var g in Groups)
        {
            byGroup[g.Group] = small.Contains(g.Group)
                ? new JsonObject { ["count"] = g.Total, ["too_small"] = true }
                : new JsonObject
                {
                    ["count"] = g.Total,
                    ["too_small"] = false,
                    ["selection_rate"] = Estimate(SelectionRates, Intervals?.SelectionRates, g.Group),
                    ["true_positive_rate"] = Estimate(TruePositiveRates, Intervals?.TruePositiveRates, g.Group),
                    ["false_positive_rate"] = Estimate(FalsePositiveRates, Intervals?.FalsePositiveRates, g.Group),
                    ["expected_calibration_error"] = Estimate(ExpectedCalibrationErrors, Intervals?.ExpectedCalibrationErrors, g.Group),
                    ["adverse_impact_ratio"] = AdverseImpactRatios[g.Group],
                };
        }
        // Metrics first (what a reader looks for), then how they were computed, then the counts they derive from.
        return new JsonObject
        {
            ["demographic_parity_difference"] = Estimate(DemographicParityDifference, Intervals?.DemographicParityDifference),
            ["demographic_parity_ratio"] = Estimate(DemographicParityRatio, Intervals?.DemographicParityRatio),
            ["equalized_odds_difference"] = Estimate(EqualizedOddsDifference, Intervals?.EqualizedOddsDifference),
            ["equal_opportunity_difference"] = Estimate(EqualOpportunityDifference, Intervals?.EqualOpportunityDifference),
            ["false_positive_rate_difference"] = Estimate(FalsePositiveRateDifference, Intervals?.FalsePositiveRateDifference),
            ["by_group"] = byGroup,
            ["reference_group"] = ReferenceGroup,
            ["adverse_impact_ratio"] = AdverseImpactRatio,
            ["passes_four_fifths_rule"] = PassesFourFifthsRule,
            ["groups_below_four_fifths"] = new JsonArray([.. GroupsBelowFourFifths.Select(s => (JsonNode)s)]),
            ["small_groups"] = new JsonArray([.. SmallGroups.Select(s => (JsonNode)s)]),
            ["minimum_group_size"] = MinimumGroupSize,
            ["has_labels"] = HasLabels,
            ["has_scores"] = HasScores,
            ["bootstrap"] = Intervals is null ? null : new JsonObject
            {
                ["n_boot"] = Intervals.BootstrapSamples,
                ["ci"] = Intervals.ConfidenceLevel,
                ["seed"] = Intervals.Seed,
                ["method"] = "percentile",
                ["resampling"] = "rows of the whole dataset, with replacement",
            },
            ["warnings"] = new JsonArray([.. Warnings.Select(w => (JsonNode)w)]),
            ["groups"] = new JsonArray([.. Groups.Select(g => (JsonNode)g.ToJson())]),
        };
    }

    private static JsonObject? Estimate(IReadOnlyDictionary<string, double> values, IReadOnlyDictionary<string, ConfidenceInterval>? intervals, string group) =>
        values.TryGetValue(group, out double v)
            ? Estimate(v, intervals is not null && intervals.TryGetValue(group, out var ci) ? ci : null)
            : null;

    private static JsonObject? Estimate(double? value, ConfidenceInterval? interval) => value is double v
        ? new JsonObject { ["value"] = v, ["ci_low"] = interval?.Low, ["ci_high"] = interval?.High }
        : null;
}
