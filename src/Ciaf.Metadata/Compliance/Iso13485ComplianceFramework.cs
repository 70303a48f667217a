using System.Text.Json.Nodes;

namespace Ciaf.Metadata.Compliance;

/// <summary>
/// ISO 13485:2016 (medical-device quality management), scored over eight requirements (weights sum to 1.0;
/// see docs/compliance.md for the reasoning):
/// <list type="bullet">
/// <item><c>quality_management_system</c>: <c>document_control</c> .10 (4.2.4), <c>record_control</c> .10 (4.2.5).</item>
/// <item><c>product_realization</c>: <c>design_controls</c> .15 (7.3), <c>risk_management</c> .15 (7.1, to ISO 14971),
/// <c>software_lifecycle</c> .15 (4.1.6, 7.3, to IEC 62304), <c>traceability</c> .10 (7.5.9).</item>
/// <item><c>measurement_analysis_improvement</c>: <c>capa</c> .15 (8.5.2, 8.5.3),
/// <c>post_market_surveillance</c> .10 (8.2.1–8.2.3).</item>
/// </list>
/// Flags are met when truthy; a missing one earns nothing.
/// </summary>
public sealed class Iso13485ComplianceFramework : ComplianceFramework
{
    /// <summary>Creates the framework (name <c>ISO_13485</c>).</summary>
    public Iso13485ComplianceFramework() : base(ComplianceFrameworkNames.Iso13485) { }

    /// <inheritdoc />
    public override ComplianceEvaluation Assess(JsonObject evidence)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        var s = new ScoreSheet(evidence);
        s.Flag("quality_management_system", "document_control", 0.10, "ISO 13485:2016 4.2.4");
        s.Flag("quality_management_system", "record_control", 0.10, "ISO 13485:2016 4.2.5");
        s.Flag("product_realization", "design_controls", 0.15, "ISO 13485:2016 7.3");
        s.Flag("product_realization", "risk_management", 0.15, "ISO 13485:2016 7.1; ISO 14971:2019");
        s.Flag("product_realization", "software_lifecycle", 0.15, "ISO 13485:2016 4.1.6, 7.3; IEC 62304:2006+A1:2015");
        s.Flag("product_realization", "traceability", 0.10, "ISO 13485:2016 7.5.9");
        s.Flag("measurement_analysis_improvement", "capa", 0.15, "ISO 13485:2016 8.5.2, 8.5.3");
        s.Flag("measurement_analysis_improvement", "post_market_surveillance", 0.10, "ISO 13485:2016 8.2.1, 8.2.2, 8.2.3");
        return s.Result();
    }
}
