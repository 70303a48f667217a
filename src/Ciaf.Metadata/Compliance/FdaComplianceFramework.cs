using System.Text.Json.Nodes;

namespace Ciaf.Metadata.Compliance;

/// <summary>
/// FDA (medical-device AI), scored with the reference's weights: <c>clinical_validation</c> {clinical_studies .25,
/// performance_validation .25}, <c>safety_measures</c> {risk_assessment .15, monitoring_plan .15},
/// <c>quality_management</c> {iso_13485 .10, documentation .10}. Truthy values meet a requirement; missing ones earn nothing.
/// </summary>
public sealed class FdaComplianceFramework : ComplianceFramework
{
    /// <summary>Creates the framework (name <c>FDA</c>).</summary>
    public FdaComplianceFramework() : base(ComplianceFrameworkNames.Fda) { }

    /// <inheritdoc />
    public override ComplianceEvaluation Assess(JsonObject evidence)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        var s = new ScoreSheet(evidence);
        s.Flag("clinical_validation", "clinical_studies", 0.25, "21 CFR 812; clinical evaluation");
        s.Flag("clinical_validation", "performance_validation", 0.25, "21 CFR 820.30(g) design validation");
        s.Flag("safety_measures", "risk_assessment", 0.15, "21 CFR 820.30(g); ISO 14971");
        s.Flag("safety_measures", "monitoring_plan", 0.15, "21 CFR 822; FDA PCCP guidance");
        s.Flag("quality_management", "iso_13485", 0.10, "21 CFR 820 (QMSR, ISO 13485:2016)");
        s.Flag("quality_management", "documentation", 0.10, "21 CFR 820.30(j) design history file");
        return s.Result();
    }
}
