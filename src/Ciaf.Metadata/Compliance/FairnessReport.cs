using System.Text.Json.Nodes;

namespace Ciaf.Metadata.Compliance;

/// <summary>
/// Group fairness metrics computed by <see cref="FairnessMetrics"/>. Differences and ratios follow Fairlearn's
/// definitions (between groups: max − min, min / max); the adverse impact ratio follows the four-fifths rule of
/// 29 CFR 1607.4(D) (each group's selection rate over the highest group's).
/// </summary>
public sealed record FairnessReport
{
    /// <summary>The four-fifths threshold of 29 CFR 1607.4(D).</summary>
    public const double FourFifths = 0.8;

    /// <summary>The counts per group, ordered by group name (ordinal). Every metric derives from them.</summary>
    public required IReadOnlyList<GroupOutcomeCounts> Groups { get; init; }

    /// <summary>Whether labels were given (the label-based metrics are null otherwise).</summary>
    public bool HasLabels { get; init; }

    /// <summary>Selection rate per group.</summary>
    public required IReadOnlyDictionary<string, double> SelectionRates { get; init; }

    /// <summary>The group with the highest selection rate (the four-fifths rule's comparison group).</summary>
    public required string ReferenceGroup { get; init; }

    /// <summary>Per group: its selection rate over the reference group's (1.0 when no group was selected).</summary>
    public required IReadOnlyDictionary<string, double> AdverseImpactRatios { get; init; }

    /// <summary>The lowest adverse impact ratio (equal to Fairlearn's demographic parity ratio).</summary>
    public double AdverseImpactRatio { get; init; }

    /// <summary>True when every group's ratio is at least four fifths.</summary>
    public bool PassesFourFifthsRule => AdverseImpactRatio >= FourFifths;

    /// <summary>The groups whose ratio is below four fifths.</summary>
    public IReadOnlyList<string> GroupsBelowFourFifths => AdverseImpactRatios.Where(kv => kv.Value < FourFifths).Select(kv => kv.Key).ToArray();

    /// <summary>Fairlearn <c>demographic_parity_difference</c>: max − min selection rate.</summary>
    public double DemographicParityDifference { get; init; }

    /// <summary>Fairlearn <c>demographic_parity_ratio</c>: min / max selection rate (1.0 when no group was selected).</summary>
    public double DemographicParityRatio { get; init; }

    /// <summary>Fairlearn <c>equal_opportunity_difference</c>: max − min true positive rate; null without labels.</summary>
    public double? EqualOpportunityDifference { get; init; }

    /// <summary>max − min false positive rate; null without labels.</summary>
    public double? FalsePositiveRateDifference { get; init; }

    /// <summary>Fairlearn <c>equalized_odds_difference</c> (worst case): the larger of the TPR and FPR differences; null without labels.</summary>
    public double? EqualizedOddsDifference { get; init; }

    /// <summary>The group size below which a group is flagged as too small to judge.</summary>
    public int MinimumGroupSize { get; init; }

    /// <summary>Warnings: groups too small to judge, rates undefined for a group, no selections at all.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The report as stored with an EEOC assessment; <c>groups</c> holds the counts needed to recompute it.</summary>
    public JsonObject ToJson()
    {
        var rates = new JsonObject();
        foreach (var kv in SelectionRates)
        {
            rates[kv.Key] = kv.Value;
        }
        var air = new JsonObject();
        foreach (var kv in AdverseImpactRatios)
        {
            air[kv.Key] = kv.Value;
        }
        return new JsonObject
        {
            ["groups"] = new JsonArray(Groups.Select(g => (JsonNode)g.ToJson()).ToArray()),
            ["has_labels"] = HasLabels,
            ["selection_rates"] = rates,
            ["reference_group"] = ReferenceGroup,
            ["adverse_impact_ratios"] = air,
            ["adverse_impact_ratio"] = AdverseImpactRatio,
            ["passes_four_fifths_rule"] = PassesFourFifthsRule,
            ["demographic_parity_difference"] = DemographicParityDifference,
            ["demographic_parity_ratio"] = DemographicParityRatio,
            ["equal_opportunity_difference"] = EqualOpportunityDifference,
            ["false_positive_rate_difference"] = FalsePositiveRateDifference,
            ["equalized_odds_difference"] = EqualizedOddsDifference,
            ["minimum_group_size"] = MinimumGroupSize,
            ["warnings"] = new JsonArray(Warnings.Select(w => (JsonNode?)JsonValue.Create(w)).ToArray()),
        };
    }
}
