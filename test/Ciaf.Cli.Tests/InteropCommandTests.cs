using System.Text.Json.Nodes;
using Ciaf.Cli.Tests.Support;
using Ciaf.Metadata;
using Ciaf.Metadata.Tests.Interop;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Cli.Tests;

/// <summary>The interop doors: <c>export --format openlineage</c>, <c>import --from mlflow</c>, and the demo's lineage file.</summary>
public sealed class InteropCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private string Store => _folder.Combine("store");

    public void Dispose() => _folder.Dispose();

    private Task<CliResult> Run(params string[] args) => CiafTool.RunAsync(_folder.Path, args);

    private Task<CliResult> Ok(params string[] args) => CiafTool.OkAsync(_folder.Path, args);

    [Fact]
    public async Task Demo_WritesItsOpenLineageEventsBesideItsExport_AndEveryOneValidates()
    {
        string store = _folder.Combine("demo_store");
        var result = await Ok("demo", "--store", store, "--rows", "1000", "--batches", "2", "--batch-size", "100", "--json");
        string export = (string)result.Json()["export"]!;
        string lineage = Path.ChangeExtension(export, ".openlineage.jsonl");
        Assert.Contains(lineage, result.Stderr.ReplaceLineEndings(""), StringComparison.Ordinal);

        var events = OpenLineagePipelines.ReadLines(lineage);
        int records = (int)(await Ok("stats", "--store", store, "--json")).Json()["record_count"]!;
        Assert.Equal(2 * records, events.Count);
        OpenLineagePipelines.AssertValid(events);
        var runs = OpenLineagePipelines.AssertPaired(events);
        Assert.Contains(runs.Values, r => (string)r.End["job"]!["name"]! == "credit_scoring_demo.training.model_fit");
        Assert.Contains(events, e => e["inputs"]!.AsArray().Count > 0);
        Assert.Contains(events, e => e["outputs"]!.AsArray().Count > 0);
        Assert.All(runs.Values, r => Assert.NotNull(r.End["run"]!["facets"]!["ciaf_record"]!["ledgerLeafIndex"]));
    }

    [Fact]
    public async Task ExportOpenLineage_WithFilter_SameBytesTwice()
    {
        using (var storage = new MetadataStorage(Store, "sqlite"))
        {
            storage.SaveMetadata("churn", "data_ingestion", "data_loaded", new { source = "s3://lake/churn.csv", columns = new[] { "age", "tenure" } });
            storage.SaveMetadata("churn", "training", "model_trained", new { accuracy = 0.9 });
            storage.SaveMetadata("fraud", "training", "model_trained", new { accuracy = 0.8 });
        }

        var first = (await Ok("export", "--store", Store, "--format", "openlineage", "--filter", "model_name = 'churn'", "-o", "a.jsonl", "--json")).Json();
        await Ok("export", "--store", Store, "--format", "openlineage", "--filter", "model_name = 'churn'", "-o", "b.jsonl");

        Assert.Equal(2, (int)first["records"]!);
        Assert.Equal(File.ReadAllBytes(_folder.Combine("a.jsonl")), File.ReadAllBytes(_folder.Combine("b.jsonl")));
        var events = OpenLineagePipelines.ReadLines(_folder.Combine("a.jsonl"));
        Assert.Equal(4, events.Count);
        OpenLineagePipelines.AssertValid(events);
        Assert.All(events, e => Assert.StartsWith("churn.", (string)e["job"]!["name"]!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ImportMlflow_SkippedRunListedWithPathAndExit1_SecondRunAddsNothing()
    {
        var mlruns = new MlflowStoreWriter(_folder.Combine("mlruns"));
        var experiment = mlruns.Experiment("1", "churn-experiment");
        mlruns.Run(experiment, "00000000000000000000000000000001", "good", 1700000000000,
            parameters: new Dictionary<string, string> { ["depth"] = "6" },
            metrics: new Dictionary<string, (long, double, long)[]> { ["auc"] = [(1700000000001, 0.8, 0), (1700000000002, 0.85, 1)] });
        mlruns.Run(experiment, "00000000000000000000000000000002", "gone", 1700000000000, deleted: true);
        string bad = mlruns.Run(experiment, "00000000000000000000000000000003", "bad", 1700000000000);
        MlflowStoreWriter.WriteFile(bad, "metrics", "loss", "oops\n");

        var first = await Run("import", "./mlruns", "--from", "mlflow", "--store", Store);

        Assert.True(first.ExitCode == 1, first.ToString());
        Assert.Contains("Imported 1 record(s)", first.Stdout, StringComparison.Ordinal);
        Assert.Contains("1 deleted MLflow run(s) left out", first.Stdout, StringComparison.Ordinal);
        Assert.Contains(Path.Combine("00000000000000000000000000000003", "metrics", "loss"), first.Stdout.ReplaceLineEndings("").Replace(" ", "", StringComparison.Ordinal).Replace("│", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("1 entry was not imported", first.Stderr, StringComparison.Ordinal);

        var second = (await Run("import", "./mlruns", "--from", "mlflow", "--store", Store, "--json"));
        Assert.Equal(1, second.ExitCode);
        var json = second.Json();
        Assert.Equal(0, (int)json["imported"]!);
        Assert.Equal(1, (int)json["skipped"]!);

        var all = await Run("import", "./mlruns", "--from", "mlflow", "--include-deleted", "--store", Store, "--json");
        Assert.Equal(1, (int)all.Json()["imported"]!);

        var record = (await Ok("search", "event_type = 'mlflow_run' AND metadata.run_name = 'good'", "--store", Store, "--json")).Json();
        var found = Assert.Single(record["records"]!.AsArray())!;
        Assert.Equal("churn-experiment", (string)found["model_name"]!);
        Assert.Equal(0.85, (double)found["metadata"]!["metrics"]!["auc"]!);
    }

    [Fact]
    public async Task ImportMlflow_UsageErrors()
    {
        Directory.CreateDirectory(_folder.Combine("mlruns"));
        Assert.Equal(2, (await Run("import", "./mlruns", "--from", "mlflow", "--allow-plaintext", "--store", Store)).ExitCode);
        Assert.Equal(2, (await Run("import", "x.jsonl", "--include-deleted", "--store", Store)).ExitCode);
        Assert.Equal(2, (await Run("import", "./mlruns", "--from", "wandb", "--store", Store)).ExitCode);
        var missing = await Run("import", "./nope", "--from", "mlflow", "--store", Store);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("does not exist", missing.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Store));
    }
}
