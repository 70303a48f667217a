using Ciaf.Metadata.Compliance;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Compliance;

public sealed class FairnessBootstrapTests
{
    /// <summary>
    /// <paramref name="copies"/> copies of a fixed 200-row sample with real differences: group x (120 rows) is selected more
    /// often than y (80 rows), and its scores are better calibrated. The same data made larger, so intervals must narrow.
    /// </summary>
    private static List<FairnessObservation> Data(int copies)
    {
        var random = new Random(20260301);
        var sample = new List<FairnessObservation>();
        for (int i = 0; i < 200; i++)
        {
            string group = i < 120 ? "x" : "y";
            bool label = random.NextDouble() < (group == "x" ? 0.5 : 0.4);
            double score = Math.Clamp((label ? 0.65 : 0.35) + ((random.NextDouble() - 0.5) * (group == "x" ? 0.5 : 0.7)), 0, 1);
            bool prediction = score > (group == "x" ? 0.45 : 0.55);
            sample.Add(new FairnessObservation(group, prediction, label, score));
        }
        return [.. Enumerable.Repeat(sample, copies).SelectMany(s => s)];
    }

    private static FairnessReport Compute(List<FairnessObservation> data, int seed = 1, int samples = 300, double level = 0.95) =>
        FairnessMetrics.Compute(data, new FairnessOptions { BootstrapSamples = samples, Seed = seed, ConfidenceLevel = level });

    /// <summary>Every (name, point estimate, interval) of a report.</summary>
    private static IEnumerable<(string Name, double Value, ConfidenceInterval Interval)> Estimates(FairnessReport r)
    {
        var i = r.Intervals!;
        yield return ("demographic_parity_difference", r.DemographicParityDifference, i.DemographicParityDifference!.Value);
        yield return ("demographic_parity_ratio", r.DemographicParityRatio, i.DemographicParityRatio!.Value);
        yield return ("equal_opportunity_difference", r.EqualOpportunityDifference!.Value, i.EqualOpportunityDifference!.Value);
        yield return ("false_positive_rate_difference", r.FalsePositiveRateDifference!.Value, i.FalsePositiveRateDifference!.Value);
        yield return ("equalized_odds_difference", r.EqualizedOddsDifference!.Value, i.EqualizedOddsDifference!.Value);
        foreach (var g in r.SelectionRates.Keys)
        {
            yield return ($"selection_rate {g}", r.SelectionRates[g], i.SelectionRates[g]);
            yield return ($"true_positive_rate {g}", r.TruePositiveRates[g], i.TruePositiveRates[g]);
            yield return ($"false_positive_rate {g}", r.FalsePositiveRates[g], i.FalsePositiveRates[g]);
            yield return ($"expected_calibration_error {g}", r.ExpectedCalibrationErrors[g], i.ExpectedCalibrationErrors[g]);
        }
    }

    [Fact]
    public void Compute_Bootstrap_EveryIntervalContainsItsPointEstimate()
    {
        var report = Compute(Data(1));

        var estimates = Estimates(report).ToList();
        Assert.Equal(5 + (4 * 2), estimates.Count);
        Assert.All(estimates, e => Assert.True(e.Interval.Contains(e.Value) && e.Interval.Width > 0, $"{e.Name}: {e.Value} vs [{e.Interval.Low}, {e.Interval.High}]"));
    }

    [Fact]
    public void Compute_Bootstrap_IntervalsNarrowAsDataGrows()
    {
        var small = Estimates(Compute(Data(1))).ToList();
        var large = Estimates(Compute(Data(16))).ToList();

        // Sixteen times the data: about a quarter of the width; every interval at least halves.
        Assert.All(small.Zip(large), p => Assert.True(p.Second.Interval.Width < p.First.Interval.Width / 2,
            $"{p.First.Name}: {p.First.Interval.Width} with 200 rows, {p.Second.Interval.Width} with 3,200"));
        // The point estimates are those of the same sample.
        Assert.All(small.Zip(large), p => Assert.Equal(p.First.Value, p.Second.Value, 1e-12));
    }

    [Fact]
    public void Compute_Bootstrap_LowerConfidenceLevelNarrower()
    {
        var wide = Estimates(Compute(Data(1), level: 0.95)).ToList();
        var narrow = Estimates(Compute(Data(1), level: 0.5)).ToList();

        Assert.All(wide.Zip(narrow), p => Assert.True(p.Second.Interval.Width < p.First.Interval.Width, p.First.Name));
    }

    [Fact]
    public void Compute_Bootstrap_SameSeedSameIntervals_AnotherSeedOthers()
    {
        var data = Data(1);

        var first = Estimates(Compute(data, seed: 7)).ToList();
        var again = Estimates(Compute(data, seed: 7)).ToList();
        var other = Estimates(Compute(data, seed: 8)).ToList();

        Assert.Equal(first, again);
        Assert.Contains(first.Zip(other), p => p.First.Interval != p.Second.Interval);
    }

    [Fact]
    public void Compute_Bootstrap_EqualsPlainResamplingWithTheSameDraws()
    {
        var data = Data(1);
        var options = new FairnessOptions { BootstrapSamples = 120, Seed = 3 };

        var fast = FairnessMetrics.Compute(data, options).Intervals!;
        var naive = NaiveFairnessBootstrap.Intervals(data, options);

        Assert.Equal(naive["demographic_parity_difference"], fast.DemographicParityDifference);
        Assert.Equal(naive["demographic_parity_ratio"], fast.DemographicParityRatio);
        Assert.Equal(naive["equalized_odds_difference"], fast.EqualizedOddsDifference);
        foreach (var g in new[] { "x", "y" })
        {
            Assert.Equal(naive[$"selection_rate:{g}"], fast.SelectionRates[g]);
            Assert.Equal(naive[$"expected_calibration_error:{g}"], fast.ExpectedCalibrationErrors[g]);
        }
    }

    [Fact]
    public void Compute_Bootstrap_SmallGroupDrawnButNotScored()
    {
        var data = Data(1);
        data.AddRange(Enumerable.Range(0, 4).Select(i => new FairnessObservation("z", i % 2 == 0, i < 2, 0.5)));

        var report = Compute(data);

        Assert.Equal(["z"], report.SmallGroups);
        Assert.False(report.Intervals!.SelectionRates.ContainsKey("z"));
        Assert.Equal(2, report.Intervals.SelectionRates.Count);
    }

    [Fact]
    public void Compute_GroupsAtParity_IntervalOfTheSpreadStartsAtItsEstimate()
    {
        // Both groups select exactly half: the difference is 0, and every resample's spread is at least 0.
        var data = Enumerable.Range(0, 200).Select(i => new FairnessObservation(i % 2 == 0 ? "p" : "q", i % 4 < 2)).ToList();

        var report = FairnessMetrics.Compute(data, new FairnessOptions { BootstrapSamples = 200 });

        Assert.Equal(0, report.DemographicParityDifference);
        Assert.Equal(0, report.Intervals!.DemographicParityDifference!.Value.Low);
        Assert.True(report.Intervals.DemographicParityDifference.Value.High > 0);
        Assert.Null(report.Intervals.EqualOpportunityDifference);
    }

    [Fact]
    public void Compute_InvalidOptions_ListsEveryProblem()
    {
        var ex = Assert.Throws<ArgumentException>(() => FairnessMetrics.Compute(Data(1),
            new FairnessOptions { BootstrapSamples = -1, ConfidenceLevel = 1.5, MinimumGroupSize = -2 }));

        Assert.Contains("BootstrapSamples: -1 is not allowed", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ConfidenceLevel: 1.5 is not allowed", ex.Message, StringComparison.Ordinal);
        Assert.Contains("MinimumGroupSize: -2 is not allowed", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1.5, "observations[1]: the score 1.5 is outside [0, 1].")]
    [InlineData(-0.1, "observations[1]: the score -0.1 is outside [0, 1].")]
    [InlineData(double.NaN, "observations[1]: the score NaN is outside [0, 1].")]
    public void Compute_ScoreOutsideZeroOne_Throws(double score, string message)
    {
        var ex = Assert.Throws<ArgumentException>(() => FairnessMetrics.Compute(
            [new FairnessObservation("a", true, true, 0.5), new FairnessObservation("b", true, true, score)], minimumGroupSize: 0));

        Assert.StartsWith(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_ScoresWithoutLabelsOrOnSomeRowsOnly_Throws()
    {
        Assert.Contains("needs a label", Assert.Throws<ArgumentException>(() => FairnessMetrics.Compute(
            [new FairnessObservation("a", true, null, 0.5), new FairnessObservation("b", true, null, 0.5)], minimumGroupSize: 0)).Message, StringComparison.Ordinal);
        Assert.Contains("every observation has a score or none", Assert.Throws<ArgumentException>(() => FairnessMetrics.Compute(
            [new FairnessObservation("a", true, true, 0.5), new FairnessObservation("b", true, true)], minimumGroupSize: 0)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_FewerThanTwoGroupsLargeEnough_ThrowsNamingTheSmallOnes()
    {
        var data = Enumerable.Range(0, 40).Select(i => new FairnessObservation("big", i % 2 == 0))
            .Append(new FairnessObservation("tiny", true));

        var ex = Assert.Throws<ArgumentException>(() => FairnessMetrics.Compute(data));

        Assert.Contains("at least two groups with at least 30 observations", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'tiny' (1)", ex.Message, StringComparison.Ordinal);
    }
}
