using System.Text.Json.Nodes;
using Ciaf.Metadata.Capture;
using Ciaf.Metadata.Integration;
using Ciaf.Metadata.Interop.OpenLineage;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;
using CsCheck;

namespace Ciaf.Metadata.Tests.Interop;

public sealed class OpenLineageExportTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private MetadataStorage Open(string backend = "sqlite", string? folder = null, Action<MetadataStorageOptions>? configure = null)
    {
        var options = new MetadataStorageOptions { StoragePath = folder ?? _temp.Combine("store"), Backend = backend };
        configure?.Invoke(options);
        return new MetadataStorage(options);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("json")]
    public async Task Export_DemoLikePipeline_EveryEventValidatesPairsAndLinksToItsRecord(string backend)
    {
        using var storage = Open(backend);
        OpenLineagePipelines.WriteDemoLike(storage);

        string path = storage.ExportMetadata(null, "openlineage");

        Assert.EndsWith(".openlineage.jsonl", path, StringComparison.Ordinal);
        var events = OpenLineagePipelines.ReadLines(path);
        var records = storage.GetModelMetadata("credit_scoring", limit: null);
        Assert.Equal(2 * records.Count, events.Count);
        OpenLineagePipelines.AssertValid(events);
        var runs = OpenLineagePipelines.AssertPaired(events);
        Assert.Equal(records.Count, runs.Count);
        foreach (var (start, end) in runs.Values)
        {
            Assert.Equal("2-0-2", ((string)end["schemaURL"]!).Split('/')[4]);
            var facet = end["run"]!["facets"]![OpenLineageSpec.RecordFacetName]!;
            var record = records.Single(r => r.Id == (string)facet["recordId"]!);
            Assert.Equal(record.MetadataHash, (string)facet["metadataHash"]!);
            var position = await storage.Ledger.LocateAsync(record.Id);
            Assert.Equal(position!.Seq, (long)facet["ledgerLeafIndex"]!);
            Assert.Equal($"credit_scoring.{record.Stage}.{record.EventType.Replace("_error", "", StringComparison.Ordinal)}", (string)end["job"]!["name"]!);
            Assert.Equal("ciaf", (string)end["job"]!["namespace"]!);
        }

        var failed = Assert.Single(events, e => (string)e["eventType"]! == "FAIL");
        Assert.Equal("credit_scoring.training.model_fit", (string)failed["job"]!["name"]!);
        Assert.Equal("InvalidOperationException: diverged", (string)failed["run"]!["facets"]!["errorMessage"]!["message"]!);

        var ingestion = events.Single(e => (string)e["eventType"]! == "COMPLETE" && (string)e["job"]!["name"]! == "credit_scoring.data_ingestion.data_loaded");
        var input = Assert.Single(ingestion["inputs"]!.AsArray())!;
        Assert.Equal("s3://bureau-exports", (string)input["namespace"]!);
        Assert.Equal("2026/applications.parquet", (string)input["name"]!);
        Assert.Equal(["income", "debt", "employment_years", "repaid"],
            input["facets"]!["schema"]!["fields"]!.AsArray().Select(f => (string)f!["name"]!).ToArray());
        var deployment = events.Single(e => (string)e["eventType"]! == "COMPLETE" && (string)e["job"]!["name"]! == "credit_scoring.deployment.model_deployed");
        var output = Assert.Single(deployment["outputs"]!.AsArray())!;
        Assert.Equal(("file", "/srv/models/credit_scoring-2.1.0.zip"), ((string)output["namespace"]!, (string)output["name"]!));
        Assert.Equal("double", (string)output["facets"]!["schema"]!["fields"]![0]!["type"]!);

        // Manager steps belong to the pipeline run the manager started; the nested capture to its enclosing scope.
        var init = records.Single(r => r.EventType == ManagerEvents.ModelInitialized);
        var training = events.First(e => (string)e["job"]!["name"]! == "credit_scoring.training.training_completed");
        Assert.Equal(init.Id, (string)training["run"]!["facets"]!["parent"]!["run"]!["runId"]!);
        var impute = events.First(e => (string)e["job"]!["name"]! == "credit_scoring.data_preprocessing.impute");
        Assert.Equal("credit_scoring.data_preprocessing.data_cleaning", (string)impute["run"]!["facets"]!["parent"]!["job"]!["name"]!);
        Assert.Null(events.First(e => (string)e["job"]!["name"]! == "credit_scoring.data_preprocessing.data_cleaning")["run"]!["facets"]?["parent"]);
        // A capture's START is when its scope began: its timestamp less its execution time.
        var cleaning = records.Single(r => r.EventType == "data_cleaning");
        Assert.Equal((string)cleaning.Metadata["capture_id"]!, (string)runs.Single(r => (string)r.Value.Start["job"]!["name"]! == "credit_scoring.data_preprocessing.data_cleaning").Key);
    }

    [Fact]
    public void Validator_BrokenEvents_AreReported()
    {
        using var storage = Open();
        storage.SaveMetadata("m", PipelineStages.DataIngestion, "loaded", new { source = "s3://b/k", features = new[] { "a" } });
        var good = OpenLineagePipelines.ReadLines(storage.ExportMetadata(null, "openlineage", _temp.Combine("g.jsonl")))[1];
        Assert.Empty(OpenLineageSchemas.Validate(good));

        JsonObject Broken(Action<JsonObject> change)
        {
            var copy = good.DeepClone().AsObject();
            change(copy);
            return copy;
        }
        Assert.NotEmpty(OpenLineageSchemas.Validate(Broken(e => e["run"]!["runId"] = "not-a-uuid")));
        Assert.NotEmpty(OpenLineageSchemas.Validate(Broken(e => e.Remove("producer"))));
        Assert.NotEmpty(OpenLineageSchemas.Validate(Broken(e => e["eventTime"] = "yesterday")));
        Assert.NotEmpty(OpenLineageSchemas.Validate(Broken(e => e["eventType"] = "DONE")));
        Assert.NotEmpty(OpenLineageSchemas.Validate(Broken(e => e["run"]!["facets"]![OpenLineageSpec.RecordFacetName]!.AsObject().Remove("_producer"))));
        Assert.NotEmpty(OpenLineageSchemas.Validate(Broken(e => e["run"]!["facets"]![OpenLineageSpec.RecordFacetName]!["metadataHash"] = "xyz")));
        Assert.NotEmpty(OpenLineageSchemas.Validate(Broken(e => e["inputs"]![0]!["facets"]!["schema"]!["fields"]![0]!.AsObject().Remove("name"))));
        Assert.NotEmpty(OpenLineageSchemas.Validate(Broken(e => e["run"]!["facets"]!["unknown"] = new JsonObject())));
    }

    [Fact]
    public void Export_SameStoreState_SameBytesWhateverTheScanOrder()
    {
        using var storage = Open("json");
        OpenLineagePipelines.WriteDemoLike(storage, "model_b");
        OpenLineagePipelines.WriteDemoLike(storage, "model_a");
        string first = File.ReadAllText(storage.ExportMetadata(null, "openlineage", _temp.Combine("first.jsonl")));
        string second = File.ReadAllText(storage.ExportMetadata(null, "openlineage", _temp.Combine("second.jsonl")));
        storage.Dispose();
        // The same store opened through a copy: the same state gives the same bytes.
        using var copy = TempDirectory.CopyOf(_temp.Combine("store"));
        using var reopened = Open("json", copy.Path);
        string third = File.ReadAllText(reopened.ExportMetadata(null, "openlineage", _temp.Combine("third.jsonl")));

        Assert.Equal(first, second);
        Assert.Equal(first, third);
        var times = OpenLineagePipelines.ReadLines(_temp.Combine("first.jsonl"))
            .Where(e => (string)e["eventType"]! != "START").Select(e => (string)e["eventTime"]!).ToList();
        Assert.Equal(times.Order(StringComparer.Ordinal), times);
    }

    [Fact]
    public void ExportSearch_Filter_OnlyMatchingRecordsAndParentsStillNamed()
    {
        using var storage = Open();
        OpenLineagePipelines.WriteDemoLike(storage);

        string path = storage.ExportSearch("stage = 'data_preprocessing' AND event_type = 'impute'", "openlineage", _temp.Combine("f.jsonl"));

        var events = OpenLineagePipelines.ReadLines(path);
        Assert.Equal(2, events.Count);
        OpenLineagePipelines.AssertValid(events);
        Assert.All(events, e => Assert.Equal("credit_scoring.data_preprocessing.impute", (string)e["job"]!["name"]!));
        // The enclosing capture is not exported, but the parent facet still names its run and job.
        Assert.Equal("credit_scoring.data_preprocessing.data_cleaning", (string)events[1]["run"]!["facets"]!["parent"]!["job"]!["name"]!);
    }

    [Fact]
    public void Export_NamespaceAndProducerFromOptions_LedgerOffHasNoLeafIndex()
    {
        using var storage = Open(configure: o =>
        {
            o.LedgerEnabled = false;
            o.OpenLineage = new OpenLineageOptions { Namespace = "prod-ml", Producer = new Uri("https://example.org/producer") };
        });
        storage.SaveMetadata("m", "training", "fit", new { accuracy = 0.5 });

        var events = OpenLineagePipelines.ReadLines(storage.ExportMetadata(null, "openlineage", _temp.Combine("o.jsonl")));

        OpenLineagePipelines.AssertValid(events);
        Assert.All(events, e => Assert.Equal("prod-ml", (string)e["job"]!["namespace"]!));
        Assert.All(events, e => Assert.Equal("https://example.org/producer", (string)e["producer"]!));
        Assert.Null(events[1]["run"]!["facets"]![OpenLineageSpec.RecordFacetName]!["ledgerLeafIndex"]);
        Assert.Null(storage.OpenLineage); // no destination configured: no live emitter
    }

    [Fact]
    public async Task Export_ImportedRecordWithNonUuidId_GetsAStableDerivedRunId()
    {
        using var storage = Open();
        var record = SampleRecords.Create(id: "legacy-17");
        await storage.Core.WriteStoredAsync([record], []);

        var events = OpenLineagePipelines.ReadLines(storage.ExportMetadata(null, "openlineage", _temp.Combine("l.jsonl")));

        OpenLineagePipelines.AssertValid(events);
        string runId = (string)events[0]["run"]!["runId"]!;
        Assert.True(Guid.TryParse(runId, out var guid));
        Assert.Equal(5, guid.Version);
        Assert.Equal(runId, (string)OpenLineagePipelines.ReadLines(storage.ExportMetadata(null, "openlineage", _temp.Combine("l2.jsonl")))[0]["run"]!["runId"]!);
    }

    /// <summary>A random pipeline: steps of a few models, manager or capture, nested, failing, with datasets.</summary>
    private sealed record Step(int Model, int Kind, int Depth, bool Fail, int Dataset);

    [Fact]
    public void Export_RandomPipelines_EveryEventValidatesAndPairs()
    {
        var gen = Gen.Select(Gen.Int[0, 2], Gen.Int[0, 5], Gen.Int[0, 2], Gen.Bool, Gen.Int[0, 4], (m, k, d, f, ds) => new Step(m, k, d, f, ds))
            .List[1, 12];
        int run = 0;
        gen.Sample(steps =>
        {
            using var folder = new TempDirectory();
            using var storage = new MetadataStorage(new MetadataStorageOptions { StoragePath = folder.Path, Backend = run++ % 2 == 0 ? "sqlite" : "json" });
            var managers = new Dictionary<int, ModelMetadataManager>();
            foreach (var step in steps) Write(storage, managers, step);
            var events = OpenLineagePipelines.ReadLines(storage.ExportMetadata(null, "openlineage", folder.Combine("x.jsonl")));
            Assert.Equal(2 * storage.GetPerformanceMetrics().RecordCount, events.Count);
            OpenLineagePipelines.AssertValid(events);
            OpenLineagePipelines.AssertPaired(events);
        }, iter: 25, seed: "0N0XIzNsQ0O3");
    }

    private static readonly string[] Sources = ["customer_db", "s3://bucket/key/data.csv", "/data/raw.csv", "postgres://db:5432/crm.public.customers", "file:///tmp/x y.csv"];

    private static void Write(MetadataStorage storage, Dictionary<int, ModelMetadataManager> managers, Step step)
    {
        string model = $"model_ü{step.Model}";
        var metadata = new JsonObject { ["source"] = Sources[step.Dataset], ["artifact"] = Sources[(step.Dataset + 1) % Sources.Length] };
        if (step.Dataset % 2 == 0) metadata["features"] = new JsonArray("a", "b");
        else metadata["schema"] = new JsonArray(new JsonObject { ["name"] = "a", ["type"] = "int" });
        switch (step.Kind)
        {
            case 0 or 1 or 2:
                if (!managers.TryGetValue(step.Model, out var manager)) managers[step.Model] = manager = new ModelMetadataManager(model, "1." + step.Model, storage);
                if (step.Kind == 0) manager.LogDataIngestion(metadata);
                else if (step.Kind == 1) manager.LogDeployment(metadata);
                else manager.LogTrainingComplete(metadata);
                break;
            case 3:
                storage.SaveMetadata(model, PipelineStages.DataIngestion, "loaded", metadata);
                break;
            default:
                try
                {
                    Nest(storage, model, step.Depth, step.Fail, metadata);
                }
                catch (InvalidOperationException)
                {
                    // every scope on the way out recorded it; the pipeline goes on
                }
                break;
        }
    }

    private static void Nest(MetadataStorage storage, string model, int depth, bool fail, JsonObject metadata)
    {
        using var capture = new MetadataCapture(model, depth == 0 ? PipelineStages.Deployment : PipelineStages.Training, "step" + depth, storage);
        capture.UpdateMetadata(metadata.DeepClone());
        try
        {
            if (depth > 0) Nest(storage, model, depth - 1, fail, metadata);
            else if (fail) throw new InvalidOperationException("boom");
        }
        catch (InvalidOperationException ex) when (capture.RecordError(ex))
        {
        }
    }
}
