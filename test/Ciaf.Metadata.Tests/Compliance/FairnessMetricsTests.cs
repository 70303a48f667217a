using Ciaf.Metadata.Compliance;

namespace Ciaf.Metadata.Tests.Compliance;

public sealed class FairnessMetricsTests
{
    // Group a: 100 applicants, 50 selected (0.5). Group b: 100 applicants, 30 selected (0.3).
    private static IEnumerable<FairnessObservation> TwoGroups(bool labels)
    {
        for (int i = 0; i < 100; i++)
        {
            // a: label positive for the first 60; selected: 45 of those 60 and 5 of the 40 negatives.
            bool? la = labels ? i < 60 : null;
            yield return new FairnessObservation("a", i < 45 || (i >= 60 && i < 65), la);
            // b: label positive for the first 50; selected: 25 of those 50 and 5 of the 50 negatives.
            bool? lb = labels ? i < 50 : null;
            yield return new FairnessObservation("b", i < 25 || (i >= 50 && i < 55), lb);
        }
    }

    [Fact]
    public void Compute_AirOfPointSix_FailsFourFifthsRule()
    {
        var report = FairnessMetrics.Compute(TwoGroups(labels: false));

        Assert.Equal(0.5, report.SelectionRates["a"], 12);
        Assert.Equal(0.3, report.SelectionRates["b"], 12);
        Assert.Equal("a", report.ReferenceGroup);
        Assert.Equal(0.6, report.AdverseImpactRatio, 12);
        Assert.False(report.PassesFourFifthsRule);
        Assert.Equal(["b"], report.GroupsBelowFourFifths);
        Assert.Equal(0.2, report.DemographicParityDifference, 12);
        Assert.Equal(0.6, report.DemographicParityRatio, 12);
        Assert.Null(report.EqualizedOddsDifference);
        Assert.Empty(report.Warnings);
    }

    [Fact]
    public void Compute_WithLabels_GivesFairlearnEqualOpportunityAndEqualizedOdds()
    {
        var report = FairnessMetrics.Compute(TwoGroups(labels: true));

        // TPR a = 45/60 = 0.75, b = 25/50 = 0.5; FPR a = 5/40 = 0.125, b = 5/50 = 0.1.
        Assert.Equal(0.25, report.EqualOpportunityDifference!.Value, 12);
        Assert.Equal(0.025, report.FalsePositiveRateDifference!.Value, 12);
        Assert.Equal(0.25, report.EqualizedOddsDifference!.Value, 12);
    }

    [Fact]
    public void Compute_ExactlyFourFifths_Passes()
    {
        var obs = Enumerable.Range(0, 50).Select(i => new FairnessObservation("x", i < 25))
            .Concat(Enumerable.Range(0, 50).Select(i => new FairnessObservation("y", i < 20)));

        var report = FairnessMetrics.Compute(obs);

        Assert.Equal(0.8, report.AdverseImpactRatio, 12);
        Assert.True(report.PassesFourFifthsRule);
    }

    [Fact]
    public void Compute_SmallGroup_WarnsAndLeavesItOut()
    {
        var obs = Enumerable.Range(0, 100).Select(i => new FairnessObservation("big", i % 2 == 0))
            .Concat(Enumerable.Range(0, 40).Select(i => new FairnessObservation("mid", i % 4 == 0)))
            .Concat(Enumerable.Range(0, 5).Select(i => new FairnessObservation("small", i < 5)));

        var report = FairnessMetrics.Compute(obs);

        var warning = Assert.Single(report.Warnings);
        Assert.Contains("'small' has 5 observations", warning, StringComparison.Ordinal);
        // Flagged, not scored: its selection rate of 1.0 would otherwise be the reference.
        Assert.Equal(["small"], report.SmallGroups);
        Assert.Equal("big", report.ReferenceGroup);
        Assert.Equal(0.5, report.AdverseImpactRatio, 12);
    }

    [Fact]
    public void FromJson_StoredReport_RecomputesEveryMetric()
    {
        var original = FairnessMetrics.Compute(TwoGroups(labels: true));

        var recomputed = FairnessMetrics.FromJson(original.ToJson());

        Assert.Equal(original.ToJson().ToJsonString(), recomputed.ToJson().ToJsonString());
    }

    [Fact]
    public void Compute_OneGroup_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => FairnessMetrics.Compute([new FairnessObservation("a", true)]));
        Assert.Contains("at least two groups", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_MixedLabels_Throws()
    {
        Assert.Throws<ArgumentException>(() => FairnessMetrics.Compute([new FairnessObservation("a", true, true), new FairnessObservation("b", true)]));
    }

    [Fact]
    public void Compute_NobodySelected_RatiosAreOneWithWarning()
    {
        var report = FairnessMetrics.Compute([new FairnessObservation("a", false), new FairnessObservation("b", false)], minimumGroupSize: 0);

        Assert.Equal(1.0, report.AdverseImpactRatio);
        Assert.Contains(report.Warnings, w => w.StartsWith("No group was selected", StringComparison.Ordinal));
    }

    [Fact]
    public void ComputeOfT_Selectors_MatchesObservations()
    {
        var rows = new[] { (G: "m", P: true), (G: "m", P: false), (G: "f", P: true), (G: "f", P: true) };

        var report = FairnessMetrics.Compute(rows, r => r.G, r => r.P, minimumGroupSize: 1);

        Assert.Equal(0.5, report.AdverseImpactRatio, 12);
    }
}
