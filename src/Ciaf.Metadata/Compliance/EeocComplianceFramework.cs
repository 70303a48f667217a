using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ciaf.Metadata.Compliance;

/// <summary>
/// EEOC (hiring), scored with the reference's weights and thresholds: <c>bias_assessment</c>
/// {disparate_impact &lt; .2 → .20, statistical_parity &gt; .8 → .20}, <c>fairness_metrics</c>
/// {equalized_odds &gt; .8 → .20, calibration &gt; .8 → .20}, plus .20 × the share of
/// race, gender, age and disability named in <c>protected_classes</c>.
/// Unlike the reference, a missing measure earns nothing (the reference reads a missing
/// <c>disparate_impact</c> as 0, which passes). Class names match exactly, as in the reference
/// (<c>"Disability"</c> does not cover <c>disability</c>); the finding says so.
/// </summary>
public sealed class EeocComplianceFramework : ComplianceFramework
{
    /// <summary>The protected classes whose coverage earns the last 20 %, as the reference lists them.</summary>
    public static IReadOnlyList<string> ExpectedProtectedClasses { get; } = ["race", "gender", "age", "disability"];

    /// <summary>Creates the framework (name <c>EEOC</c>).</summary>
    public EeocComplianceFramework() : base(ComplianceFrameworkNames.Eeoc) { }

    /// <inheritdoc />
    public override ComplianceEvaluation Assess(JsonObject evidence)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        var s = new ScoreSheet(evidence);
        s.Threshold("bias_assessment", "disparate_impact", 0.2, 0.20, below: true, citation: "29 CFR 1607.4(D)");
        s.Threshold("bias_assessment", "statistical_parity", 0.8, 0.20, citation: "29 CFR 1607.4(D)");
        s.Threshold("fairness_metrics", "equalized_odds", 0.8, 0.20, citation: "Title VII, 42 U.S.C. 2000e-2(k)");
        s.Threshold("fairness_metrics", "calibration", 0.8, 0.20, citation: "29 CFR 1607.14(B)(8) fairness");

        var given = new List<string>();
        var ignored = new List<string>();
        if (evidence["protected_classes"] is JsonArray arr)
        {
            foreach (var item in arr)
            {
                if (item is JsonValue v && v.GetValueKind() == JsonValueKind.String)
                {
                    given.Add(v.GetValue<string>());
                }
            }
        }
        // The reference intersects sets: duplicates count once, comparison is exact.
        var covered = ExpectedProtectedClasses.Where(given.Contains).ToList();
        var missingClasses = ExpectedProtectedClasses.Except(covered).ToList();
        foreach (var g in given.Distinct(StringComparer.Ordinal))
        {
            if (!ExpectedProtectedClasses.Contains(g) && ExpectedProtectedClasses.Contains(g.ToLowerInvariant()))
            {
                ignored.Add(g);
            }
        }
        double earned = ((double)covered.Count / ExpectedProtectedClasses.Count) * 0.20;
        string reason = evidence["protected_classes"] is null
            ? "protected_classes not provided"
            : $"{covered.Count} of {ExpectedProtectedClasses.Count} classes covered"
              + (covered.Count > 0 ? $" ({string.Join(", ", covered)})" : "")
              + (missingClasses.Count > 0 ? $"; missing {string.Join(", ", missingClasses)}" : "")
              + (ignored.Count > 0 ? $"; not matched (names are case-sensitive): {string.Join(", ", ignored)}" : "");
        s.Add("protected_classes", covered.Count == ExpectedProtectedClasses.Count, 0.20, earned,
            reason, "42 U.S.C. 2000e-2; 29 U.S.C. 623; 42 U.S.C. 12112");
        return s.Result();
    }
}
