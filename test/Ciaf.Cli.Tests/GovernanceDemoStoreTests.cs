using System.Text.Json.Nodes;
using Ciaf.Cli.Tests.Support;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Cli.Tests;

/// <summary>The demo's store, made once for the class: what the issue's acceptance asks of the Annex IV pack and the model card.</summary>
public sealed class DemoStoreFixture : IAsyncLifetime
{
    public TempFolder Folder { get; } = new();

    public string Store => Folder.Combine("demo_store");

    public JsonNode Demo { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Demo = (await CiafTool.OkAsync(Folder.Path, "demo", "--store", Store, "--rows", "1000", "--batches", "2", "--batch-size", "100", "--json")).Json();

    public Task DisposeAsync()
    {
        Folder.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>Read-only commands on the demo's store (the class never writes to it, so every run sees one store state).</summary>
public sealed class GovernanceDemoStoreTests(DemoStoreFixture demo) : IClassFixture<DemoStoreFixture>
{
    private static readonly string[] AllItems =
    [
        "1(a)", "1(b)", "1(c)", "1(d)", "1(e)", "1(f)", "1(g)", "1(h)", "2(a)", "2(b)", "2(c)", "2(d)", "2(e)", "2(f)", "2(g)", "2(h)",
        "3", "4", "5", "6", "7", "8", "9",
    ];

    private Task<CliResult> Ok(params string[] args) => CiafTool.OkAsync(demo.Folder.Path, [.. args, "--store", demo.Store]);

    [Fact]
    public async Task AnnexIv_OnTheDemoStore_EveryItemPresent_EvidenceIsStoredRecordsWithReceiptsVerifyReceiptAccepts()
    {
        string file = demo.Folder.Combine("pack.json");
        await Ok("docs", "annex-iv", "credit_scoring_demo", "--format", "json", "--output", file);
        var pack = JsonNode.Parse(await File.ReadAllTextAsync(file))!;
        var items = pack["sections"]!.AsArray().SelectMany(s => s!["items"]!.AsArray()).ToList();
        Assert.Equal(AllItems, items.Select(i => (string?)i!["id"]));
        string publicKey = Path.Combine(demo.Store, "ledger_public.pem");
        int checkedReceipts = 0;
        foreach (var item in items.Where(i => (string?)i!["status"] == "evidenced"))
        {
            var evidence = item!["evidence"]!.AsArray().Select(e => (string)e!).ToList();
            Assert.NotEmpty(evidence);
            foreach (var id in evidence)
            {
                var record = (await Ok("get", id, "--json")).Json();
                Assert.Equal("credit_scoring_demo", (string?)record["model_name"]);
                string receipt = demo.Folder.Combine($"receipt-{id}.json");
                await File.WriteAllTextAsync(receipt, pack["receipts"]![id]!.ToJsonString());
                var verified = await CiafTool.RunAsync(demo.Folder.Path, "verify-receipt", receipt, "--key", publicKey, "--id", id);
                Assert.True(verified.ExitCode == 0, $"{item["id"]}: {verified}");
                checkedReceipts++;
            }
        }
        Assert.True(checkedReceipts >= 20, $"{checkedReceipts} receipts checked");
        // The demo leaves the EU declaration of conformity undeclared: a gap that names the method and the command.
        var gaps = items.Where(i => (string?)i!["status"] == "gap").ToList();
        Assert.Equal(["8"], gaps.Select(g => (string?)g!["id"]));
        string text = (string)gaps[0]!["text"]!;
        Assert.Contains("manager.LogDeclaredFacts(new { declaration_of_conformity", text);
        Assert.Contains("ciaf docs declare credit_scoring_demo --fact declaration_of_conformity=", text);
        Assert.Equal((string?)pack["checkpoint"], (string?)pack["receipts"]![(string)items[14]!["evidence"]![0]!]!["checkpoint"]);   // 2(g) signed by it
    }

    [Fact]
    public async Task AnnexIv_TwoRuns_AreByteIdentical_InEveryFormat_AndEqualTheDemosOwnPack()
    {
        foreach (var format in new[] { "json", "markdown", "html" })
        {
            string a = demo.Folder.Combine($"run1.{format}"), b = demo.Folder.Combine($"run2.{format}");
            await Ok("docs", "annex-iv", "credit_scoring_demo", "--format", format, "-o", a);
            await Ok("docs", "annex-iv", "credit_scoring_demo", "--format", format, "-o", b);
            Assert.Equal(await File.ReadAllBytesAsync(a), await File.ReadAllBytesAsync(b));
        }
        // stdout gives the same bytes as --output, and the pack the demo wrote is this one.
        var stdout = await Ok("docs", "annex-iv", "credit_scoring_demo", "--format", "json");
        Assert.Equal(await File.ReadAllTextAsync(demo.Folder.Combine("run1.json")), stdout.Stdout);
        Assert.Equal(await File.ReadAllTextAsync((string)demo.Demo["governance"]!["annex_iv_json"]!), stdout.Stdout);
        Assert.Contains("22 of 23 items evidenced; gaps: 8", stdout.Stderr);
    }

    [Fact]
    public async Task ModelCard_OnTheDemoStore_ValidatesAgainstTheVendoredSchema_AndItsGapsGoToStderr()
    {
        var result = await Ok("model-card", "credit_scoring_demo");
        Assert.True(ModelCardSchema.Errors(result.Stdout).Count == 0, string.Join("\n", ModelCardSchema.Errors(result.Stdout)));
        var card = JsonNode.Parse(result.Stdout)!;
        Assert.Equal("Model risk team", (string?)card["model_details"]!["owners"]![0]!["name"]);
        Assert.Contains(card["quantitative_analysis"]!["performance_metrics"]!.AsArray(), m => (string?)m!["slice"] == "gender=female");
        Assert.Contains("gap: considerations.tradeoffs", result.Stderr);
        Assert.Empty(ModelCardSchema.Errors(await File.ReadAllTextAsync((string)demo.Demo["governance"]!["model_card"]!)));
        Assert.Contains("## Quantitative analysis", (await Ok("model-card", "credit_scoring_demo", "--format", "markdown")).Stdout);
    }

    [Fact]
    public async Task Demo_RecordedTheArticle12Events_RanTheMonitoringPlan_AndReportedOneIncident()
    {
        var g = demo.Demo["governance"]!;
        Assert.True((bool)g["monitoring_breached"]!);
        Assert.Equal("reported", (string?)g["incident_deadline"]);
        foreach (var key in new[] { "compliance_report", "annex_iv", "annex_iv_json", "model_card", "model_card_markdown" }) Assert.True(File.Exists((string)g[key]!), key);
        Assert.Equal(Path.GetDirectoryName((string)g["compliance_report"]!), Path.GetDirectoryName((string)g["annex_iv"]!));

        var incidents = (await Ok("incident", "list", "--json")).Json().AsArray();
        var incident = Assert.Single(incidents)!;
        Assert.Equal((string?)g["incident"], (string?)incident["id"]);
        Assert.Equal("reported", (string?)incident["deadline"]);
        Assert.NotNull(incident["reported_at"]);
        Assert.False((bool)incident["report_complete"]!);
        Assert.Equal(2, (int)(await Ok("search", "stage = 'operation' AND event_type = 'use_ended'", "--count", "--json")).Json()["count"]!);   // one per batch
        Assert.Equal(2, (int)(await Ok("search", "stage = 'operation' AND event_type = 'input_checked'", "--count", "--json")).Json()["count"]!);
        Assert.True((int)(await Ok("search", "stage = 'operation' AND event_type = 'human_oversight'", "--count", "--json")).Json()["count"]! >= 1);
        var plan = (await Ok("monitoring", "plan", "show", "credit_scoring_demo", "--json")).Json();
        Assert.Equal(3, plan["conditions"]!.AsArray().Count);
        var report = (await Ok("compliance", "report", "credit_scoring_demo", "--json")).Json();
        Assert.Contains(report["frameworks"]!.AsArray(), f => (string?)f!["framework"] == "EU_AI_ACT");
    }
}
