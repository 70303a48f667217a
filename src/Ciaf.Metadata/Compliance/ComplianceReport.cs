using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Metadata.Compliance;

/// <summary>A model's compliance status: per framework the latest score, pass/fail, findings and history.</summary>
public sealed record ComplianceReport
{
    /// <summary>The model.</summary>
    public required string ModelName { get; init; }

    /// <summary>The model version.</summary>
    public required string ModelVersion { get; init; }

    /// <summary>When the report was generated (UTC).</summary>
    public DateTimeOffset GeneratedAt { get; init; }

    /// <summary>The mean of the frameworks' latest scores (0 when none was tracked).</summary>
    public double OverallScore { get; init; }

    /// <summary>The pass mark.</summary>
    public double Threshold { get; init; }

    /// <summary>The frameworks, in the order they were first tracked.</summary>
    public required IReadOnlyList<FrameworkComplianceSummary> Frameworks { get; init; }

    /// <summary>Whether every tracked framework's latest assessment passed (false when none was tracked).</summary>
    public bool AllPassed => Frameworks.Count > 0 && Frameworks.All(f => f.Passed);

    /// <summary>The report as a JSON object.</summary>
    public JsonObject ToJsonObject()
    {
        var frameworks = new JsonArray();
        foreach (var f in Frameworks)
        {
            frameworks.Add(new JsonObject
            {
                ["framework"] = f.Framework,
                ["latest_score"] = f.LatestScore,
                ["passed"] = f.Passed,
                ["findings"] = new JsonArray(f.Findings.Select(x => (JsonNode)x.ToJson()).ToArray()),
                ["history"] = new JsonArray(f.History.Select(h => (JsonNode)h.ToJson()).ToArray()),
            });
        }
        return new JsonObject
        {
            ["model_name"] = ModelName,
            ["model_version"] = ModelVersion,
            ["generated_at"] = PythonTimestamp.Format(GeneratedAt),
            ["overall_score"] = OverallScore,
            ["threshold"] = Threshold,
            ["all_passed"] = AllPassed,
            ["frameworks"] = frameworks,
        };
    }

    /// <summary>The report as indented JSON text.</summary>
    public string ToJson() => ToJsonObject().ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    /// <summary>The report as Markdown: a summary table, then each framework's findings and history.</summary>
    public string ToMarkdown()
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(c, $"# Compliance report: {Escape(ModelName)} {Escape(ModelVersion)}\n\n");
        sb.Append(c, $"Generated {PythonTimestamp.Format(GeneratedAt)}. Overall score **{OverallScore:0.###}** (pass mark {Threshold:0.###}).\n\n");
        if (Frameworks.Count == 0)
        {
            return sb.Append("No framework has been assessed.\n").ToString();
        }
        sb.Append("| Framework | Latest score | Status | Assessments |\n|---|---:|---|---:|\n");
        foreach (var f in Frameworks)
        {
            sb.Append(c, $"| {Escape(f.Framework)} | {f.LatestScore:0.###} | {(f.Passed ? "passed" : "**failed**")} | {f.History.Count} |\n");
        }
        foreach (var f in Frameworks)
        {
            sb.Append(c, $"\n## {Escape(f.Framework)}\n\n| Requirement | Met | Earned / weight | Why | Reference |\n|---|---|---:|---|---|\n");
            foreach (var x in f.Findings)
            {
                sb.Append(c, $"| {Escape(x.Requirement)} | {(x.Met ? "yes" : "no")} | {x.Earned:0.###} / {x.Weight:0.###} | {Escape(x.Reason)} | {Escape(x.Citation ?? "")} |\n");
            }
            sb.Append("\nHistory:\n\n");
            foreach (var h in f.History)
            {
                sb.Append(c, $"- {PythonTimestamp.Format(h.AssessedAt)}: {h.Score:0.###} ({(h.Passed ? "passed" : "failed")}), record `{h.MetadataId}`\n");
            }
        }
        return sb.ToString();
    }

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
