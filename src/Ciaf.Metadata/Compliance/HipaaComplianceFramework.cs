using System.Text.Json.Nodes;

namespace Ciaf.Metadata.Compliance;

/// <summary>
/// The HIPAA Security Rule (45 CFR Part 164, Subpart C), scored over ten safeguards (weights sum to 1.0;
/// see docs/compliance.md for the reasoning):
/// <list type="bullet">
/// <item><c>administrative_safeguards</c>: <c>risk_analysis</c> .15 (§164.308(a)(1)(ii)(A)),
/// <c>workforce_training</c> .10 (§164.308(a)(5)), <c>business_associate_agreements</c> .10 (§164.308(b)(1), §164.314(a)).</item>
/// <item><c>technical_safeguards</c>: <c>access_control</c> .10 (§164.312(a)(1)), <c>unique_user_ids</c> .05
/// (§164.312(a)(2)(i)), <c>audit_controls</c> .10 (§164.312(b)), <c>integrity_controls</c> .10 (§164.312(c)(1)),
/// <c>transmission_security</c> .10 (§164.312(e)(1)), <c>encryption</c> .10 (§164.312(a)(2)(iv), (e)(2)(ii)).</item>
/// <item><c>documentation</c>: <c>retention_years</c> ≥ 6 → .10 (§164.316(b)(2)(i)).</item>
/// </list>
/// Flags are met when truthy; a missing one earns nothing.
/// </summary>
public sealed class HipaaComplianceFramework : ComplianceFramework
{
    /// <summary>The minimum documentation retention, in years (45 CFR 164.316(b)(2)(i)).</summary>
    public const double RequiredRetentionYears = 6;

    /// <summary>Creates the framework (name <c>HIPAA</c>).</summary>
    public HipaaComplianceFramework() : base(ComplianceFrameworkNames.Hipaa) { }

    /// <inheritdoc />
    public override ComplianceEvaluation Assess(JsonObject evidence)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        var s = new ScoreSheet(evidence);
        s.Flag("administrative_safeguards", "risk_analysis", 0.15, "45 CFR 164.308(a)(1)(ii)(A)");
        s.Flag("administrative_safeguards", "workforce_training", 0.10, "45 CFR 164.308(a)(5)");
        s.Flag("administrative_safeguards", "business_associate_agreements", 0.10, "45 CFR 164.308(b)(1), 164.314(a)");
        s.Flag("technical_safeguards", "access_control", 0.10, "45 CFR 164.312(a)(1)");
        s.Flag("technical_safeguards", "unique_user_ids", 0.05, "45 CFR 164.312(a)(2)(i)");
        s.Flag("technical_safeguards", "audit_controls", 0.10, "45 CFR 164.312(b)");
        s.Flag("technical_safeguards", "integrity_controls", 0.10, "45 CFR 164.312(c)(1)");
        s.Flag("technical_safeguards", "transmission_security", 0.10, "45 CFR 164.312(e)(1)");
        s.Flag("technical_safeguards", "encryption", 0.10, "45 CFR 164.312(a)(2)(iv), 164.312(e)(2)(ii)");
        s.Threshold("documentation", "retention_years", RequiredRetentionYears, 0.10, citation: "45 CFR 164.316(b)(2)(i)", inclusive: true);
        return s.Result();
    }
}
