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
            bool basis = f.Findings.Any(x => x.Basis is not null);
            sb.Append(c, $"\n## {Escape(f.Framework)}\n\n| Requirement | Met |{(basis ? " Basis |" : "")} Earned / weight | Why | Reference |\n|---|---|{(basis ? "---|" : "")}---:|---|---|\n");
            foreach (var x in f.Findings)
            {
                sb.Append(c, $"| {Escape(x.Requirement)} | {(x.Met ? "yes" : "no")} |{(basis ? $" {x.Basis ?? "-"} |" : "")} {x.Earned:0.###} / {x.Weight:0.###} | {Escape(x.Reason)} | {Escape(x.Citation ?? "")} |\n");
            }
            if (f.Findings.Any(x => x.Crosswalk is not null))
            {
                sb.Append(c, $"\nCrosswalk of the same evidence to ISO/IEC 42001:2023 Annex A and the NIST AI RMF 1.0 functions:\n\n| Requirement | Met | ISO/IEC 42001 Annex A | NIST AI RMF |\n|---|---|---|---|\n");
                foreach (var x in f.Findings.Where(x => x.Crosswalk is not null))
                {
                    sb.Append(c, $"| {Escape(x.Requirement)} | {(x.Met ? "yes" : "no")} | {string.Join(", ", x.Crosswalk!.Iso42001)} | {string.Join(", ", x.Crosswalk.NistAiRmf)} |\n");
                }
                sb.Append('\n').Append(string.Join("; ", CrosswalkSummary(f.Findings).Select(s => $"{s.Function}: {s.Met} of {s.Total} met"))).Append(".\n");
            }
            sb.Append("\nHistory:\n\n");
            foreach (var h in f.History)
            {
                sb.Append(c, $"- {PythonTimestamp.Format(h.AssessedAt)}: {h.Score:0.###} ({(h.Passed ? "passed" : "failed")}), record `{h.MetadataId}`\n");
            }
        }
        return sb.ToString();
    }

    /// <summary>Per NIST AI RMF function: how many of the findings mapped to it are met.</summary>
    internal static IEnumerable<(string Function, int Met, int Total)> CrosswalkSummary(IEnumerable<ComplianceFinding> findings)
    {
        var mapped = findings.Where(x => x.Crosswalk is not null).ToList();
        return ControlCrosswalk.NistFunctions
            .Select(fn => (fn, mapped.Count(x => x.Met && x.Crosswalk!.NistAiRmf.Contains(fn)), mapped.Count(x => x.Crosswalk!.NistAiRmf.Contains(fn))))
            .Where(t => t.Item3 > 0);
    }

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
