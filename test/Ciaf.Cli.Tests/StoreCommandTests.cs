using System.Text.Json.Nodes;
using Ciaf.Cli.Tests.Support;
using Ciaf.Metadata;
using Ciaf.Metadata.Compliance;
using Ciaf.Metadata.Integration;

namespace Ciaf.Cli.Tests;

/// <summary>Every data command against a temporary store: human output, --json output and exit codes.</summary>
public sealed class StoreCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private string Store => _folder.Combine("store");

    public void Dispose() => _folder.Dispose();

    private Task<CliResult> Run(params string[] args) => CiafTool.RunAsync(_folder.Path, args);

    private Task<CliResult> Ok(params string[] args) => CiafTool.OkAsync(_folder.Path, args);

    private async Task<string> SaveAsync(string model, string stage, string eventType, string metadata = "{}")
    {
        var result = await Ok("save", model, stage, eventType, "--metadata", metadata, "--store", Store, "--backend", "sqlite");
        return result.Stdout.Trim();
    }

    [Fact]
    public async Task Save_ThenGet_PrintsTheRecordAsTableAndJson()
    {
        string id = await SaveAsync("churn", "training", "model_trained", """{"accuracy": 0.95, "algorithm": "FastTree"}""");
        Assert.Matches("^[0-9a-f-]{36}$", id);

        var table = await Ok("get", id, "--store", Store);
        Assert.Contains("model_trained", table.Stdout);
        Assert.Contains("FastTree", table.Stdout);
        Assert.Contains("store: " + Store, table.Stderr);
        Assert.DoesNotContain("\u001b[", table.Stdout);

        var json = (await Ok("get", id, "--store", Store, "--json")).Json();
        Assert.Equal(id, (string?)json["id"]);
        Assert.Equal("churn", (string?)json["model_name"]);
        Assert.Equal(0.95, (double)json["metadata"]!["accuracy"]!);
        Assert.Equal(64, ((string?)json["metadata_hash"])!.Length);
    }

    [Fact]
    public async Task Save_JsonOption_PrintsTheSavedRecord()
    {
        var json = (await Ok("save", "m", "inference", "batch", "--metadata", """{"n": 3}""", "--details", "d", "--model-version", "2.0.0", "--store", Store, "--json")).Json();
        Assert.Equal("2.0.0", (string?)json["model_version"]);
        Assert.Equal("d", (string?)json["details"]);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1, 2]")]
    public async Task Save_MetadataNotAJsonObject_IsAUsageError(string metadata)
    {
        var result = await Run("save", "m", "training", "t", "--metadata", metadata, "--store", Store);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("ciaf: error:", result.Stderr);
        Assert.False(Directory.Exists(Store));
    }

    [Fact]
    public async Task Save_InvalidModelName_IsAUsageError()
    {
        var result = await Run("save", "../evil", "training", "t", "--store", Store);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("modelName", result.Stderr);
    }

    [Fact]
    public async Task Get_UnknownId_FailsWithOneLine()
    {
        await SaveAsync("m", "training", "t");
        var result = await Run("get", "no-such-id", "--store", Store);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("No record with id 'no-such-id'", result.Stderr);
        Assert.Equal(1, result.Stderr.Split('\n').Count(l => l.StartsWith("ciaf: error:", StringComparison.Ordinal)));
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Fact]
    public async Task AnyCommand_UnknownStore_FailsWithoutCreatingIt()
    {
        string missing = _folder.Combine("nowhere");
        foreach (var args in new[] { new[] { "list" }, ["get", "x"], ["trace", "m"], ["events"], ["stats"], ["export"], ["cleanup", "--dry-run"], ["compliance", "report", "m"] })
        {
            var result = await Run([.. args, "--store", missing]);
            Assert.True(result.ExitCode == 1, $"{string.Join(' ', args)}: {result}");
            Assert.Contains("No store at", result.Stderr);
        }
        Assert.False(Directory.Exists(missing));
    }

    [Fact]
    public async Task Verbose_ShowsTheStackTrace()
    {
        var result = await Run("list", "--store", Store, "--verbose");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("CliException", result.Stderr);
    }

    [Fact]
    public async Task List_FiltersByModelStageSinceAndLimit()
    {
        await SaveAsync("a", "training", "t1");
        await SaveAsync("a", "inference", "i1");
        await SaveAsync("a", "inference", "i2");
        await SaveAsync("b", "inference", "i3");

        var all = (await Ok("list", "--store", Store, "--json")).Json().AsArray();
        Assert.Equal(4, all.Count);
        Assert.Equal("i3", (string?)all[0]!["event_type"]);   // newest first

        var filtered = (await Ok("list", "--store", Store, "--model", "a", "--stage", "inference", "--json")).Json().AsArray();
        Assert.Equal(["i2", "i1"], filtered.Select(r => (string?)r!["event_type"]));

        Assert.Single((await Ok("list", "--store", Store, "--limit", "1", "--json")).Json().AsArray());
        Assert.Equal(4, (await Ok("list", "--store", Store, "--since", "1h", "--json")).Json().AsArray().Count);
        Assert.Empty((await Ok("list", "--store", Store, "--since", "2999-01-01", "--json")).Json().AsArray());

        var table = await Ok("list", "--store", Store, "--model", "b");
        Assert.Contains("i3", table.Stdout);
        Assert.DoesNotContain("i1", table.Stdout);
    }

    [Theory]
    [InlineData("--since", "yesterday-ish")]
    [InlineData("--limit", "-1")]
    [InlineData("--limit", "many")]
    [InlineData("--no-such-option", "x")]
    public async Task List_BadArguments_AreUsageErrors(string option, string value)
    {
        await SaveAsync("a", "training", "t1");
        var result = await Run("list", "--store", Store, option, value);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("ciaf: error:", result.Stderr);
        Assert.Contains("--help", result.Stderr);
        Assert.Equal(string.Empty, result.Stdout);
    }

    [Fact]
    public async Task UnknownBackend_IsAUsageError()
    {
        var result = await Run("list", "--store", Store, "--backend", "mongodb");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Unknown backend 'mongodb'", result.Stderr);
    }

    [Fact]
    public async Task Trace_PrintsTreeTimelineAndJson()
    {
        await SaveAsync("m", "inference", "predicted");
        await SaveAsync("m", "data_ingestion", "data_loaded");
        await SaveAsync("m", "training", "training_completed");

        var tree = await Ok("trace", "m", "--store", Store);
        int ingestion = tree.Stdout.IndexOf("data_ingestion", StringComparison.Ordinal);
        int inference = tree.Stdout.IndexOf("inference (1)", StringComparison.Ordinal);
        Assert.True(ingestion >= 0 && ingestion < inference, tree.Stdout);   // pipeline order, not time order

        var timeline = await Ok("trace", "m", "--store", Store, "--timeline");
        Assert.True(timeline.Stdout.IndexOf("predicted", StringComparison.Ordinal) < timeline.Stdout.IndexOf("data_loaded", StringComparison.Ordinal));

        var json = (await Ok("trace", "m", "--store", Store, "--json")).Json();
        Assert.Equal("m", (string?)json["model_name"]);
        Assert.Equal(3, (int)json["record_count"]!);
        Assert.Equal(["data_ingestion", "training", "inference"], json["stages"]!.AsObject().Select(kv => kv.Key));
    }

    [Fact]
    public async Task Trace_UnknownModel_Fails()
    {
        await SaveAsync("m", "training", "t");
        var result = await Run("trace", "other", "--store", Store);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("No records for model 'other'", result.Stderr);
    }

    [Fact]
    public async Task Events_AndComplianceReport_ReadWhatTheTrackerStored()
    {
        using (var storage = new MetadataStorage(Store, "sqlite"))
        {
            var manager = new ModelMetadataManager("loan", "3.1.0", storage);
            var tracker = new ComplianceTracker(manager, new ComplianceTrackerOptions { AlertOnComplianceFailure = false });
            tracker.TrackGdprCompliance(new { encryption = true, anonymization = true, access_controls = true },
                new { explicit_consent = true, withdrawal_mechanism = true }, rightToExplanation: true);
            tracker.TrackFcraCompliance(new { precision = 0.5, recall = 0.9 }, new { notice_system = true }, new { completeness = 0.95 });
        }

        var events = (await Ok("events", "--store", Store, "--json")).Json().AsArray();
        Assert.Equal(2, events.Count);
        Assert.Equal(["FCRA", "GDPR"], events.Select(e => (string?)e!["framework"]));
        Assert.Single((await Ok("events", "--store", Store, "--framework", "GDPR", "--json")).Json().AsArray());
        var table = await Ok("events", "--store", Store);
        Assert.Contains("passed", table.Stdout);
        Assert.Contains("failed", table.Stdout);

        var report = (await Ok("compliance", "report", "loan", "--store", Store, "--json")).Json();
        Assert.Equal("3.1.0", (string?)report["model_version"]);
        var frameworks = report["frameworks"]!.AsArray();
        Assert.Equal(["GDPR", "FCRA"], frameworks.Select(f => (string?)f!["framework"]));
        Assert.Equal(1.0, (double)frameworks[0]!["latest_score"]!);
        Assert.False((bool)frameworks[1]!["passed"]!);
        Assert.False((bool)report["all_passed"]!);

        var markdown = await Ok("compliance", "report", "loan", "--store", Store, "--format", "markdown");
        Assert.StartsWith("# Compliance report: loan 3.1.0", markdown.Stdout);
        Assert.Contains("| GDPR | 1 | passed | 1 |", markdown.Stdout);

        var html = await Ok("compliance", "report", "loan", "--store", Store, "--format", "html", "--output", "report.html");
        Assert.Equal(_folder.Combine("report.html"), html.Stdout.Trim());
        string page = await File.ReadAllTextAsync(_folder.Combine("report.html"));
        Assert.StartsWith("<!DOCTYPE html>", page);
        Assert.Contains("<td>FCRA</td>", page);

        var human = await Ok("compliance", "report", "loan", "--store", Store);
        Assert.Contains("GDPR", human.Stdout);

        Assert.Equal(1, (await Run("compliance", "report", "nobody", "--store", Store)).ExitCode);
        Assert.Equal(2, (await Run("compliance", "report", "loan", "--store", Store, "--format", "pdf")).ExitCode);
    }

    [Fact]
    public async Task Export_WritesJsonAndJsonl()
    {
        await SaveAsync("m", "training", "t1");
        await SaveAsync("m", "training", "t2");
        await SaveAsync("other", "training", "t3");

        var json = (await Ok("export", "--store", Store, "--json")).Json();
        Assert.Equal(3, (int)json["records"]!);
        var exported = JsonNode.Parse(await File.ReadAllTextAsync((string)json["path"]!))!.AsArray();
        Assert.Equal(3, exported.Count);
        Assert.Contains("Exporting: 3 records", (await Ok("export", "--store", Store)).Stderr);

        var lines = await Ok("export", "--store", Store, "--model", "m", "--format", "jsonl", "--output", "out/m.jsonl");
        Assert.Equal(_folder.Combine("out", "m.jsonl"), lines.Stdout.Trim());
        Assert.Equal(2, File.ReadAllLines(_folder.Combine("out", "m.jsonl")).Length);

        Assert.Equal(2, (await Run("export", "--store", Store, "--format", "yaml")).ExitCode);
    }

    [Fact]
    public async Task Export_Cancelled_ExitsWith130AndWritesNothing()
    {
        await SaveAsync("m", "training", "t1");
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = await CliApp.RunAsync(["export", "--store", Store, "--output", "x.json"], stdout, stderr,
            new Infrastructure.CliHost { WorkingDirectory = _folder.Path }, cts.Token);
        Assert.Equal(130, code);
        Assert.Contains("Cancelled", stderr.ToString());
        Assert.False(File.Exists(_folder.Combine("x.json")));
        Assert.Single((await Ok("list", "--store", Store, "--json")).Json().AsArray());
    }

    [Fact]
    public async Task Cleanup_DryRunChangesNothing_ThenCleanupRemoves()
    {
        await SaveAsync("m", "training", "t1");
        await SaveAsync("m", "compliance", "gdpr_compliance");
        await Task.Delay(20);

        var preview = (await Ok("cleanup", "--store", Store, "--days", "0", "--dry-run", "--json")).Json();
        Assert.True((bool)preview["dry_run"]!);
        Assert.Equal(1, (int)preview["records"]!);   // compliance records are kept for compliance_retention_days
        Assert.Equal(2, (await Ok("list", "--store", Store, "--json")).Json().AsArray().Count);
        Assert.Contains("would be removed", (await Ok("cleanup", "--store", Store, "--days", "0", "--dry-run")).Stdout);

        var removed = (await Ok("cleanup", "--store", Store, "--days", "0", "--json")).Json();
        Assert.Equal(1, (int)removed["removed"]!);
        var left = (await Ok("list", "--store", Store, "--json")).Json().AsArray();
        Assert.Equal("compliance", (string?)Assert.Single(left)!["stage"]);

        Assert.Equal(2, (await Run("cleanup", "--store", Store, "--days", "-3")).ExitCode);
    }

    [Fact]
    public async Task Cleanup_HighRiskStore_RefusesYoungLogsAndDocumentationNamingTheArticle()
    {
        string config = _folder.Combine("high_risk.json");
        await File.WriteAllTextAsync(config, $$"""{"storage_path": "{{Store.Replace("\\", "/", StringComparison.Ordinal)}}", "storage_backend": "sqlite", "ai_act_high_risk": true}""");
        string log = (await Ok("save", "m", "inference", "batch_scored", "--config", config)).Stdout.Trim();
        string doc = (await Ok("save", "m", "training", "training_completed", "--config", config)).Stdout.Trim();
        await Task.Delay(20);

        var preview = (await Ok("cleanup", "--config", config, "--days", "0", "--dry-run", "--json")).Json();
        Assert.True((bool)preview["ai_act_high_risk"]!);
        Assert.Equal(0, (int)preview["records"]!);
        var refused = preview["protected"]!.AsArray().ToDictionary(i => (string)i!["id"]!, i => (string)i!["reason"]!);
        Assert.Contains("EU AI Act Art. 19(1) and Art. 26(6)", refused[log], StringComparison.Ordinal);
        Assert.Contains("EU AI Act Art. 18(1)", refused[doc], StringComparison.Ordinal);

        var table = await Ok("cleanup", "--config", config, "--days", "0");
        Assert.Contains("declared high-risk", table.Stdout);
        Assert.Contains("Art. 18(1)", table.Stdout);
        Assert.Equal(2, (await Ok("list", "--config", config, "--json")).Json().AsArray().Count);
    }

    [Fact]
    public async Task Stats_CountsModelsStagesAndSize()
    {
        await SaveAsync("a", "training", "t1");
        await SaveAsync("a", "inference", "i1");
        await SaveAsync("b", "inference", "i2");

        var json = (await Ok("stats", "--store", Store, "--json")).Json();
        Assert.Equal("sqlite", (string?)json["backend"]);
        Assert.Equal(3, (int)json["record_count"]!);
        Assert.True((long)json["total_size_bytes"]! > 0);
        Assert.Equal(1, (int)json["models"]!["a"]!["stages"]!["inference"]!);
        Assert.Equal(1, (int)json["models"]!["b"]!["records"]!);

        var table = await Ok("stats", "--store", Store);
        Assert.Contains("records", table.Stdout);
        Assert.Contains("inference", table.Stdout);
    }

    [Fact]
    public async Task Store_BackendIsDetectedAndNamedOnStderr()
    {
        await Ok("save", "m", "training", "t", "--store", Store, "--backend", "json");
        var result = await Ok("list", "--store", Store, "--json");
        Assert.Contains("[json]", result.Stderr);
        Assert.Single(result.Json().AsArray());

        string sqlite = _folder.Combine("sq");
        await Ok("save", "m", "training", "t", "--store", sqlite, "--backend", "sqlite");
        Assert.Contains("[sqlite]", (await Ok("list", "--store", sqlite)).Stderr);
    }

    [Fact]
    public async Task NoCommand_IsAUsageError_AndHelpSucceeds()
    {
        Assert.Equal(2, (await Run()).ExitCode);
        Assert.Equal(2, (await Run("frobnicate")).ExitCode);
        var help = await Ok("--help");
        foreach (var command in new[] { "init", "demo", "save", "get", "list", "trace", "events", "compliance", "export", "import", "migrate", "backup", "restore", "verify", "cleanup", "hold", "audit", "keygen", "stats", "config" })
        {
            Assert.Contains(command, help.Stdout);
        }
    }
}
