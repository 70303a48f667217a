using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ciaf.Metadata.Compliance;

/// <summary>
/// Computes group fairness metrics from per-record decisions: selection rate per group, the adverse impact
/// ratio and four-fifths rule (29 CFR 1607.4(D)), demographic parity difference and ratio, and — when labels
/// are given — equal opportunity and equalized odds differences (Fairlearn's definitions). Groups smaller than
/// <c>minimumGroupSize</c> get a warning: 29 CFR 1607.4(D) notes that differences based on small numbers may
/// not constitute adverse impact.
/// </summary>
public static class FairnessMetrics
{
    /// <summary>The default size below which a group is flagged as too small to judge.</summary>
    public const int DefaultMinimumGroupSize = 30;

    /// <summary>Computes the metrics from observations.</summary>
    /// <param name="observations">One per decision. Either all have a label or none does.</param>
    /// <param name="minimumGroupSize">Groups with fewer observations get a warning (default 30).</param>
    /// <exception cref="ArgumentException">Fewer than two groups, a null/empty group, or labels on some observations only.</exception>
    public static FairnessReport Compute(IEnumerable<FairnessObservation> observations, int minimumGroupSize = DefaultMinimumGroupSize)
    {
        ArgumentNullException.ThrowIfNull(observations);
        var counts = new SortedDictionary<string, int[]>(StringComparer.Ordinal); // total, selected, pos, tp, fp
        bool? labelled = null;
        foreach (var o in observations)
        {
            if (string.IsNullOrEmpty(o.Group))
            {
                throw new ArgumentException("Every observation needs a non-empty group.", nameof(observations));
            }
            bool hasLabel = o.Label.HasValue;
            if (labelled is bool l && l != hasLabel)
            {
                throw new ArgumentException("Either every observation has a label or none does.", nameof(observations));
            }
            labelled = hasLabel;
            if (!counts.TryGetValue(o.Group, out var c))
            {
                counts[o.Group] = c = new int[5];
            }
            c[0]++;
            if (o.Prediction)
            {
                c[1]++;
            }
            if (o.Label == true)
            {
                c[2]++;
                if (o.Prediction)
                {
                    c[3]++;
                }
            }
            else if (o.Label == false && o.Prediction)
            {
                c[4]++;
            }
        }
        bool withLabels = labelled == true;
        return FromCounts(
            counts.Select(kv => withLabels
                ? new GroupOutcomeCounts(kv.Key, kv.Value[0], kv.Value[1], kv.Value[2], kv.Value[3], kv.Value[4])
                : new GroupOutcomeCounts(kv.Key, kv.Value[0], kv.Value[1])),
            minimumGroupSize);
    }

    /// <summary>Computes the metrics from records, given how to read each one's group, prediction and (optional) label.</summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <param name="records">The decisions.</param>
    /// <param name="group">The protected-group value of a record.</param>
    /// <param name="prediction">Whether the record was selected.</param>
    /// <param name="label">Whether the record truly qualified; null when there is no ground truth.</param>
    /// <param name="minimumGroupSize">Groups with fewer records get a warning (default 30).</param>
    public static FairnessReport Compute<T>(IEnumerable<T> records, Func<T, string> group, Func<T, bool> prediction,
        Func<T, bool>? label = null, int minimumGroupSize = DefaultMinimumGroupSize)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(prediction);
        return Compute(records.Select(r => new FairnessObservation(group(r), prediction(r), label is null ? null : label(r))), minimumGroupSize);
    }

    /// <summary>Recomputes the metrics from per-group counts (e.g. those stored with an assessment).</summary>
    /// <param name="groups">The counts of each group; either all carry label counts or none does.</param>
    /// <param name="minimumGroupSize">Groups with fewer observations get a warning (default 30).</param>
    /// <exception cref="ArgumentException">Fewer than two groups, duplicate groups, inconsistent counts.</exception>
    public static FairnessReport FromCounts(IEnumerable<GroupOutcomeCounts> groups, int minimumGroupSize = DefaultMinimumGroupSize)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentOutOfRangeException.ThrowIfNegative(minimumGroupSize);
        var list = groups.OrderBy(g => g.Group, StringComparer.Ordinal).ToList();
        if (list.Count < 2)
        {
            throw new ArgumentException($"Fairness metrics compare groups: at least two groups are needed, got {list.Count}.", nameof(groups));
        }
        if (list.Select(g => g.Group).Distinct(StringComparer.Ordinal).Count() != list.Count)
        {
            throw new ArgumentException("Each group may appear only once.", nameof(groups));
        }
        bool withLabels = list[0].LabelPositives is not null;
        foreach (var g in list)
        {
            if (g.Total < 0 || g.Selected < 0 || g.Selected > g.Total)
            {
                throw new ArgumentException($"Group '{g.Group}': selected ({g.Selected}) must be between 0 and total ({g.Total}).", nameof(groups));
            }
            if ((g.LabelPositives is not null) != withLabels)
            {
                throw new ArgumentException("Either every group has label counts or none does.", nameof(groups));
            }
            if (withLabels && (g.LabelPositives < 0 || g.LabelPositives > g.Total || g.TruePositives is not int tp || tp < 0
                || tp > g.LabelPositives || g.FalsePositives is not int fp || fp < 0 || fp > g.LabelNegatives || tp + fp != g.Selected))
            {
                throw new ArgumentException($"Group '{g.Group}': label counts are inconsistent.", nameof(groups));
            }
        }

        var warnings = new List<string>();
        foreach (var g in list.Where(g => g.Total < minimumGroupSize))
        {
            warnings.Add($"Group '{g.Group}' has {g.Total} observations (< {minimumGroupSize}): too small to judge; differences may not be significant (29 CFR 1607.4(D)).");
        }

        var rates = list.ToDictionary(g => g.Group, g => g.SelectionRate, StringComparer.Ordinal);
        double max = rates.Values.Max();
        double min = rates.Values.Min();
        var reference = list.First(g => g.SelectionRate == max).Group;
        Dictionary<string, double> air;
        double ratio;
        if (max == 0)
        {
            warnings.Add("No group was selected: ratios are reported as 1.0.");
            air = rates.ToDictionary(kv => kv.Key, _ => 1.0, StringComparer.Ordinal);
            ratio = 1.0;
        }
        else
        {
            air = rates.ToDictionary(kv => kv.Key, kv => kv.Value / max, StringComparer.Ordinal);
            ratio = min / max;
        }

        double? eoDiff = null, fprDiff = null, eqOdds = null;
        if (withLabels)
        {
            eoDiff = Spread(list, g => g.TruePositiveRate, "true positive rate", "label positives", warnings);
            fprDiff = Spread(list, g => g.FalsePositiveRate, "false positive rate", "label negatives", warnings);
            eqOdds = eoDiff is null && fprDiff is null ? null : Math.Max(eoDiff ?? 0, fprDiff ?? 0);
        }

        return new FairnessReport
        {
            Groups = list,
            HasLabels = withLabels,
            SelectionRates = rates,
            ReferenceGroup = reference,
            AdverseImpactRatios = air,
            AdverseImpactRatio = ratio,
            DemographicParityDifference = max - min,
            DemographicParityRatio = ratio,
            EqualOpportunityDifference = eoDiff,
            FalsePositiveRateDifference = fprDiff,
            EqualizedOddsDifference = eqOdds,
            MinimumGroupSize = minimumGroupSize,
            Warnings = warnings,
        };
    }

    /// <summary>Recomputes a report from its stored JSON (<see cref="FairnessReport.ToJson"/>): only <c>groups</c> and <c>minimum_group_size</c> are read.</summary>
    /// <param name="stored">The stored report, e.g. an EEOC record's <c>fairness_analysis</c>.</param>
    /// <exception cref="ArgumentException">The JSON holds no usable <c>groups</c>.</exception>
    public static FairnessReport FromJson(JsonObject stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (stored["groups"] is not JsonArray arr)
        {
            throw new ArgumentException("The stored report has no 'groups' array.", nameof(stored));
        }
        var groups = new List<GroupOutcomeCounts>();
        foreach (var item in arr)
        {
            if (item is not JsonObject g || EvidenceReader.GetString(g, "group") is not string name)
            {
                throw new ArgumentException("Each stored group needs a 'group' name.", nameof(stored));
            }
            groups.Add(new GroupOutcomeCounts(name, Int(g, "total") ?? 0, Int(g, "selected") ?? 0,
                Int(g, "label_positives"), Int(g, "true_positives"), Int(g, "false_positives")));
        }
        int minSize = Int(stored, "minimum_group_size") ?? DefaultMinimumGroupSize;
        return FromCounts(groups, minSize);
    }

    private static int? Int(JsonObject o, string key)
        => o[key] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out int i) ? i
         : EvidenceReader.TryGetNumber(o[key], out var d) ? (int)d : null;

    private static double? Spread(List<GroupOutcomeCounts> groups, Func<GroupOutcomeCounts, double?> rate, string what, string denominator, List<string> warnings)
    {
        var defined = new List<double>();
        foreach (var g in groups)
        {
            if (rate(g) is double r)
            {
                defined.Add(r);
            }
            else
            {
                warnings.Add($"Group '{g.Group}' has no {denominator}: its {what} is undefined and left out.");
            }
        }
        return defined.Count < 2 ? null : defined.Max() - defined.Min();
    }
}
