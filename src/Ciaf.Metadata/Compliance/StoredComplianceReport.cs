using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;

namespace Ciaf.Metadata.Compliance;

/// <summary>
/// A <see cref="ComplianceReport"/> rebuilt from a store: <see cref="ComplianceTracker.GenerateComplianceReport"/>
/// reports the assessments one tracker made in its process; this reports every assessment ever stored
/// for a model — each <c>compliance</c> record (score and findings, as the tracker stores them) and the compliance
/// event that names its framework. The rendering (JSON, Markdown) is the library's.
/// </summary>
public static class StoredComplianceReport
{
    /// <summary>The report of every compliance assessment stored for <paramref name="modelName"/>, or <c>null</c> when it has none.</summary>
    /// <param name="storage">The store.</param>
    /// <param name="modelName">The model.</param>
    /// <param name="threshold">The pass mark (config <c>compliance_score_threshold</c>, default 0.8).</param>
    public static ComplianceReport? Build(MetadataStorage storage, string modelName, double threshold = 0.8) =>
        BuildAsync(storage, modelName, threshold).GetAwaiter().GetResult();

    /// <inheritdoc cref="Build"/>
    /// <param name="storage">The store.</param>
    /// <param name="modelName">The model.</param>
    /// <param name="threshold">The pass mark.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    public static async Task<ComplianceReport?> BuildAsync(MetadataStorage storage, string modelName, double threshold = 0.8, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelName);
        var records = new List<MetadataRecord>();
        await foreach (var r in storage.QueryMetadataAsync(new MetadataQuery { ModelName = modelName, Stage = PipelineStages.Compliance, Order = RecordOrder.OldestFirst }, cancellationToken).ConfigureAwait(false))
        {
            records.Add(r);
        }
        if (records.Count == 0) return null;
        var ids = records.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var frameworkOf = (await storage.GetComplianceEventsAsync(new ComplianceEventQuery(), cancellationToken).ConfigureAwait(false))
            .Where(e => e.MetadataId is not null && ids.Contains(e.MetadataId))
            .GroupBy(e => e.MetadataId!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Framework, StringComparer.Ordinal);

        var history = new List<ComplianceAssessment>();
        foreach (var r in records)
        {
            if (!TryNumber(r.Metadata["compliance_score"], out double score)) continue;
            string framework = frameworkOf.GetValueOrDefault(r.Id) ?? FrameworkFromEventType(r.EventType);
            var findings = r.Metadata["findings"] is JsonArray array
                ? array.OfType<JsonObject>().Select(ComplianceFinding.FromJson).ToList()
                : [];
            var assessedAt = r.Metadata["assessment_date"] is JsonValue v && v.TryGetValue(out string? text) && PythonTimestamp.TryParse(text, out var t) ? t : r.Timestamp;
            history.Add(new ComplianceAssessment(framework, score, score >= threshold, r.Id, findings)
            {
                Threshold = threshold,
                ModelName = r.ModelName,
                ModelVersion = r.ModelVersion,
                AssessedAt = assessedAt,
            });
        }
        var frameworks = history.GroupBy(a => a.Framework, StringComparer.OrdinalIgnoreCase)
            .Select(g =>
            {
                var list = g.ToList();
                var latest = list[^1];
                return new FrameworkComplianceSummary(latest.Framework, latest.Score, latest.Passed, latest.Findings, list);
            })
            .ToList();
        return new ComplianceReport
        {
            ModelName = modelName,
            ModelVersion = records[^1].ModelVersion,
            GeneratedAt = PythonTimestamp.Now(),
            OverallScore = frameworks.Count == 0 ? 0 : frameworks.Sum(f => f.LatestScore) / frameworks.Count,
            Threshold = threshold,
            Frameworks = frameworks,
        };
    }

    /// <summary>The report as a standalone HTML page (every value HTML-encoded).</summary>
    public static string ToHtml(ComplianceReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var c = CultureInfo.InvariantCulture;
        static string E(string? s) => WebUtility.HtmlEncode(s ?? string.Empty);
        var sb = new StringBuilder();
        sb.Append(c, $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>Compliance report: {{E(report.ModelName)}} {{E(report.ModelVersion)}}</title>
            <style>
            body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
            table { border-collapse: collapse; margin: 1rem 0; }
            th, td { border: 1px solid #ccc; padding: .35rem .6rem; text-align: left; vertical-align: top; }
            th { background: #f3f3f3; }
            .passed { color: #176b2c; font-weight: 600; }
            .failed { color: #b00020; font-weight: 600; }
            </style>
            </head>
            <body>
            <h1>Compliance report: {{E(report.ModelName)}} {{E(report.ModelVersion)}}</h1>
            <p>Generated {{E(PythonTimestamp.Format(report.GeneratedAt))}}. Overall score <strong>{{report.OverallScore:0.###}}</strong> (pass mark {{report.Threshold:0.###}}).</p>

            """);
        if (report.Frameworks.Count == 0)
        {
            sb.Append("<p>No framework has been assessed.</p>\n");
        }
        else
        {
            sb.Append("<table>\n<tr><th>Framework</th><th>Latest score</th><th>Status</th><th>Assessments</th></tr>\n");
            foreach (var f in report.Frameworks)
            {
                string status = f.Passed ? "passed" : "failed";
                sb.Append(c, $"<tr><td>{E(f.Framework)}</td><td>{f.LatestScore:0.###}</td><td class=\"{status}\">{status}</td><td>{f.History.Count}</td></tr>\n");
            }
            sb.Append("</table>\n");
            foreach (var f in report.Frameworks)
            {
                bool basis = f.Findings.Any(x => x.Basis is not null);
                sb.Append(c, $"<h2>{E(f.Framework)}</h2>\n<table>\n<tr><th>Requirement</th><th>Met</th>{(basis ? "<th>Basis</th>" : "")}<th>Earned / weight</th><th>Why</th><th>Reference</th></tr>\n");
                foreach (var x in f.Findings)
                {
                    sb.Append(c, $"<tr><td>{E(x.Requirement)}</td><td class=\"{(x.Met ? "passed" : "failed")}\">{(x.Met ? "yes" : "no")}</td>{(basis ? $"<td>{E(x.Basis ?? "-")}</td>" : "")}<td>{x.Earned:0.###} / {x.Weight:0.###}</td><td>{E(x.Reason)}</td><td>{E(x.Citation)}</td></tr>\n");
                }
                sb.Append("</table>\n");
                if (f.Findings.Any(x => x.Crosswalk is not null))
                {
                    sb.Append("<p>Crosswalk of the same evidence to ISO/IEC 42001:2023 Annex A and the NIST AI RMF 1.0 functions:</p>\n<table>\n<tr><th>Requirement</th><th>Met</th><th>ISO/IEC 42001 Annex A</th><th>NIST AI RMF</th></tr>\n");
                    foreach (var x in f.Findings.Where(x => x.Crosswalk is not null))
                    {
                        sb.Append(c, $"<tr><td>{E(x.Requirement)}</td><td>{(x.Met ? "yes" : "no")}</td><td>{E(string.Join(", ", x.Crosswalk!.Iso42001))}</td><td>{E(string.Join(", ", x.Crosswalk.NistAiRmf))}</td></tr>\n");
                    }
                    sb.Append("</table>\n<p>").Append(E(string.Join("; ", ComplianceReport.CrosswalkSummary(f.Findings).Select(s => $"{s.Function}: {s.Met} of {s.Total} met")))).Append(".</p>\n");
                }
                sb.Append("<ul>\n");
                foreach (var h in f.History)
                {
                    sb.Append(c, $"<li>{E(PythonTimestamp.Format(h.AssessedAt))}: {h.Score:0.###} ({(h.Passed ? "passed" : "failed")}), record <code>{E(h.MetadataId)}</code></li>\n");
                }
                sb.Append("</ul>\n");
            }
        }
        sb.Append("</body>\n</html>\n");
        return sb.ToString();
    }

    private static string FrameworkFromEventType(string eventType) =>
        (eventType.EndsWith("_compliance", StringComparison.Ordinal) ? eventType[..^"_compliance".Length] : eventType).ToUpperInvariant();

    private static bool TryNumber(JsonNode? node, out double value)
    {
        value = 0;
        return node is JsonValue v && (v.TryGetValue(out value) || (v.TryGetValue(out long l) && (value = l) == l) || (v.TryGetValue(out int i) && (value = i) == i));
    }
}
