using System.Text.Json.Nodes;
using Ciaf.Metadata.Governance;
using Ciaf.Metadata.Ledger;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Governance;

public sealed class AnnexIvDocumentationTests
{
    /// <summary>Every point of Annex IV, in order.</summary>
    public static readonly string[] AllItems =
    [
        "1(a)", "1(b)", "1(c)", "1(d)", "1(e)", "1(f)", "1(g)", "1(h)",
        "2(a)", "2(b)", "2(c)", "2(d)", "2(e)", "2(f)", "2(g)", "2(h)",
        "3", "4", "5", "6", "7", "8", "9",
    ];

    [Fact]
    public async Task Build_EveryItemPresent_EvidencedItemsCiteStoredRecordsWithReceiptsThatVerify()
    {
        await using var p = await GovernedPipeline.CreateAsync();
        await new PostMarketMonitor(p.Storage).SetPlanAsync(GovernedPipeline.Model, new MonitoringPlan([new MonitoringCondition("drift", "metadata.max_psi > 0.2", "7d")]));
        var pack = await AnnexIvDocumentation.BuildAsync(p.Storage, GovernedPipeline.Model);

        Assert.Equal(AllItems, pack.Items.Select(i => i.Id));
        Assert.Equal(["1", "2", "3", "4", "5", "6", "7", "8", "9"], pack.Sections.Select(s => s.Number));
        Assert.Equal(["8"], pack.Gaps.Select(g => g.Id));   // the one fact left undeclared
        using var key = p.PublicKey();
        foreach (var item in pack.Items.Where(i => i.Status == AnnexIvItemStatus.Evidenced))
        {
            Assert.NotEmpty(item.Evidence);
            foreach (var id in item.Evidence)
            {
                var record = await p.Storage.GetMetadataAsync(id);
                Assert.True(record is not null && record.ModelName == GovernedPipeline.Model, $"{item.Id} cites {id}, which is not a record of the model");
                var receipt = pack.Receipts[id];
                var check = LedgerReceipt.Parse(receipt.ToJson()).Verify(key, id);
                Assert.True(check.IsValid, $"{item.Id}: receipt of {id}: {string.Join("; ", check.Failures)}");
            }
        }
        // 2(g) is the validation records, dated and signed: the pack's checkpoint is one its receipts use.
        var tests = pack.Items.Single(i => i.Id == "2(g)");
        Assert.Equal([p.Storage.GetModelMetadata(GovernedPipeline.Model, "validation").Single().Id], tests.Evidence);
        Assert.Contains("accuracy = 0.8", tests.Text);
        Assert.Contains("gender: female (n = 100)", tests.Text);
        Assert.Contains(pack.Checkpoint, pack.Receipts.Values.Select(r => r.Checkpoint));
        Assert.Equal(pack.Receipts.Values.Max(r => r.TreeSize), LedgerCheckpoint.Parse(pack.Checkpoint!).TreeSize);

        var gap = pack.Gaps.Single();
        Assert.StartsWith("Gap: missing the declared fact 'declaration_of_conformity'", gap.Text);
        Assert.Contains("manager.LogDeclaredFacts(new { declaration_of_conformity = \"…\" })", gap.Text);
        Assert.Contains($"ciaf docs declare {GovernedPipeline.Model} --fact declaration_of_conformity=", gap.Text);
    }

    [Fact]
    public async Task Build_TheSameStoreState_GivesTheSameBytesInEveryFormat_EvenAfterAuditedReads()
    {
        await using var p = await GovernedPipeline.CreateAsync(configure: o => o.AuditAllAccess = true);
        var first = await AnnexIvDocumentation.BuildAsync(p.Storage, GovernedPipeline.Model);
        // Reads are audited, and audit entries are ledger leaves: the log grows, the pack must not change.
        _ = p.Storage.GetModelMetadata(GovernedPipeline.Model, limit: null);
        await p.Storage.Ledger.CheckpointAsync();
        await p.Storage.DisposeAsync();
        await using var reopened = p.Open(o => o.AuditAllAccess = true);
        var second = await AnnexIvDocumentation.BuildAsync(reopened, GovernedPipeline.Model);
        Assert.Equal(first.ToJson(), second.ToJson());
        Assert.Equal(first.ToMarkdown(), second.ToMarkdown());
        Assert.Equal(first.ToHtml(), second.ToHtml());
        Assert.DoesNotContain(DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture) + "Z", first.ToJson());
    }

    [Fact]
    public async Task ToJson_HasExactlyTheDocumentedShape()
    {
        await using var p = await GovernedPipeline.CreateAsync(declareFacts: false);
        var json = JsonNode.Parse((await AnnexIvDocumentation.BuildAsync(p.Storage, GovernedPipeline.Model)).ToJson())!.AsObject();
        Assert.Equal(["model", "version", "checkpoint", "sections", "receipts"], json.Select(kv => kv.Key));
        Assert.Equal(GovernedPipeline.Model, (string?)json["model"]);
        Assert.Equal(GovernedPipeline.Version, (string?)json["version"]);
        Assert.StartsWith("ciaf.local/sqlite/", (string?)json["checkpoint"]);
        foreach (var section in json["sections"]!.AsArray())
        {
            Assert.Equal(["number", "title", "items"], section!.AsObject().Select(kv => kv.Key));
            foreach (var item in section["items"]!.AsArray())
            {
                Assert.Equal(["id", "title", "status", "evidence", "text"], item!.AsObject().Select(kv => kv.Key));
                Assert.Contains((string?)item["status"], new[] { "evidenced", "gap" });
                foreach (var id in item["evidence"]!.AsArray()) Assert.NotNull(json["receipts"]![(string)id!]);
            }
        }
        // Without declared facts, every fact-only item is a gap naming the command; the records still evidence the rest.
        var items = json["sections"]!.AsArray().SelectMany(s => s!["items"]!.AsArray()).ToDictionary(i => (string)i!["id"]!, i => i!);
        Assert.Equal("gap", (string?)items["1(e)"]["status"]);
        Assert.Contains("ciaf docs declare credit_model --fact hardware=", (string?)items["1(e)"]["text"]);
        Assert.Equal("evidenced", (string?)items["2(d)"]["status"]);
        Assert.Equal("evidenced", (string?)items["6"]["status"]);
        Assert.Equal("gap", (string?)items["9"]["status"]);
        Assert.Contains("ciaf monitoring plan set", (string?)items["9"]["text"]);
    }

    [Fact]
    public async Task Build_WithoutALedger_GivesNoReceiptsAndSaysWhy_AndAnUnknownVersionIsAnError()
    {
        await using var p = await GovernedPipeline.CreateAsync(configure: o => o.LedgerEnabled = false);
        var pack = await AnnexIvDocumentation.BuildAsync(p.Storage, GovernedPipeline.Model, GovernedPipeline.Version);
        Assert.Null(pack.Checkpoint);
        Assert.Empty(pack.Receipts);
        Assert.Contains("ledger is off", Assert.Single(pack.Notes));
        Assert.Contains("\"checkpoint\": null", pack.ToJson());
        var e = await Assert.ThrowsAsync<ArgumentException>(() => AnnexIvDocumentation.BuildAsync(p.Storage, GovernedPipeline.Model, "9.9.9"));
        Assert.Contains("no record of model 'credit_model' at version '9.9.9'", e.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => AnnexIvDocumentation.BuildAsync(p.Storage, "nobody"));
    }

    [Fact]
    public async Task Markdown_And_Html_CiteEveryRecordAndEncodeWhatTheyQuote()
    {
        await using var p = await GovernedPipeline.CreateAsync();
        p.Manager.LogDeclaredFacts(new { hardware = "<script>alert(1)</script> & co" });
        var pack = await AnnexIvDocumentation.BuildAsync(p.Storage, GovernedPipeline.Model);
        string md = pack.ToMarkdown();
        string html = pack.ToHtml();
        Assert.Contains("## Receipts", md);
        Assert.Contains("### 2(g) ", md);
        foreach (var id in pack.Items.SelectMany(i => i.Evidence)) Assert.Contains($"`{id}` (leaf ", md);
        Assert.Contains("\\<script>", md);
        Assert.DoesNotContain("<script>", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co", html);
        Assert.Contains("id=\"item-2g\"", html);
    }
}
