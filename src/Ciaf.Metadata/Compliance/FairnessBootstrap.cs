namespace Ciaf.Metadata.Compliance;

/// <summary>
/// The percentile bootstrap of <see cref="FairnessMetrics"/>: <c>n_boot</c> resamples of the whole dataset, each as many rows
/// as the data drawn uniformly with replacement (Fairlearn's <c>MetricFrame(n_boot=…)</c>: <c>data.sample(frac=1,
/// replace=True)</c>, not stratified by group), the metrics of each computed by <see cref="GroupTallies.Evaluate"/>, and the
/// interval between the (1 − ci)/2 and (1 + ci)/2 quantiles of their values (linear interpolation, NumPy's default).
/// </summary>
/// <remarks>
/// Resample r draws its row indices from a <see cref="SplitMix64"/> seeded with the r-th output of a SplitMix64 seeded
/// with <c>seed</c>, so resamples are independent of how they are spread over threads, and the result is reproducible.
/// A row is encoded once as one integer (group, score bin, label, prediction) next to its score: a resample is one counter
/// increment and one score addition per drawn row, with nothing allocated.
/// </remarks>
internal static class FairnessBootstrap
{
    /// <summary>The generator of each resample, in order.</summary>
    public static SplitMix64[] Generators(int seed, int samples)
    {
        var master = new SplitMix64(unchecked((ulong)(long)seed));
        var generators = new SplitMix64[samples];
        for (int r = 0; r < samples; r++) generators[r] = new SplitMix64(master.Next());
        return generators;
    }

    /// <summary>The row key of an observation of judged group <paramref name="group"/>: ((group × 10 + bin) × 4 + label × 2 + prediction).</summary>
    public static int RowKey(int group, int bin, bool label, bool prediction) =>
        (((group * FairnessMetrics.CalibrationBins) + bin) * 4) + (label ? 2 : 0) + (prediction ? 1 : 0);

    /// <summary>
    /// Every metric of every resample: row m of the result holds metric m (in <see cref="FairnessValues.CopyTo"/>'s order) for
    /// each resample.
    /// </summary>
    /// <param name="rows">The data rows, each its <see cref="RowKey"/> (-1 for a row of a group too small to judge: drawn, not counted) and score.</param>
    /// <param name="groups">The number of judged groups.</param>
    /// <param name="hasLabels">Whether the rows have labels.</param>
    /// <param name="hasScores">Whether the rows have scores.</param>
    /// <param name="options">The number of resamples and the seed.</param>
    /// <param name="cancellationToken">Stops between resamples.</param>
    public static double[][] Resample(Row[] rows, int groups, bool hasLabels, bool hasScores, FairnessOptions options, CancellationToken cancellationToken)
    {
        var generators = Generators(options.Seed, options.BootstrapSamples);
        int metrics = new FairnessValues(groups).Count;
        var values = new double[metrics][];
        for (int m = 0; m < metrics; m++) values[m] = new double[options.BootstrapSamples];
        Parallel.For(0, options.BootstrapSamples, new ParallelOptions { CancellationToken = cancellationToken },
            () => new Resampler(rows, groups, hasLabels, hasScores),
            (r, _, resampler) =>
            {
                resampler.Draw(generators[r]).CopyTo(values, r);
                return resampler;
            },
            _ => { });
        return values;
    }

    /// <summary>The percentile interval of each metric, widened to contain its point estimate; warnings for metrics undefined in some resamples.</summary>
    /// <param name="rows">From <see cref="Resample"/>.</param>
    /// <param name="point">The point estimates, from the data.</param>
    /// <param name="names">The judged groups' names, in index order.</param>
    /// <param name="options">The confidence level, the number of resamples and the seed.</param>
    /// <param name="warnings">Receives a line per metric undefined in some resamples.</param>
    public static FairnessIntervals Summarize(double[][] rows, FairnessValues point, IReadOnlyList<string> names, FairnessOptions options, List<string> warnings)
    {
        var pointRow = new double[rows.Length][];
        for (int m = 0; m < rows.Length; m++) pointRow[m] = new double[1];
        point.CopyTo(pointRow, 0);
        var intervals = new ConfidenceInterval?[rows.Length];
        for (int m = 0; m < rows.Length; m++)
        {
            intervals[m] = Interval(rows[m], pointRow[m][0], options.ConfidenceLevel, out int undefined);
            if (undefined > 0)
            {
                warnings.Add($"{MetricName(m, names)} is undefined in {undefined} of {rows[m].Length} bootstrap samples (a group drawn without "
                    + $"observations, label positives or label negatives); {(intervals[m] is null ? "it has no interval" : "its interval comes from the others")}.");
            }
        }
        Dictionary<string, ConfidenceInterval> PerGroup(int offset)
        {
            var result = new Dictionary<string, ConfidenceInterval>(StringComparer.Ordinal);
            for (int g = 0; g < names.Count; g++)
            {
                if (intervals[5 + (4 * g) + offset] is { } ci) result[names[g]] = ci;
            }
            return result;
        }
        return new FairnessIntervals
        {
            BootstrapSamples = options.BootstrapSamples,
            ConfidenceLevel = options.ConfidenceLevel,
            Seed = options.Seed,
            DemographicParityDifference = intervals[0],
            DemographicParityRatio = intervals[1],
            EqualOpportunityDifference = intervals[2],
            FalsePositiveRateDifference = intervals[3],
            EqualizedOddsDifference = intervals[4],
            SelectionRates = PerGroup(0),
            TruePositiveRates = PerGroup(1),
            FalsePositiveRates = PerGroup(2),
            ExpectedCalibrationErrors = PerGroup(3),
        };
    }

    /// <summary>The quantile <paramref name="p"/> of sorted values, interpolating linearly between order statistics (Hyndman and Fan's type 7, NumPy's default).</summary>
    public static double Quantile(ReadOnlySpan<double> sorted, double p)
    {
        double h = (sorted.Length - 1) * p;
        int lo = (int)Math.Floor(h);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + ((h - lo) * (sorted[hi] - sorted[lo]));
    }

    private static ConfidenceInterval? Interval(double[] values, double estimate, double level, out int undefined)
    {
        var defined = values.Where(v => !double.IsNaN(v)).ToArray();
        undefined = values.Length - defined.Length;
        // A metric undefined in the data (e.g. no labels) is undefined in every resample: nothing to warn about.
        if (double.IsNaN(estimate))
        {
            undefined = 0;
            return null;
        }
        if (defined.Length == 0) return null;
        Array.Sort(defined);
        double tail = (1 - level) / 2;
        double low = Quantile(defined, tail), high = Quantile(defined, 1 - tail);
        // The percentile interval of a spread (max − min) lies above the estimate when the groups are at parity: the
        // resamples' spreads are never negative. Widening to the estimate keeps the interval honest and only makes it longer.
        return new ConfidenceInterval(Math.Min(low, estimate), Math.Max(high, estimate));
    }

    private static string MetricName(int m, IReadOnlyList<string> names) => m switch
    {
        0 => "demographic_parity_difference",
        1 => "demographic_parity_ratio",
        2 => "equal_opportunity_difference",
        3 => "false_positive_rate_difference",
        4 => "equalized_odds_difference",
        _ => $"{((m - 5) % 4) switch { 0 => "selection_rate", 1 => "true_positive_rate", 2 => "false_positive_rate", _ => "expected_calibration_error" }} of '{names[(m - 5) / 4]}'",
    };

    /// <summary>A data row as the resampling reads it: its <see cref="RowKey"/> and score side by side, so a draw touches one cache line.</summary>
    internal readonly record struct Row(int Key, double Score);

    /// <summary>One thread's buffers: draws a resample into its counters and evaluates it.</summary>
    private sealed class Resampler(Row[] rows, int groups, bool hasLabels, bool hasScores)
    {
        private readonly int[] _counts = new int[groups * FairnessMetrics.CalibrationBins * 4];
        private readonly double[] _scoreSums = new double[groups * FairnessMetrics.CalibrationBins];
        private readonly GroupTallies _tallies = new(groups, hasLabels, hasScores);
        private readonly FairnessValues _values = new(groups);

        public FairnessValues Draw(SplitMix64 generator)
        {
            Array.Clear(_counts);
            Array.Clear(_scoreSums);
            int n = rows.Length;
            for (int i = 0; i < n; i++)
            {
                var row = rows[generator.NextIndex(n)];
                if (row.Key < 0) continue;
                _counts[row.Key]++;
                // Without scores every score is 0 and the sums are never read.
                _scoreSums[row.Key >> 2] += row.Score;
            }
            for (int g = 0; g < groups; g++)
            {
                int total = 0, selected = 0, positives = 0, truePositives = 0, falsePositives = 0;
                for (int b = 0; b < FairnessMetrics.CalibrationBins; b++)
                {
                    int bin = (g * FairnessMetrics.CalibrationBins) + b;
                    // Cells of a bin: label × 2 + prediction.
                    int c0 = _counts[4 * bin], c1 = _counts[(4 * bin) + 1], c2 = _counts[(4 * bin) + 2], c3 = _counts[(4 * bin) + 3];
                    total += c0 + c1 + c2 + c3;
                    selected += c1 + c3;
                    positives += c2 + c3;
                    truePositives += c3;
                    falsePositives += c1;
                    _tallies.Bins[bin] = new CalibrationBin(c0 + c1 + c2 + c3, c2 + c3, _scoreSums[bin]);
                }
                _tallies.Total[g] = total;
                _tallies.Selected[g] = selected;
                _tallies.LabelPositives[g] = positives;
                _tallies.TruePositives[g] = truePositives;
                _tallies.FalsePositives[g] = falsePositives;
            }
            _tallies.Evaluate(_values);
            return _values;
        }
    }
}
