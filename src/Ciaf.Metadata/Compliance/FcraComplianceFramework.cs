using System.Text.Json.Nodes;

namespace Ciaf.Metadata.Compliance;

/// <summary>
/// FCRA (credit decisions), scored with the reference's weights and thresholds: <c>accuracy_measures</c>
/// {precision &gt; .8 → .20, recall &gt; .8 → .20}, <c>adverse_action_procedures</c> {notice_system .20,
/// dispute_process .20}, <c>data_quality</c> {completeness &gt; .9 → .10, accuracy &gt; .9 → .10}.
/// A missing or non-numeric measure earns nothing.
/// </summary>
public sealed class FcraComplianceFramework : ComplianceFramework
{
    /// <summary>Creates the framework (name <c>FCRA</c>).</summary>
    public FcraComplianceFramework() : base(ComplianceFrameworkNames.Fcra) { }

    /// <inheritdoc />
    public override ComplianceEvaluation Assess(JsonObject evidence)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        var s = new ScoreSheet(evidence);
        s.Threshold("accuracy_measures", "precision", 0.8, 0.20, citation: "15 U.S.C. 1681e(b) maximum possible accuracy");
        s.Threshold("accuracy_measures", "recall", 0.8, 0.20, citation: "15 U.S.C. 1681e(b) maximum possible accuracy");
        s.Flag("adverse_action_procedures", "notice_system", 0.20, "15 U.S.C. 1681m(a) adverse action notice");
        s.Flag("adverse_action_procedures", "dispute_process", 0.20, "15 U.S.C. 1681i dispute procedure");
        s.Threshold("data_quality", "completeness", 0.9, 0.10, citation: "15 U.S.C. 1681e(b)");
        s.Threshold("data_quality", "accuracy", 0.9, 0.10, citation: "15 U.S.C. 1681e(b)");
        return s.Result();
    }
}
