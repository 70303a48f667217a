using System.Text.Json;
using System.Text.Json.Nodes;
using Ciaf.Metadata;
using Ciaf.Metadata.Compliance;
using Ciaf.Metadata.Storage;
using Ciaf.Server.Dashboard.Charts;
using Ciaf.Server.Dashboard.Views;

namespace Ciaf.Server.Dashboard;

/// <summary>
/// A model's compliance page from what the store holds: the report rebuilt from its stored assessments
/// (<see cref="StoredComplianceReport"/>), fairness analyses found in its validation, compliance and monitoring records
/// (objects shaped as <see cref="FairnessReport.ToJson"/>: <c>groups</c> and <c>by_group</c>, or <c>selection_rates</c> as
/// stored before), and drift measures
/// of its monitoring records (numbers whose name mentions PSI or drift).
/// </summary>
internal static class ComplianceViewBuilder
{
    /// <summary>The newest records of each stage read for fairness analyses.</summary>
    public const int RecordsScanned = 200;

    /// <summary>The most drift series drawn on one chart.</summary>
    public const int DriftSeriesDrawn = 8;

    /// <summary>The conventional population stability index bands (0.1 moderate shift, 0.25 significant shift).</summary>
    public static readonly IReadOnlyList<ChartLine> PsiLines = [new(0.1, "PSI 0.1: moderate shift"), new(0.25, "PSI 0.25: significant shift")];

    private static readonly string[] FairnessStages = [PipelineStages.Validation, PipelineStages.Compliance, PipelineStages.Monitoring];

    /// <summary>The page, or <c>null</c> when the model has no records at all.</summary>
    public static async Task<ComplianceView?> BuildAsync(MetadataStorage storage, string model, CancellationToken cancellationToken)
    {
        if ((await storage.GetModelMetadataAsync(model, limit: 1, cancellationToken: cancellationToken).ConfigureAwait(false)).Count == 0) return null;
        var report = await StoredComplianceReport.BuildAsync(storage, model, ModelOverviewBuilder.Threshold, cancellationToken).ConfigureAwait(false);
        var scores = report?.Frameworks
            .Select(f => new ChartSeries(f.Framework, [.. f.History.Select(a => new ChartPoint(a.AssessedAt, a.Score, a.MetadataId))]))
            .ToList() ?? [];

        var fairness = new Dictionary<string, FairnessPanel>(StringComparer.Ordinal);
        foreach (string stage in FairnessStages)
        {
            var query = new MetadataQuery { ModelName = model, Stage = stage, Order = RecordOrder.NewestFirst, Limit = RecordsScanned };
            await foreach (var r in storage.QueryMetadataAsync(query, cancellationToken).ConfigureAwait(false))
            {
                foreach (var (path, stored) in FairnessObjects(r.Metadata, string.Empty, depth: 0))
                {
                    string source = $"{stage}: {path}";
                    if (fairness.ContainsKey(source) || Recompute(stored) is not { } computed) continue;
                    fairness[source] = new FairnessPanel(source, r.Id, r.Timestamp, computed);
                }
            }
        }

        var drift = new Dictionary<string, List<ChartPoint>>(StringComparer.Ordinal);
        await foreach (var r in storage.QueryMetadataAsync(new MetadataQuery { ModelName = model, Stage = PipelineStages.Monitoring, Order = RecordOrder.OldestFirst }, cancellationToken).ConfigureAwait(false))
        {
            foreach (var (path, value) in DriftValues(r.Metadata, string.Empty, depth: 0))
            {
                if (!drift.TryGetValue(path, out var points)) drift[path] = points = [];
                points.Add(new ChartPoint(r.Timestamp, value, r.Id));
            }
        }
        var driftSeries = drift.OrderByDescending(kv => kv.Value[^1].Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => new ChartSeries(kv.Key, kv.Value)).ToList();
        bool psi = driftSeries.Any(s => s.Name.Contains("psi", StringComparison.OrdinalIgnoreCase));
        return new ComplianceView(model, report, scores, [.. fairness.Values.OrderBy(p => p.Source, StringComparer.Ordinal)],
            [.. driftSeries.Take(DriftSeriesDrawn)], psi ? PsiLines : [], Math.Max(0, driftSeries.Count - DriftSeriesDrawn));
    }

    /// <summary>Objects shaped as a stored fairness report, with their dotted paths.</summary>
    internal static IEnumerable<(string Path, JsonObject Report)> FairnessObjects(JsonObject node, string path, int depth)
    {
        if (depth > 6) yield break;
        foreach (var (key, child) in node)
        {
            if (child is not JsonObject o) continue;
            string childPath = path.Length == 0 ? key : path + "." + key;
            // by_group: FairnessReport.ToJson today; selection_rates: reports stored before it took Fairlearn's names.
            if (o["groups"] is JsonArray && (o["by_group"] is JsonObject || o["selection_rates"] is JsonObject)) yield return (childPath, o);
            else foreach (var found in FairnessObjects(o, childPath, depth + 1)) yield return found;
        }
    }

    /// <summary>Numbers (not booleans) whose dotted path mentions PSI or drift.</summary>
    internal static IEnumerable<(string Path, double Value)> DriftValues(JsonObject node, string path, int depth)
    {
        if (depth > 6) yield break;
        foreach (var (key, child) in node)
        {
            string childPath = path.Length == 0 ? key : path + "." + key;
            switch (child)
            {
                case JsonObject o:
                    foreach (var found in DriftValues(o, childPath, depth + 1)) yield return found;
                    break;
                case JsonValue v when v.GetValueKind() == JsonValueKind.Number && IsDriftName(childPath) && v.TryGetValue(out double d) && double.IsFinite(d):
                    yield return (childPath, d);
                    break;
            }
        }
    }

    private static bool IsDriftName(string path) =>
        path.Contains("psi", StringComparison.OrdinalIgnoreCase) || path.Contains("drift", StringComparison.OrdinalIgnoreCase);

    private static FairnessReport? Recompute(JsonObject stored)
    {
        try
        {
            return FairnessMetrics.FromJson(stored);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
        {
            // Shaped like a report but not one (no usable groups): not a fairness analysis to chart.
            return null;
        }
    }
}
