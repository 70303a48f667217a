using System.Text.Json.Nodes;

namespace Ciaf.Metadata.Compliance;

/// <summary>
/// GDPR, scored with the reference's weights: <c>data_protection_measures</c> {encryption .15, anonymization .15,
/// access_controls .10}, <c>consent_management</c> {explicit_consent .20, withdrawal_mechanism .20},
/// <c>right_to_explanation</c> .20. A requirement is met when its value is truthy (Python truth); a missing one earns nothing.
/// </summary>
public sealed class GdprComplianceFramework : ComplianceFramework
{
    /// <summary>Creates the framework (name <c>GDPR</c>).</summary>
    public GdprComplianceFramework() : base(ComplianceFrameworkNames.Gdpr) { }

    /// <inheritdoc />
    public override ComplianceEvaluation Assess(JsonObject evidence)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        var s = new ScoreSheet(evidence);
        s.Flag("data_protection_measures", "encryption", 0.15, "GDPR Art. 32(1)(a)");
        s.Flag("data_protection_measures", "anonymization", 0.15, "GDPR Art. 25(1), 32(1)(a)");
        s.Flag("data_protection_measures", "access_controls", 0.10, "GDPR Art. 25(2), 32(1)(b)");
        s.Flag("consent_management", "explicit_consent", 0.20, "GDPR Art. 7, 9(2)(a)");
        s.Flag("consent_management", "withdrawal_mechanism", 0.20, "GDPR Art. 7(3)");
        s.Flag("", "right_to_explanation", 0.20, "GDPR Art. 13(2)(f), 22(3)");
        return s.Result();
    }
}
