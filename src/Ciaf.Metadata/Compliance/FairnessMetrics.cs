using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ciaf.Metadata.Compliance;

/// <summary>
/// Computes group fairness metrics from per-record decisions, with Fairlearn's definitions: per group the selection rate,
/// true and false positive rates and (from scores) the expected calibration error; between groups the demographic parity
/// difference and ratio, the equal opportunity difference, the false positive rate difference and the equalized odds
/// difference; and the adverse impact ratio with the four-fifths rule (29 CFR 1607.4(D)). Each can come with a seeded
/// percentile-bootstrap confidence interval (<see cref="FairnessOptions"/>). Groups smaller than the minimum group size are
/// flagged as too small to judge and left out of every metric: 29 CFR 1607.4(D) notes that differences based on small
/// numbers may not constitute adverse impact. Definitions and method: <c>docs/compliance.md</c>.
/// </summary>
public static class FairnessMetrics
{
    /// <summary>The default size below which a group is flagged as too small to judge.</summary>
    public const int DefaultMinimumGroupSize = 30;

    /// <summary>
    /// The number of equal-width score bins of the expected calibration error: bin b holds the scores in [b/10, (b+1)/10), the
    /// last one [0.9, 1.0], the edges being the doubles nearest to b/10 (so a score written 0.3 is in [0.3, 0.4)).
    /// </summary>
    public const int CalibrationBins = 10;

    /// <summary>Computes the point estimates from observations, without confidence intervals.</summary>
    /// <param name="observations">One per decision. Either all have a label or none does; likewise scores.</param>
    /// <param name="minimumGroupSize">Groups with fewer observations are flagged and left out (default 30).</param>
    /// <exception cref="ArgumentException">Fewer than two groups large enough to judge, a null/empty group, labels or scores on some observations only, a score outside [0, 1].</exception>
    public static FairnessReport Compute(IEnumerable<FairnessObservation> observations, int minimumGroupSize = DefaultMinimumGroupSize) =>
        Compute(observations, new FairnessOptions { MinimumGroupSize = minimumGroupSize, BootstrapSamples = 0 });

    /// <summary>
    /// Computes the metrics from observations and, unless <see cref="FairnessOptions.BootstrapSamples"/> is 0, a percentile-bootstrap
    /// confidence interval for each (<see cref="FairnessReport.Intervals"/>): resamples of the whole dataset drawn with
    /// replacement, reproducible from <see cref="FairnessOptions.Seed"/>.
    /// </summary>
    /// <param name="observations">One per decision. Either all have a label or none does; likewise scores (which need labels).</param>
    /// <param name="options">The minimum group size and the bootstrap's samples, confidence level and seed.</param>
    /// <param name="cancellationToken">Stops the bootstrap between resamples.</param>
    /// <exception cref="ArgumentException">Invalid options (every problem listed), fewer than two groups large enough to judge, a null/empty group, labels or scores on some observations only, a score outside [0, 1].</exception>
    public static FairnessReport Compute(IEnumerable<FairnessObservation> observations, FairnessOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(observations);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { Count: > 0 } errors)
        {
            throw new ArgumentException("Invalid fairness options: " + string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value}")), nameof(options));
        }
        var table = Tabulate(observations);
        var (report, judged, point) = Build(table.Counts, options.MinimumGroupSize);
        if (options.BootstrapSamples == 0) return report;

        var judgedIndex = table.Counts.Select(c => judged.FindIndex(j => j.Group == c.Group)).ToArray();
        var rows = new FairnessBootstrap.Row[table.RowGroup.Count];
        for (int i = 0; i < rows.Length; i++)
        {
            int j = judgedIndex[table.RowGroup[i]];
            byte code = table.RowCode[i];
            rows[i] = new FairnessBootstrap.Row(j < 0 ? -1 : FairnessBootstrap.RowKey(j, code >> 2, (code & 2) != 0, (code & 1) != 0),
                report.HasScores ? table.RowScore[i] : 0);
        }
        var resamples = FairnessBootstrap.Resample(rows, judged.Count, report.HasLabels, report.HasScores, options, cancellationToken);
        var warnings = report.Warnings.ToList();
        var intervals = FairnessBootstrap.Summarize(resamples, point, [.. judged.Select(j => j.Group)], options, warnings);
        return report with { Intervals = intervals, Warnings = warnings };
    }

    /// <summary>Computes the point estimates from records, given how to read each one's group, prediction and (optional) label.</summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <param name="records">The decisions.</param>
    /// <param name="group">The protected-group value of a record.</param>
    /// <param name="prediction">Whether the record was selected.</param>
    /// <param name="label">Whether the record truly qualified; null when there is no ground truth.</param>
    /// <param name="minimumGroupSize">Groups with fewer records are flagged and left out (default 30).</param>
    public static FairnessReport Compute<T>(IEnumerable<T> records, Func<T, string> group, Func<T, bool> prediction,
        Func<T, bool>? label = null, int minimumGroupSize = DefaultMinimumGroupSize)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(prediction);
        return Compute(records.Select(r => new FairnessObservation(group(r), prediction(r), label is null ? null : label(r))), minimumGroupSize);
    }

    /// <summary>Recomputes the point estimates from per-group counts (e.g. those stored with an assessment).</summary>
    /// <param name="groups">The counts of each group; either all carry label counts or none does, likewise score bins.</param>
    /// <param name="minimumGroupSize">Groups with fewer observations are flagged and left out (default 30).</param>
    /// <exception cref="ArgumentException">Fewer than two groups large enough to judge, duplicate groups, inconsistent counts.</exception>
    public static FairnessReport FromCounts(IEnumerable<GroupOutcomeCounts> groups, int minimumGroupSize = DefaultMinimumGroupSize)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentOutOfRangeException.ThrowIfNegative(minimumGroupSize);
        return Build([.. groups.OrderBy(g => g.Group, StringComparer.Ordinal)], minimumGroupSize).Report;
    }

    /// <summary>Recomputes a report from its stored JSON (<see cref="FairnessReport.ToJson"/>): only <c>groups</c> and <c>minimum_group_size</c> are read.</summary>
    /// <param name="stored">The stored report, e.g. an EEOC record's <c>fairness_analysis</c>.</param>
    /// <remarks>Confidence intervals are not recomputed: they need the rows, which the counts do not keep.</remarks>
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
            List<CalibrationBin>? bins = null;
            if (g["calibration_bins"] is JsonArray storedBins)
            {
                bins = [.. storedBins.Select(b => b is JsonObject o
                    ? new CalibrationBin(Int(o, "count") ?? 0, Int(o, "positives") ?? 0, EvidenceReader.TryGetNumber(o["score_sum"], out var sum) ? sum : double.NaN)
                    : throw new ArgumentException($"Group '{name}': each calibration bin must be an object.", nameof(stored)))];
            }
            groups.Add(new GroupOutcomeCounts(name, Int(g, "total") ?? 0, Int(g, "selected") ?? 0,
                Int(g, "label_positives"), Int(g, "true_positives"), Int(g, "false_positives"), bins));
        }
        int minSize = Int(stored, "minimum_group_size") ?? DefaultMinimumGroupSize;
        return FromCounts(groups, minSize);
    }

    /// <summary>The calibration bin of a score in [0, 1] (see <see cref="CalibrationBins"/>).</summary>
    internal static int CalibrationBinOf(double score)
    {
        int b = (int)(score * CalibrationBins);
        // score × 10 may round across an edge: compare with the edges themselves.
        if (b >= CalibrationBins) return CalibrationBins - 1;
        if (score >= (b + 1) / (double)CalibrationBins) b++;
        else if (b > 0 && score < b / (double)CalibrationBins) b--;
        return Math.Min(b, CalibrationBins - 1);
    }

    private static int? Int(JsonObject o, string key)
        => o[key] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out int i) ? i
         : EvidenceReader.TryGetNumber(o[key], out var d) ? (int)d : null;

    /// <summary>The observations as per-group counts (ordered by group name) and, per row, its group's index and code.</summary>
    private static Tabulation Tabulate(IEnumerable<FairnessObservation> observations)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var rowGroup = new List<int>();
        var rowCode = new List<byte>();
        var rowScore = new List<double>();
        bool? labelled = null, scored = null;
        foreach (var o in observations)
        {
            int row = rowGroup.Count;
            if (string.IsNullOrEmpty(o.Group))
            {
                throw new ArgumentException($"observations[{row}]: every observation needs a non-empty group.", nameof(observations));
            }
            if (labelled is bool l && l != o.Label.HasValue)
            {
                throw new ArgumentException($"observations[{row}]: either every observation has a label or none does.", nameof(observations));
            }
            if (scored is bool s && s != o.Score.HasValue)
            {
                throw new ArgumentException($"observations[{row}]: either every observation has a score or none does.", nameof(observations));
            }
            labelled = o.Label.HasValue;
            scored = o.Score.HasValue;
            int bin = 0;
            if (o.Score is double score)
            {
                if (!o.Label.HasValue)
                {
                    throw new ArgumentException($"observations[{row}]: a score needs a label (calibration compares scores with outcomes).", nameof(observations));
                }
                if (!(score >= 0 && score <= 1))
                {
                    throw new ArgumentException($"observations[{row}]: the score {score.ToString(CultureInfo.InvariantCulture)} is outside [0, 1].", nameof(observations));
                }
                bin = CalibrationBinOf(score);
                rowScore.Add(score);
            }
            if (!index.TryGetValue(o.Group, out int g)) index[o.Group] = g = index.Count;
            rowGroup.Add(g);
            rowCode.Add((byte)((bin << 2) | (o.Label == true ? 2 : 0) | (o.Prediction ? 1 : 0)));
        }

        var names = index.Keys.Order(StringComparer.Ordinal).ToArray();
        var sortedOf = new int[names.Length];
        for (int i = 0; i < names.Length; i++) sortedOf[index[names[i]]] = i;
        var tallies = new GroupTallies(names.Length, labelled == true, scored == true);
        for (int row = 0; row < rowGroup.Count; row++)
        {
            int g = rowGroup[row] = sortedOf[rowGroup[row]];
            int code = rowCode[row];
            bool prediction = (code & 1) != 0, label = (code & 2) != 0;
            tallies.Total[g]++;
            if (prediction) tallies.Selected[g]++;
            if (label) tallies.LabelPositives[g]++;
            if (label && prediction) tallies.TruePositives[g]++;
            if (!label && prediction && tallies.HasLabels) tallies.FalsePositives[g]++;
            if (tallies.HasScores)
            {
                ref var bin = ref tallies.Bins[(g * CalibrationBins) + (code >> 2)];
                bin = new CalibrationBin(bin.Count + 1, bin.Positives + (label ? 1 : 0), bin.ScoreSum + rowScore[row]);
            }
        }
        var counts = names.Select((name, g) => new GroupOutcomeCounts(name, tallies.Total[g], tallies.Selected[g],
            tallies.HasLabels ? tallies.LabelPositives[g] : null,
            tallies.HasLabels ? tallies.TruePositives[g] : null,
            tallies.HasLabels ? tallies.FalsePositives[g] : null,
            tallies.HasScores ? tallies.Bins.AsSpan(g * CalibrationBins, CalibrationBins).ToArray() : null)).ToList();
        return new Tabulation(counts, rowGroup, rowCode, rowScore);
    }

    /// <summary>Validates the counts (ordered by group), flags the small groups and computes the point estimates of the others.</summary>
    private static (FairnessReport Report, List<GroupOutcomeCounts> Judged, FairnessValues Values) Build(List<GroupOutcomeCounts> list, int minimumGroupSize)
    {
        if (list.Count < 2)
        {
            throw new ArgumentException($"Fairness metrics compare groups: at least two groups are needed, got {list.Count}.", "groups");
        }
        Validate(list);
        var small = list.Where(g => g.Total == 0 || g.Total < minimumGroupSize).ToList();
        var judged = list.Except(small).ToList();
        if (judged.Count < 2)
        {
            throw new ArgumentException(
                $"Fairness metrics compare groups: at least two groups with at least {minimumGroupSize} observations each are needed; "
                + $"{judged.Count} of {list.Count} have that many (too small: {string.Join(", ", small.Select(g => $"'{g.Group}' ({g.Total})"))}). "
                + "Lower the minimum group size to judge smaller groups.", "groups");
        }

        var warnings = new List<string>();
        foreach (var g in small)
        {
            warnings.Add($"Group '{g.Group}' has {g.Total} observations (< {minimumGroupSize}): too small to judge; flagged and left out of every metric "
                + "(29 CFR 1607.4(D): differences based on small numbers may not be significant).");
        }
        var values = new FairnessValues(judged.Count);
        GroupTallies.From(judged).Evaluate(values);
        bool withLabels = list[0].LabelPositives is not null, withScores = list[0].CalibrationBins is not null;
        Dictionary<string, double> PerGroup(double[] v, string what = "", string denominator = "")
        {
            var result = new Dictionary<string, double>(StringComparer.Ordinal);
            for (int g = 0; g < judged.Count; g++)
            {
                if (!double.IsNaN(v[g])) result[judged[g].Group] = v[g];
                else warnings.Add($"Group '{judged[g].Group}' has no {denominator}: its {what} is undefined and left out.");
            }
            return result;
        }
        // A judged group has observations, so its selection rate and (with scores) calibration error are always defined.
        var rates = PerGroup(values.SelectionRate);
        var tpr = withLabels ? PerGroup(values.TruePositiveRate, "true positive rate", "label positives") : [];
        var fpr = withLabels ? PerGroup(values.FalsePositiveRate, "false positive rate", "label negatives") : [];
        var ece = withScores ? PerGroup(values.ExpectedCalibrationError) : [];
        double max = rates.Values.Max();
        if (max == 0) warnings.Add("No group was selected: ratios are reported as 1.0.");
        var air = rates.ToDictionary(kv => kv.Key, kv => max == 0 ? 1.0 : kv.Value / max, StringComparer.Ordinal);
        static double? Defined(double v) => double.IsNaN(v) ? null : v;

        var report = new FairnessReport
        {
            Groups = list,
            SmallGroups = [.. small.Select(g => g.Group)],
            HasLabels = withLabels,
            HasScores = withScores,
            SelectionRates = rates,
            TruePositiveRates = tpr,
            FalsePositiveRates = fpr,
            ExpectedCalibrationErrors = ece,
            ReferenceGroup = judged[values.ReferenceGroup].Group,
            AdverseImpactRatios = air,
            AdverseImpactRatio = values.DemographicParityRatio,
            DemographicParityDifference = values.DemographicParityDifference,
            DemographicParityRatio = values.DemographicParityRatio,
            EqualOpportunityDifference = Defined(values.EqualOpportunityDifference),
            FalsePositiveRateDifference = Defined(values.FalsePositiveRateDifference),
            EqualizedOddsDifference = Defined(values.EqualizedOddsDifference),
            MinimumGroupSize = minimumGroupSize,
            Warnings = warnings,
        };
        return (report, judged, values);
    }

    private static void Validate(List<GroupOutcomeCounts> list)
    {
        if (list.Select(g => g.Group).Distinct(StringComparer.Ordinal).Count() != list.Count)
        {
            throw new ArgumentException("Each group may appear only once.", "groups");
        }
        bool withLabels = list[0].LabelPositives is not null, withScores = list[0].CalibrationBins is not null;
        foreach (var g in list)
        {
            if (g.Total < 0 || g.Selected < 0 || g.Selected > g.Total)
            {
                throw new ArgumentException($"Group '{g.Group}': selected ({g.Selected}) must be between 0 and total ({g.Total}).", "groups");
            }
            if ((g.LabelPositives is not null) != withLabels)
            {
                throw new ArgumentException("Either every group has label counts or none does.", "groups");
            }
            if (withLabels && (g.LabelPositives < 0 || g.LabelPositives > g.Total || g.TruePositives is not int tp || tp < 0
                || tp > g.LabelPositives || g.FalsePositives is not int fp || fp < 0 || fp > g.LabelNegatives || tp + fp != g.Selected))
            {
                throw new ArgumentException($"Group '{g.Group}': label counts are inconsistent.", "groups");
            }
            if ((g.CalibrationBins is not null) != withScores)
            {
                throw new ArgumentException("Either every group has calibration bins or none does.", "groups");
            }
            if (g.CalibrationBins is { } bins && (!withLabels || bins.Count != CalibrationBins
                || bins.Any(b => b.Count < 0 || b.Positives < 0 || b.Positives > b.Count || !(b.ScoreSum >= 0 && b.ScoreSum <= b.Count))
                || bins.Sum(b => (long)b.Count) != g.Total || bins.Sum(b => (long)b.Positives) != g.LabelPositives))
            {
                throw new ArgumentException($"Group '{g.Group}': calibration bins are inconsistent (they need label counts, {CalibrationBins} bins whose "
                    + "counts add up to the total and positives to the label positives, each score sum between 0 and its count).", "groups");
            }
        }
    }

    /// <summary>Observations as counts per group, and per row its group (index into <see cref="Counts"/>), code (bin × 4 + label × 2 + prediction) and score.</summary>
    private sealed record Tabulation(List<GroupOutcomeCounts> Counts, List<int> RowGroup, List<byte> RowCode, List<double> RowScore);
}
