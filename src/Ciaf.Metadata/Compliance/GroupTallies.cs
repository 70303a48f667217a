namespace Ciaf.Metadata.Compliance;

/// <summary>
/// The counts of the judged groups of one sample — the data or one bootstrap resample — and the one place the metrics are
/// computed from them (<see cref="Evaluate"/>), so that point estimates and bootstrap values follow the same definitions.
/// </summary>
internal sealed class GroupTallies
{
    public GroupTallies(int groups, bool hasLabels, bool hasScores)
    {
        HasLabels = hasLabels;
        HasScores = hasScores;
        Total = new int[groups];
        Selected = new int[groups];
        LabelPositives = new int[groups];
        TruePositives = new int[groups];
        FalsePositives = new int[groups];
        Bins = new CalibrationBin[groups * FairnessMetrics.CalibrationBins];
    }

    public bool HasLabels { get; }
    public bool HasScores { get; }
    public int[] Total { get; }
    public int[] Selected { get; }
    public int[] LabelPositives { get; }
    public int[] TruePositives { get; }
    public int[] FalsePositives { get; }

    /// <summary>Group g's score bins are <c>Bins[g * 10 .. g * 10 + 9]</c>.</summary>
    public CalibrationBin[] Bins { get; }

    /// <summary>The tallies of <paramref name="groups"/>, in their order.</summary>
    public static GroupTallies From(IReadOnlyList<GroupOutcomeCounts> groups)
    {
        var t = new GroupTallies(groups.Count, groups.Count > 0 && groups[0].LabelPositives is not null, groups.Count > 0 && groups[0].CalibrationBins is not null);
        for (int g = 0; g < groups.Count; g++)
        {
            var c = groups[g];
            t.Total[g] = c.Total;
            t.Selected[g] = c.Selected;
            t.LabelPositives[g] = c.LabelPositives ?? 0;
            t.TruePositives[g] = c.TruePositives ?? 0;
            t.FalsePositives[g] = c.FalsePositives ?? 0;
            if (c.CalibrationBins is { } bins)
            {
                for (int b = 0; b < bins.Count; b++) t.Bins[(g * FairnessMetrics.CalibrationBins) + b] = bins[b];
            }
        }
        return t;
    }

    /// <summary>
    /// Expected calibration error: Σ_b (n_b / n) · |positives_b / n_b − score sum_b / n_b| = Σ_b |positives_b − score sum_b| / n
    /// (empty bins add nothing); NaN when the bins hold no observation.
    /// </summary>
    public static double CalibrationError(ReadOnlySpan<CalibrationBin> bins)
    {
        double gap = 0;
        int n = 0;
        foreach (var bin in bins)
        {
            gap += Math.Abs(bin.Positives - bin.ScoreSum);
            n += bin.Count;
        }
        return n == 0 ? double.NaN : gap / n;
    }

    /// <summary>Computes every metric into <paramref name="values"/> (Fairlearn's definitions, between groups).</summary>
    public void Evaluate(FairnessValues values)
    {
        int groups = Total.Length;
        for (int g = 0; g < groups; g++)
        {
            int negatives = Total[g] - LabelPositives[g];
            values.SelectionRate[g] = Rate(Selected[g], Total[g]);
            values.TruePositiveRate[g] = HasLabels ? Rate(TruePositives[g], LabelPositives[g]) : double.NaN;
            values.FalsePositiveRate[g] = HasLabels ? Rate(FalsePositives[g], negatives) : double.NaN;
            values.ExpectedCalibrationError[g] = HasScores
                ? CalibrationError(Bins.AsSpan(g * FairnessMetrics.CalibrationBins, FairnessMetrics.CalibrationBins))
                : double.NaN;
        }
        var (min, max, defined, reference) = Extremes(values.SelectionRate);
        values.ReferenceGroup = reference;
        values.DemographicParityDifference = defined < 2 ? double.NaN : max - min;
        // Every selection rate 0: the groups are at parity (the four-fifths rule has no comparison group), so 1.
        values.DemographicParityRatio = defined < 2 ? double.NaN : max == 0 ? 1.0 : min / max;
        values.EqualOpportunityDifference = Spread(values.TruePositiveRate);
        values.FalsePositiveRateDifference = Spread(values.FalsePositiveRate);
        double tpr = values.EqualOpportunityDifference, fpr = values.FalsePositiveRateDifference;
        // Fairlearn's equalized_odds_difference (agg="worst_case"): the larger of the two differences.
        values.EqualizedOddsDifference = double.IsNaN(tpr) ? fpr : double.IsNaN(fpr) ? tpr : Math.Max(tpr, fpr);
    }

    private static double Rate(int count, int of) => of > 0 ? (double)count / of : double.NaN;

    private static double Spread(double[] rates)
    {
        var (min, max, defined, _) = Extremes(rates);
        return defined < 2 ? double.NaN : max - min;
    }

    private static (double Min, double Max, int Defined, int ArgMax) Extremes(double[] rates)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        int defined = 0, argMax = -1;
        for (int i = 0; i < rates.Length; i++)
        {
            double r = rates[i];
            if (double.IsNaN(r)) continue;
            defined++;
            if (r < min) min = r;
            if (r > max)
            {
                max = r;
                argMax = i;
            }
        }
        return (min, max, defined, argMax);
    }
}
