using System.Text.Json.Nodes;
using Ciaf.Metadata.Capture;
using Ciaf.Metadata.Integration;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Interop;

/// <summary>Pipelines written into a store for the OpenLineage tests, and checks over the events they give.</summary>
internal static class OpenLineagePipelines
{
    /// <summary>
    /// A credit-scoring pipeline shaped like the demo's: a manager with every stage, datasets with columns, a capture scope
    /// around preprocessing with a nested capture, a failing capture, compliance.
    /// </summary>
    public static void WriteDemoLike(MetadataStorage storage, string model = "credit_scoring")
    {
        var manager = new ModelMetadataManager(model, "2.1.0", storage);
        manager.LogDataIngestion(new
        {
            source = "s3://bureau-exports/2026/applications.parquet",
            rows = 5000,
            columns = 12,
            features = new[] { "income", "debt", "employment_years" },
            label = "repaid",
        });
        using (var outer = new MetadataCapture(model, PipelineStages.DataPreprocessing, "data_cleaning", storage))
        {
            outer.AddMetadata("rows_in", 5000);
            MetadataCapture.Run(model, PipelineStages.DataPreprocessing, "impute", () => 1, storage: storage);
        }
        Assert.Throws<InvalidOperationException>(() =>
            MetadataCapture.Run<int>(model, PipelineStages.Training, "model_fit", () => throw new InvalidOperationException("diverged"), storage: storage));
        manager.LogTrainingStart(new { algorithm = "logistic_regression" });
        manager.LogTrainingComplete(new { accuracy = 0.91 });
        manager.LogValidation(new { auc = 0.88 });
        manager.LogDeployment(new { artifact = "/srv/models/credit_scoring-2.1.0.zip", schema = new { income = "double", debt = "double" } });
        manager.LogInference(new { predictions = 10 });
        manager.LogComplianceCheck("GDPR", new { compliance_score = 0.9 });
    }

    /// <summary>The events of an export or a transport file, one per line.</summary>
    public static List<JsonObject> ReadLines(string path) =>
        [.. File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!.AsObject())];

    /// <summary>Asserts every event validates against the vendored spec and facet schemas.</summary>
    public static void AssertValid(IEnumerable<JsonObject> events)
    {
        var errors = events.SelectMany((e, i) => OpenLineageSchemas.Validate(e).Select(m => $"event {i} ({e["eventType"]} {e["job"]?["name"]}): {m}")).ToList();
        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors.Take(20)));
    }

    /// <summary>
    /// Asserts each run has exactly one START, then exactly one COMPLETE or FAIL of the same job, not earlier; and that every
    /// parent run facet names a run of the events with that run's job. Returns the runs by id.
    /// </summary>
    public static Dictionary<string, (JsonObject Start, JsonObject End)> AssertPaired(IReadOnlyList<JsonObject> events)
    {
        var runs = new Dictionary<string, (JsonObject? Start, JsonObject? End)>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            string runId = (string)e["run"]!["runId"]!;
            string type = (string)e["eventType"]!;
            var (start, end) = runs.GetValueOrDefault(runId);
            if (type == "START")
            {
                Assert.True(start is null, $"run {runId} has two START events");
                Assert.True(end is null, $"run {runId} has its START after its end");
                runs[runId] = (e, null);
            }
            else
            {
                Assert.Contains(type, new[] { "COMPLETE", "FAIL" });
                Assert.True(start is not null, $"run {runId} ends ({type}) without a START before it");
                Assert.True(end is null, $"run {runId} has two terminal events");
                Assert.Equal((string)start!["job"]!["name"]!, (string)e["job"]!["name"]!);
                Assert.True(string.CompareOrdinal((string)start["eventTime"]!, (string)e["eventTime"]!) <= 0, $"run {runId} ends before it starts");
                runs[runId] = (start, e);
            }
        }
        Assert.All(runs, r => Assert.True(r.Value.End is not null, $"run {r.Key} never ends"));
        foreach (var e in events)
        {
            if (e["run"]!["facets"]?["parent"] is not { } parent) continue;
            string parentRun = (string)parent["run"]!["runId"]!;
            Assert.True(runs.TryGetValue(parentRun, out var p), $"the parent run {parentRun} of {e["job"]!["name"]} has no events");
            Assert.Equal((string)p.Start!["job"]!["name"]!, (string)parent["job"]!["name"]!);
            Assert.Equal((string)p.Start!["job"]!["namespace"]!, (string)parent["job"]!["namespace"]!);
        }
        return runs.ToDictionary(r => r.Key, r => (r.Value.Start!, r.Value.End!), StringComparer.Ordinal);
    }
}
