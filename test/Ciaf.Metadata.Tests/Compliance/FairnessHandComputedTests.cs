using System.Globalization;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Compliance;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Compliance;

/// <summary>
/// Every metric on fixed data, against the textbook definitions worked out by hand (the arithmetic is written out in
/// each expected value), to 1e-12.
/// </summary>
public sealed class FairnessHandComputedTests
{
    private const double Tolerance = 1e-12;

    // (group, label, prediction, score). Group a: 8 rows, b: 6 rows, c: 2 rows (below the minimum of 5: flagged, not scored).
    private static readonly (string G, bool Y, bool P, double S)[] Rows =
    [
        ("a", true, true, 0.95), ("a", true, true, 0.85), ("a", true, false, 0.45), ("a", false, true, 0.62),
        ("a", false, false, 0.15), ("a", false, false, 0.05), ("a", true, true, 0.91), ("a", false, false, 0.35),
        ("b", true, true, 0.75), ("b", true, false, 0.55), ("b", false, false, 0.25), ("b", false, true, 0.72),
        ("b", false, false, 0.12), ("b", true, false, 0.40),
        ("c", true, true, 0.90), ("c", false, true, 0.80),
    ];

    private static FairnessReport Report(int bootstrap = 0) => FairnessMetrics.Compute(
        Rows.Select(r => new FairnessObservation(r.G, r.P, r.Y, r.S)),
        new FairnessOptions { MinimumGroupSize = 5, BootstrapSamples = bootstrap });

    [Fact]
    public void Compute_PerGroupRates_EqualHandComputedValues()
    {
        var report = Report();

        // a: 4 of 8 selected; label positives rows 1, 2, 3, 7 of which 1, 2, 7 selected; label negatives 4, 5, 6, 8 of which 4 selected.
        Assert.Equal(4.0 / 8, report.SelectionRates["a"], Tolerance);
        Assert.Equal(3.0 / 4, report.TruePositiveRates["a"], Tolerance);
        Assert.Equal(1.0 / 4, report.FalsePositiveRates["a"], Tolerance);
        // b: 2 of 6 selected; label positives rows 1, 2, 6 of which 1 selected; label negatives 3, 4, 5 of which 4 selected.
        Assert.Equal(2.0 / 6, report.SelectionRates["b"], Tolerance);
        Assert.Equal(1.0 / 3, report.TruePositiveRates["b"], Tolerance);
        Assert.Equal(1.0 / 3, report.FalsePositiveRates["b"], Tolerance);
    }

    [Fact]
    public void Compute_ExpectedCalibrationError_EqualsTheBinnedTextbookSum()
    {
        var report = Report();

        // ECE = Σ_b (n_b / n) · |fraction of positives in b − mean score in b|, bins [0, .1), [.1, .2), …, [.9, 1].
        // a: bin 9 {.95 y, .91 y}, 8 {.85 y}, 6 {.62 n}, 4 {.45 y}, 3 {.35 n}, 1 {.15 n}, 0 {.05 n}.
        double eceA = (2.0 / 8 * Math.Abs(1 - ((0.95 + 0.91) / 2))) + (1.0 / 8 * Math.Abs(1 - 0.85)) + (1.0 / 8 * Math.Abs(0 - 0.62))
            + (1.0 / 8 * Math.Abs(1 - 0.45)) + (1.0 / 8 * Math.Abs(0 - 0.35)) + (1.0 / 8 * Math.Abs(0 - 0.15)) + (1.0 / 8 * Math.Abs(0 - 0.05));
        // b: bin 7 {.75 y, .72 n}, 5 {.55 y}, 4 {.40 y: 0.40 is the lower edge of bin 4}, 2 {.25 n}, 1 {.12 n}.
        double eceB = (2.0 / 6 * Math.Abs(0.5 - ((0.75 + 0.72) / 2))) + (1.0 / 6 * Math.Abs(1 - 0.55)) + (1.0 / 6 * Math.Abs(1 - 0.40))
            + (1.0 / 6 * Math.Abs(0 - 0.25)) + (1.0 / 6 * Math.Abs(0 - 0.12));
        Assert.Equal(0.25125, eceA, Tolerance);
        Assert.Equal(0.315, eceB, Tolerance);
        Assert.Equal(eceA, report.ExpectedCalibrationErrors["a"], Tolerance);
        Assert.Equal(eceB, report.ExpectedCalibrationErrors["b"], Tolerance);
    }

    [Fact]
    public void Compute_BetweenGroupMetrics_EqualFairlearnDefinitions()
    {
        var report = Report();

        // demographic_parity_difference = max − min selection rate; _ratio = min / max.
        Assert.Equal((4.0 / 8) - (2.0 / 6), report.DemographicParityDifference, Tolerance);
        Assert.Equal(2.0 / 6 / (4.0 / 8), report.DemographicParityRatio, Tolerance);
        // equal_opportunity_difference = max − min TPR; false positive rate difference = max − min FPR;
        // equalized_odds_difference (worst case) = the larger of the two.
        Assert.Equal((3.0 / 4) - (1.0 / 3), report.EqualOpportunityDifference!.Value, Tolerance);
        Assert.Equal((1.0 / 3) - (1.0 / 4), report.FalsePositiveRateDifference!.Value, Tolerance);
        Assert.Equal((3.0 / 4) - (1.0 / 3), report.EqualizedOddsDifference!.Value, Tolerance);
        // Four-fifths rule: b's selection rate over a's is 2/3 < 0.8.
        Assert.Equal("a", report.ReferenceGroup);
        Assert.Equal(2.0 / 3, report.AdverseImpactRatios["b"], Tolerance);
        Assert.False(report.PassesFourFifthsRule);
        Assert.Equal(["b"], report.GroupsBelowFourFifths);
    }

    [Fact]
    public void Compute_GroupBelowMinimum_FlaggedNotScored()
    {
        var report = Report();

        Assert.Equal(["c"], report.SmallGroups);
        Assert.Equal(["a", "b", "c"], report.Groups.Select(g => g.Group));
        Assert.False(report.SelectionRates.ContainsKey("c"));
        Assert.False(report.ExpectedCalibrationErrors.ContainsKey("c"));
        Assert.Contains(report.Warnings, w => w.StartsWith("Group 'c' has 2 observations (< 5): too small to judge", StringComparison.Ordinal));
        var c = report.ToJson()["by_group"]!["c"]!.AsObject();
        Assert.Equal(2, (int)c["count"]!);
        Assert.True((bool)c["too_small"]!);
        Assert.False(c.ContainsKey("selection_rate"));
    }

    [Fact]
    public void ToJson_UsesFairlearnNamesWithValueAndInterval()
    {
        var json = Report(bootstrap: 200).ToJson();

        var dpd = json["demographic_parity_difference"]!.AsObject();
        Assert.Equal(["value", "ci_low", "ci_high"], dpd.Select(kv => kv.Key));
        Assert.Equal((4.0 / 8) - (2.0 / 6), (double)dpd["value"]!, Tolerance);
        Assert.True((double)dpd["ci_low"]! <= (double)dpd["value"]! && (double)dpd["value"]! <= (double)dpd["ci_high"]!);
        foreach (string name in new[] { "demographic_parity_ratio", "equalized_odds_difference", "equal_opportunity_difference" })
        {
            Assert.NotNull(json[name]!["ci_low"]);
        }
        var a = json["by_group"]!["a"]!;
        Assert.Equal(0.75, (double)a["true_positive_rate"]!["value"]!, Tolerance);
        foreach (string name in new[] { "selection_rate", "true_positive_rate", "false_positive_rate", "expected_calibration_error" })
        {
            Assert.NotNull(a[name]!["ci_high"]);
        }
        Assert.Equal(200, (int)json["bootstrap"]!["n_boot"]!);
        Assert.False((bool)json["passes_four_fifths_rule"]!);
    }

    [Fact]
    public void ToJson_WithoutBootstrap_BoundsAreNull()
    {
        var dpd = Report().ToJson()["demographic_parity_difference"]!;

        Assert.Null(dpd["ci_low"]);
        Assert.Null(dpd["ci_high"]);
    }

    [Fact]
    public void FromJson_StoredReportWithScores_RecomputesCalibrationFromTheBins()
    {
        var original = Report();

        var recomputed = FairnessMetrics.FromJson(JsonNode.Parse(original.ToJson().ToJsonString())!.AsObject());

        Assert.Equal(original.ExpectedCalibrationErrors["a"], recomputed.ExpectedCalibrationErrors["a"]);
        Assert.Equal(original.ToJson().ToJsonString(), recomputed.ToJson().ToJsonString());
        Assert.Equal(original.ExpectedCalibrationErrors["b"], original.Groups.Single(g => g.Group == "b").ExpectedCalibrationError!.Value, Tolerance);
    }

    /// <summary>
    /// The bootstrap as documented (docs/compliance.md), written again in Python's standard library: SplitMix64 seeds per
    /// resample from a SplitMix64 seeded with the seed, Lemire's bounded indices, resamples of the whole dataset, linear
    /// quantiles, widened to the estimate. Python's floats are IEEE doubles and the operations are the same, so the bounds
    /// must agree exactly: anyone can reproduce a recorded interval from the rows and the seed.
    /// </summary>
    private const string ReferenceBootstrap = """
        import json, math, sys
        M = (1 << 64) - 1
        class SplitMix64:
            def __init__(self, seed): self.x = seed & M
            def next(self):
                self.x = (self.x + 0x9E3779B97F4A7C15) & M
                z = self.x
                z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
                z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
                return z ^ (z >> 31)
            def index(self, n):
                m = (self.next() >> 32) * n
                if (m & 0xFFFFFFFF) < n:
                    t = ((1 << 32) - n) % n
                    while (m & 0xFFFFFFFF) < t:
                        m = (self.next() >> 32) * n
                return m >> 32
        def bin_of(s):
            b = int(s * 10)
            if b >= 10: return 9
            if s >= (b + 1) / 10: b += 1
            elif b > 0 and s < b / 10: b -= 1
            return min(b, 9)
        def metrics(sample, judged):
            sel, tot, bins = {}, {}, {}
            for g in judged: sel[g], tot[g], bins[g] = 0, 0, [[0, 0.0] for _ in range(10)]
            for g, y, p, s in sample:
                if g not in judged: continue
                tot[g] += 1; sel[g] += p
                b = bins[g][bin_of(s)]; b[0] += y; b[1] += s
            sr = {g: sel[g] / tot[g] for g in judged if tot[g] > 0}
            ece = {}
            for g in judged:
                if tot[g] == 0: continue
                gap = 0.0
                for pos, ssum in bins[g]: gap += abs(pos - ssum)
                ece[g] = gap / tot[g]
            dpd = max(sr.values()) - min(sr.values()) if len(sr) >= 2 else None
            return dpd, sr, ece
        def quantile(v, p):
            h = (len(v) - 1) * p; lo = math.floor(h); hi = min(lo + 1, len(v) - 1)
            return v[lo] + (h - lo) * (v[hi] - v[lo])
        rows, judged = json.loads(sys.argv[1]), json.loads(sys.argv[2])
        n_boot, seed, level = int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
        point = metrics(rows, judged)
        master = SplitMix64(seed)
        draws = {"dpd": []}
        for name in judged: draws["sr " + name], draws["ece " + name] = [], []
        for _ in range(n_boot):
            rng = SplitMix64(master.next())
            dpd, sr, ece = metrics([rows[rng.index(len(rows))] for _ in rows], judged)
            if dpd is not None: draws["dpd"].append(dpd)
            for name in judged:
                if name in sr: draws["sr " + name].append(sr[name]); draws["ece " + name].append(ece[name])
        tail = (1 - level) / 2
        estimates = {"dpd": point[0]}
        for name in judged: estimates["sr " + name], estimates["ece " + name] = point[1][name], point[2][name]
        out = {}
        for key, values in draws.items():
            values.sort()
            out[key] = [min(quantile(values, tail), estimates[key]), max(quantile(values, 1 - tail), estimates[key])]
        print(json.dumps(out))
        """;

    [Fact]
    public void Compute_Bootstrap_EqualsAnIndependentPythonImplementationOfTheDocumentedMethod()
    {
        const int samples = 200, seed = 42;
        var report = FairnessMetrics.Compute(Rows.Select(r => new FairnessObservation(r.G, r.P, r.Y, r.S)),
            new FairnessOptions { MinimumGroupSize = 5, BootstrapSamples = samples, Seed = seed });
        string rows = new JsonArray([.. Rows.Select(r => (JsonNode)new JsonArray(r.G, r.Y ? 1 : 0, r.P ? 1 : 0, r.S))]).ToJsonString();

        var python = JsonNode.Parse(Python.Run(ReferenceBootstrap, rows, """["a", "b"]""",
            samples.ToString(CultureInfo.InvariantCulture), seed.ToString(CultureInfo.InvariantCulture), "0.95"))!;

        static ConfidenceInterval Interval(JsonNode n) => new((double)n[0]!, (double)n[1]!);
        Assert.Equal(Interval(python["dpd"]!), report.Intervals!.DemographicParityDifference);
        foreach (var g in new[] { "a", "b" })
        {
            Assert.Equal(Interval(python[$"sr {g}"]!), report.Intervals.SelectionRates[g]);
            Assert.Equal(Interval(python[$"ece {g}"]!), report.Intervals.ExpectedCalibrationErrors[g]);
        }
    }

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(0.05, 0)]
    [InlineData(0.1, 1)]
    [InlineData(0.3, 3)]           // 0.3 × 10 rounds to 3.0000000000000004 in some orders; the edge itself decides
    [InlineData(0.7, 7)]
    [InlineData(0.29999999999999993, 2)]
    [InlineData(0.9, 9)]
    [InlineData(0.99999, 9)]
    [InlineData(1.0, 9)]           // the last bin is closed
    public void CalibrationBinOf_Edges_BelongToTheBinTheyOpen(double score, int bin)
    {
        Assert.Equal(bin, FairnessMetrics.CalibrationBinOf(score));
    }
}
