using System.Text.Json.Nodes;

namespace Ciaf.Metadata.Compliance;

/// <summary>
/// The counts of one group, from which every fairness metric is computed. They are stored with an
/// EEOC assessment or a fairness assessment so that the metrics can be recomputed later (<see cref="FairnessMetrics.FromCounts"/>).
/// </summary>
/// <param name="Group">The group value.</param>
/// <param name="Total">Observations in the group.</param>
/// <param name="Selected">Observations predicted positive (selected).</param>
/// <param name="LabelPositives">Observations whose label is positive; null when there are no labels.</param>
/// <param name="TruePositives">Selected observations whose label is positive; null when there are no labels.</param>
/// <param name="FalsePositives">Selected observations whose label is negative; null when there are no labels.</param>
/// <param name="CalibrationBins">
/// With scores, the group's <see cref="FairnessMetrics.CalibrationBins"/> score bins, lowest first (their counts add up to
/// <paramref name="Total"/>); null without scores.
/// </param>
public sealed record GroupOutcomeCounts(string Group, int Total, int Selected,
    int? LabelPositives = null, int? TruePositives = null, int? FalsePositives = null,
    IReadOnlyList<CalibrationBin>? CalibrationBins = null)
{
    /// <summary>Selected / Total (the selection rate of 29 CFR 1607.4(D)); 0 for an empty group.</summary>
    public double SelectionRate => Total == 0 ? 0 : (double)Selected / Total;

    /// <summary>Observations whose label is negative; null when there are no labels.</summary>
    public int? LabelNegatives => LabelPositives is int p ? Total - p : null;

    /// <summary>True positive rate (recall) TP / label positives; null without labels or without label positives.</summary>
    public double? TruePositiveRate => TruePositives is int tp && LabelPositives is int p && p > 0 ? (double)tp / p : null;

    /// <summary>False positive rate FP / label negatives; null without labels or without label negatives.</summary>
    public double? FalsePositiveRate => FalsePositives is int fp && LabelNegatives is int n && n > 0 ? (double)fp / n : null;

    /// <summary>
    /// Expected calibration error over the score bins, Σ_b (n_b / n) · |positives_b / n_b − mean score_b|, which is
    /// Σ_b |positives_b − score sum_b| / n; null without scores or observations.
    /// </summary>
    public double? ExpectedCalibrationError =>
        CalibrationBins is { } bins && GroupTallies.CalibrationError([.. bins]) is var e && !double.IsNaN(e) ? e : null;

    /// <summary>
    /// The counts as stored: <c>{group, total, selected, label_positives?, true_positives?, false_positives?,
    /// calibration_bins?: [{count, positives, score_sum}, …]}</c>.
    /// </summary>
    public JsonObject ToJson()
    {
        var o = new JsonObject { ["group"] = Group, ["total"] = Total, ["selected"] = Selected };
        if (LabelPositives is not null)
        {
            o["label_positives"] = LabelPositives;
            o["true_positives"] = TruePositives;
            o["false_positives"] = FalsePositives;
        }
        if (CalibrationBins is not null)
        {
            o["calibration_bins"] = new JsonArray([.. CalibrationBins.Select(b => (JsonNode)new JsonObject
            {
                ["count"] = b.Count,
                ["positives"] = b.Positives,
                ["score_sum"] = b.ScoreSum,
            })]);
        }
        return o;
    }
}
