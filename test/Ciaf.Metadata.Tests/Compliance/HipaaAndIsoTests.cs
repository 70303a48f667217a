using System.Text.Json.Nodes;
using Ciaf.Metadata.Compliance;

namespace Ciaf.Metadata.Tests.Compliance;

public sealed class HipaaAndIsoTests
{
    private static JsonObject FullHipaa() => JsonNode.Parse("""
        {"administrative_safeguards": {"risk_analysis": true, "workforce_training": true, "business_associate_agreements": true},
         "technical_safeguards": {"access_control": true, "unique_user_ids": true, "audit_controls": true,
                                  "integrity_controls": true, "transmission_security": true, "encryption": true},
         "documentation": {"retention_years": 6}}
        """)!.AsObject();

    [Fact]
    public void HipaaAssess_AllSafeguards_ScoresOneWithTenMetFindings()
    {
        var result = new HipaaComplianceFramework().Assess(FullHipaa());

        Assert.Equal(1.0, result.Score, 12);
        Assert.Equal(10, result.Findings.Count);
        Assert.All(result.Findings, f => Assert.True(f.Met));
        Assert.Equal(1.0, result.Findings.Sum(f => f.Weight), 12);
        Assert.All(result.Findings, f => Assert.StartsWith("45 CFR 164.", f.Citation, StringComparison.Ordinal));
    }

    [Fact]
    public void HipaaAssess_ShortRetentionAndNoRiskAnalysis_LosesTheirWeightsAndSaysWhy()
    {
        var e = FullHipaa();
        e["documentation"]!["retention_years"] = 3;
        e["administrative_safeguards"]!.AsObject().Remove("risk_analysis");

        var result = new HipaaComplianceFramework().Assess(e);

        Assert.Equal(0.75, result.Score, 12);
        var retention = Assert.Single(result.Findings, f => f.Requirement == "documentation.retention_years");
        Assert.False(retention.Met);
        Assert.Equal("documentation.retention_years = 3, required >= 6", retention.Reason);
        var risk = Assert.Single(result.Findings, f => f.Requirement == "administrative_safeguards.risk_analysis");
        Assert.Equal("administrative_safeguards.risk_analysis not provided", risk.Reason);
    }

    [Fact]
    public void HipaaAssess_EncryptionFalse_IsNotMet()
    {
        var e = FullHipaa();
        e["technical_safeguards"]!["encryption"] = false;

        var result = new HipaaComplianceFramework().Assess(e);

        Assert.Equal(0.9, result.Score, 12);
        Assert.Contains("(not in place)", result.Findings.Single(f => f.Requirement.EndsWith("encryption", StringComparison.Ordinal)).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Iso13485Assess_AllRequirements_ScoresOne()
    {
        var e = JsonNode.Parse("""
            {"quality_management_system": {"document_control": true, "record_control": true},
             "product_realization": {"design_controls": true, "risk_management": "ISO 14971:2019 file RM-12", "software_lifecycle": "IEC 62304 class B", "traceability": true},
             "measurement_analysis_improvement": {"capa": true, "post_market_surveillance": true}}
            """)!.AsObject();

        var result = new Iso13485ComplianceFramework().Assess(e);

        Assert.Equal(1.0, result.Score, 12);
        Assert.Equal(8, result.Findings.Count);
        Assert.Equal(1.0, result.Findings.Sum(f => f.Weight), 12);
    }

    [Fact]
    public void Iso13485Assess_NoCapaNoSoftwareLifecycle_LosesThirtyPercent()
    {
        var e = JsonNode.Parse("""
            {"quality_management_system": {"document_control": true, "record_control": true},
             "product_realization": {"design_controls": true, "risk_management": true, "traceability": true},
             "measurement_analysis_improvement": {"capa": false, "post_market_surveillance": true}}
            """)!.AsObject();

        var result = new Iso13485ComplianceFramework().Assess(e);

        Assert.Equal(0.7, result.Score, 12);
        Assert.Equal(["product_realization.software_lifecycle", "measurement_analysis_improvement.capa"],
            result.Findings.Where(f => !f.Met).Select(f => f.Requirement));
    }

    [Fact]
    public void Iso13485Assess_Nothing_ScoresZero()
    {
        var result = new Iso13485ComplianceFramework().Assess([]);

        Assert.Equal(0.0, result.Score);
        Assert.All(result.Findings, f => Assert.False(f.Met));
    }
}
