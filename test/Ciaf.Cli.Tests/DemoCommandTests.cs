using System.Diagnostics;
using Ciaf.Cli.Tests.Support;

namespace Ciaf.Cli.Tests;

/// <summary>The end-to-end demo (small sizes, so it runs in seconds) and one run of the real tool.</summary>
public sealed class DemoCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Demo_TrainsRecordsAndReports_ThenTheStoreAnswersEveryCommand()
    {
        string store = _folder.Combine("demo_store");
        var result = await CiafTool.OkAsync(_folder.Path, "demo", "--store", store, "--rows", "2000", "--batches", "2", "--batch-size", "200", "--json");
        var json = result.Json();
        Assert.Equal("credit_scoring_demo", (string?)json["model_name"]);
        Assert.InRange((double)json["validation"]!["accuracy"]!, 0.65, 1.0);
        Assert.InRange((double)json["validation"]!["auc_roc"]!, 0.7, 1.0);
        Assert.Equal(400, (int)json["predictions"]!);
        Assert.Equal(["GDPR", "FCRA", "EEOC", "EU_AI_ACT"], json["compliance_report"]!["frameworks"]!.AsArray().Select(f => (string?)f!["framework"]));
        Assert.NotNull(json["fairness"]!["gender"]!["adverse_impact_ratio"]);
        Assert.True(File.Exists((string)json["export"]!));
        Assert.True(File.Exists((string)json["artifact"]!));

        var trace = (await CiafTool.OkAsync(_folder.Path, "trace", "credit_scoring_demo", "--store", store, "--json")).Json();
        foreach (var stage in new[] { "data_ingestion", "data_preprocessing", "training", "validation", "deployment", "inference", "monitoring", "compliance", "model_lifecycle" })
        {
            Assert.True(trace["stages"]![stage] is not null, stage);
        }
        var monitoring = Assert.Single(trace["stages"]!["monitoring"]!.AsArray())!;
        Assert.NotNull(monitoring["metadata"]!["psi"]!["debt_to_income"]);
        Assert.Contains(trace["stages"]!["training"]!.AsArray(), e => (string?)e!["event_type"] == "model_fit");   // a capture scope

        var events = (await CiafTool.OkAsync(_folder.Path, "events", "--store", store, "--json")).Json().AsArray();
        Assert.Equal(4, events.Count);
        var report = (await CiafTool.OkAsync(_folder.Path, "compliance", "report", "credit_scoring_demo", "--store", store, "--json")).Json();
        Assert.Equal(4, report["frameworks"]!.AsArray().Count);
    }

    [Fact]
    public async Task Demo_HumanOutput_ShowsTraceReportAndNextSteps_AndReplacesItsOwnStore()
    {
        string store = _folder.Combine("demo_store");
        string[] args = ["demo", "--store", store, "--rows", "1000", "--batches", "1", "--batch-size", "100"];
        var first = await CiafTool.OkAsync(_folder.Path, args);
        Assert.Contains("credit_scoring_demo", first.Stdout);
        Assert.Contains("Fairness", first.Stdout);
        Assert.Contains("PSI", first.Stdout);
        Assert.Contains("EEOC", first.Stdout);
        Assert.Contains("Try next", first.Stdout);
        Assert.Contains("ciaf trace credit_scoring_demo --timeline", first.Stdout);   // found through ./.ciaf_store.json: no --store needed
        Assert.Contains("Training the classifier", first.Stderr);
        Assert.DoesNotContain("\u001b[", first.Stdout);

        await CiafTool.OkAsync(_folder.Path, args);
        var stats = (await CiafTool.OkAsync(_folder.Path, "stats", "--store", store, "--json")).Json();
        Assert.Equal((int)stats["record_count"]!, (int)(await CiafTool.OkAsync(_folder.Path, "trace", "credit_scoring_demo", "--store", store, "--json")).Json()["record_count"]!);
        Assert.True((int)stats["record_count"]! < 40);   // replaced, not appended to
    }

    [Fact]
    public async Task Demo_RefusesAFolderItDidNotCreate()
    {
        string store = _folder.Combine("precious");
        Directory.CreateDirectory(store);
        await File.WriteAllTextAsync(Path.Combine(store, "keep.txt"), "mine");
        var result = await CiafTool.RunAsync(_folder.Path, "demo", "--store", store);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("not created by 'ciaf demo'", result.Stderr);
        Assert.True(File.Exists(Path.Combine(store, "keep.txt")));
    }

    [Fact]
    public async Task RealTool_RunsAsAProcess_WithPlainRedirectedOutput()
    {
        string tool = Path.Combine(AppContext.BaseDirectory, "ciaf.dll");
        Assert.True(File.Exists(tool), tool);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _folder.Path };
        foreach (var a in new[] { tool, "config", "template", "production", "--json" }) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        string stdout = await process.StandardOutput.ReadToEndAsync();
        string stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, stderr);
        Assert.Equal("sqlite", (string?)System.Text.Json.Nodes.JsonNode.Parse(stdout)!["storage_backend"]);

        var bad = Process.Start(new ProcessStartInfo("dotnet", [tool, "list", "--limit", "x"]) { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = _folder.Path })!;
        await bad.WaitForExitAsync();
        Assert.Equal(2, bad.ExitCode);
    }
}
