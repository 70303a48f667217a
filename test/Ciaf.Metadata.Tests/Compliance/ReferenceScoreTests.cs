using System.Text.Json.Nodes;
using Ciaf.Metadata.Compliance;
using Ciaf.Metadata.Integration;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Compliance;

public sealed class ReferenceScoreTests
{
    private static readonly Dictionary<string, ComplianceFramework> Frameworks = new()
    {
        ["gdpr_compliance"] = new GdprComplianceFramework(),
        ["fda_compliance"] = new FdaComplianceFramework(),
        ["eeoc_compliance"] = new EeocComplianceFramework(),
        ["fcra_compliance"] = new FcraComplianceFramework(),
    };

    public static TheoryData<string> CompleteFixtureRecords()
    {
        var data = new TheoryData<string>();
        foreach (var r in PyciafFixtures.ExpectedRecords.Where(r => (string?)r["stage"] == "compliance"
                     && Frameworks.ContainsKey((string)r["event_type"]!)
                     && !IsIncomplete(r["metadata"]!.AsObject())))
        {
            data.Add((string)r["id"]!);
        }
        return data;
    }

    private static bool IsIncomplete(JsonObject md) =>
        md.Where(kv => kv.Value is JsonObject).Any(kv => kv.Value!.AsObject().Count == 0);

    private static JsonObject Inputs(JsonObject md)
    {
        var e = md.DeepClone().AsObject();
        e.Remove("compliance_score");
        e.Remove("assessment_date");
        return e;
    }

    [Theory]
    [MemberData(nameof(CompleteFixtureRecords))]
    public void Assess_FixtureInputs_GivesTheReferenceScoreBitForBit(string id)
    {
        var record = PyciafFixtures.ExpectedRecords.Single(r => (string?)r["id"] == id);
        var md = record["metadata"]!.AsObject();
        var framework = Frameworks[(string)record["event_type"]!];

        var result = framework.Assess(Inputs(md));

        Assert.Equal((double)md["compliance_score"]!, result.Score);
    }

    [Fact]
    public void CompleteFixtureRecords_CoverAllFourReferenceFrameworks()
    {
        var kinds = PyciafFixtures.ExpectedRecords.Where(r => (string?)r["stage"] == "compliance"
                && Frameworks.ContainsKey((string)r["event_type"]!) && !IsIncomplete(r["metadata"]!.AsObject()))
            .Select(r => (string)r["event_type"]!).ToHashSet();
        Assert.Equal(4, kinds.Count);
    }

    [Fact]
    public void EeocAssess_EmptyInputs_EarnsNothingUnlikeTheReference()
    {
        var record = PyciafFixtures.ExpectedRecords.Single(r => (string?)r["event_type"] == "eeoc_compliance"
            && (double)r["metadata"]!["compliance_score"]! == 0.2);

        var result = new EeocComplianceFramework().Assess(Inputs(record["metadata"]!.AsObject()));

        Assert.Equal(0.0, result.Score);
        Assert.All(result.Findings, f => Assert.False(f.Met));
        Assert.Contains(result.Findings, f => f.Requirement == "bias_assessment.disparate_impact" && f.Reason.Contains("not provided", StringComparison.Ordinal));
    }

    [Fact]
    public void EeocAssess_CapitalisedClassName_IsNotCoveredAndTheFindingSaysWhy()
    {
        var result = new EeocComplianceFramework().Assess(JsonNode.Parse("""{"protected_classes": ["race", "Disability"]}""")!.AsObject());

        var finding = Assert.Single(result.Findings, f => f.Requirement == "protected_classes");
        Assert.Equal(0.05, finding.Earned, 12);
        Assert.Contains("case-sensitive", finding.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void TrackerOverallScore_FixtureCreditScoringInputs_MatchesReferenceTracker()
    {
        using var temp = new TempDirectory();
        using var storage = new MetadataStorage(temp.Path, "json");
        var manager = new ModelMetadataManager("credit_scoring", "2.1.0", storage);
        var tracker = new ComplianceTracker(manager, new ComplianceTrackerOptions { AlertOnComplianceFailure = false });
        var gdpr = PyciafFixtures.ExpectedRecords.Single(r => (string?)r["event_type"] == "gdpr_compliance")["metadata"]!;
        var fcra = PyciafFixtures.ExpectedRecords.Single(r => (string?)r["event_type"] == "fcra_compliance")["metadata"]!;

        tracker.TrackGdprCompliance(gdpr["data_protection_measures"], gdpr["consent_management"], (bool)gdpr["right_to_explanation"]!);
        tracker.TrackFcraCompliance(fcra["accuracy_measures"], fcra["adverse_action_procedures"], fcra["data_quality"]);

        var expected = PyciafFixtures.ExpectedShared["compliance_tracker"]!["credit_scoring"]!;
        Assert.Equal((double)expected["compliance_scores"]!["GDPR"]!, tracker.ComplianceScores["GDPR"]);
        Assert.Equal((double)expected["compliance_scores"]!["FCRA"]!, tracker.ComplianceScores["FCRA"]);
        Assert.Equal((double)expected["overall"]!, tracker.GetOverallComplianceScore());
    }

    [Fact]
    public void GdprAssess_MissingGroups_EarnNothingAndSayNotProvided()
    {
        var result = new GdprComplianceFramework().Assess(new JsonObject { ["right_to_explanation"] = true });

        Assert.Equal(0.2, result.Score, 12);
        Assert.Equal(6, result.Findings.Count);
        Assert.Equal("data_protection_measures not provided", result.Findings[0].Reason);
    }

    [Fact]
    public void FcraAssess_NonNumericMeasure_EarnsNothing()
    {
        var result = new FcraComplianceFramework().Assess(JsonNode.Parse("""{"accuracy_measures": {"precision": "0.95", "recall": true}}""")!.AsObject());

        Assert.Equal(0.0, result.Score);
        Assert.Contains("is not a number", result.Findings[0].Reason, StringComparison.Ordinal);
    }
}
