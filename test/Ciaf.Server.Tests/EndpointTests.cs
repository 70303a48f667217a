using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Ciaf.Metadata;
using Ciaf.Metadata.Access;
using Ciaf.Metadata.Compliance;
using Ciaf.Metadata.Integration;
using Ciaf.Metadata.Ledger;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;
using Ciaf.Server.Tests.Support;

namespace Ciaf.Server.Tests;

/// <summary>What each endpoint returns, checked against the store behind it.</summary>
public sealed class EndpointTests : IAsyncLifetime
{
    private readonly TempDirectory _keys = new();
    private TestServerHost _host = null!;
    private string _keyPath = string.Empty;

    public async Task InitializeAsync()
    {
        _keyPath = _keys.Combine("ledger.pem");
        LedgerKeys.Create(_keyPath).Dispose();
        _host = await TestServerHost.StartAsync(o => o.RateLimit.Requests = 0, store: o => o.LedgerKeyPath = _keyPath);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _keys.Dispose();
    }

    [Fact]
    public async Task GetRecord_IsTheRecordAsCiafGetJsonPrintsIt()
    {
        string id = await _host.SeedAsync(metadata: new { accuracy = 0.91, nested = new { k = "v" } });
        var body = JsonNode.Parse(await _host.Client(AccessRoles.Reader).GetStringAsync($"/api/v1/records/{id}"))!;
        var expected = Ciaf.Metadata.Hashing.RecordJson.ToJsonObject((await _host.Storage.GetMetadataAsync(id))!);
        Assert.True(JsonNode.DeepEquals(expected, body), body.ToJsonString());
    }

    [Fact]
    public async Task PostRecords_Array_SavesAllInOrder_AndUnknownIdIs404()
    {
        var response = await _host.Client(AccessRoles.Writer).PostAsync("/api/v1/records", Json.Body("""
            [{"model_name": "batch", "stage": "training", "event_type": "a", "metadata": {"i": 1}},
             {"model_name": "batch", "stage": "validation", "event_type": "b", "model_version": "2.0.0", "details": "d"}]
            """));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var ids = ((JsonArray)(await TestServerHost.JsonAsync(response))["ids"]!).Select(n => (string)n!).ToList();
        Assert.Equal(2, ids.Count);
        var second = await _host.Storage.GetMetadataAsync(ids[1]);
        Assert.Equal(("validation", "2.0.0", "d"), (second!.Stage, second.ModelVersion, second.Details));
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Client(AccessRoles.Reader).GetAsync("/api/v1/records/0000")).StatusCode);
    }

    [Fact]
    public async Task Search_WithoutAFilter_ListsEveryRecordNewestFirst_PagedByCursor()
    {
        var saved = new List<string>();
        for (int i = 0; i < 5; i++) saved.Add(await _host.SeedAsync(i % 2 == 0 ? "even" : "odd"));
        var newestFirst = (await _host.Storage.QueryMetadataAsync(new MetadataQuery()).ToListAsync()).Select(r => r.Id).ToList();
        Assert.Equal(saved.Order(StringComparer.Ordinal), newestFirst.Order(StringComparer.Ordinal));
        var client = _host.Client(AccessRoles.Reader);

        foreach (string url in new[] { "/api/v1/records?limit=2", "/api/v1/records?filter=&limit=2" })
        {
            var seen = new List<string>();
            string? cursor = null;
            int pages = 0;
            do
            {
                var page = JsonNode.Parse(await client.GetStringAsync(url + (cursor is null ? string.Empty : "&cursor=" + Uri.EscapeDataString(cursor))))!;
                seen.AddRange(((JsonArray)page["records"]!).Select(r => (string)r!["id"]!));
                cursor = (string?)page["next_cursor"];
                pages++;
            }
            while (cursor is not null);
            Assert.Equal(newestFirst, seen);
            Assert.Equal(3, pages);
        }

        var all = JsonNode.Parse(await client.GetStringAsync("/api/v1/records"))!;
        Assert.Equal(newestFirst, ((JsonArray)all["records"]!).Select(r => (string)r!["id"]!));
        Assert.Null((string?)all["next_cursor"]);
        // A cursor belongs to its search: one from the unfiltered list does not continue a filtered one.
        string first = (string)JsonNode.Parse(await client.GetStringAsync("/api/v1/records?limit=1"))!["next_cursor"]!;
        var mixed = await client.GetAsync("/api/v1/records?filter=" + Uri.EscapeDataString("model_name = 'even'") + "&cursor=" + Uri.EscapeDataString(first));
        Assert.Equal(HttpStatusCode.BadRequest, mixed.StatusCode);
    }

    [Fact]
    public async Task Search_FiltersOrdersAndPagesByCursor()
    {
        for (int i = 0; i < 5; i++) await _host.SeedAsync("paged", metadata: new { accuracy = i / 10.0 });
        await _host.SeedAsync("other");
        var client = _host.Client(AccessRoles.Reader);
        string url = "/api/v1/records?limit=2&order_by=" + Uri.EscapeDataString("metadata.accuracy asc") + "&filter=" + Uri.EscapeDataString("model_name = 'paged'");
        var seen = new List<double>();
        string? cursor = null;
        do
        {
            var page = JsonNode.Parse(await client.GetStringAsync(url + (cursor is null ? string.Empty : "&cursor=" + Uri.EscapeDataString(cursor))))!;
            seen.AddRange(((JsonArray)page["records"]!).Select(r => (double)r!["metadata"]!["accuracy"]!));
            cursor = (string?)page["next_cursor"];
        }
        while (cursor is not null);
        Assert.Equal([0.0, 0.1, 0.2, 0.3, 0.4], seen);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/v1/records?limit=0")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/v1/records?order_by=timestamp%20sideways")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/v1/records?cursor=forged")).StatusCode);
    }

    [Fact]
    public async Task Models_Trace_AndComplianceReport()
    {
        var manager = new ModelMetadataManager("credit", "1.2.0", _host.Storage);
        await manager.LogDataIngestionAsync(new { rows = 10 });
        await manager.LogTrainingCompleteAsync(new { accuracy = 0.9 });
        var tracker = new ComplianceTracker(manager);
        await tracker.TrackGdprComplianceAsync(new { encryption = true, anonymization = true, access_controls = true },
            new { explicit_consent = true, withdrawal_mechanism = true });
        var client = _host.Client(AccessRoles.Reader);

        var models = (JsonArray)JsonNode.Parse(await client.GetStringAsync("/api/v1/models"))!["models"]!;
        var credit = models.Single(m => (string?)m!["model_name"] == "credit")!;
        Assert.Equal("1.2.0", (string?)credit["versions"]![0]);
        Assert.Equal(1, (int)credit["stages"]!["data_ingestion"]!);

        var trace = JsonNode.Parse(await client.GetStringAsync("/api/v1/models/credit/trace"))!;
        var stages = ((JsonObject)trace["stages"]!).Select(kv => kv.Key).ToList();
        Assert.True(stages.IndexOf("data_ingestion") < stages.IndexOf("training") && stages.IndexOf("training") < stages.IndexOf("compliance"), string.Join(", ", stages));

        var report = JsonNode.Parse(await client.GetStringAsync("/api/v1/models/credit/compliance-report"))!;
        Assert.Contains("GDPR", report.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/models/nobody/trace")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/models/nobody/compliance-report")).StatusCode);
    }

    [Fact]
    public async Task ComplianceEvents_PostThenGet()
    {
        string id = await _host.SeedAsync();
        var post = await _host.Client(AccessRoles.Writer).PostAsync("/api/v1/compliance/events",
            Json.Body($$"""{"framework": "EEOC", "metadata_id": "{{id}}", "compliance_score": 0.75, "validation_status": "failed", "details": "4/5 rule"}"""));
        Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        string eventId = (string)(await TestServerHost.JsonAsync(post))["id"]!;
        var client = _host.Client(AccessRoles.Reader);
        var byFramework = (JsonArray)JsonNode.Parse(await client.GetStringAsync("/api/v1/compliance/events?framework=EEOC"))!["events"]!;
        Assert.Equal(eventId, (string?)Assert.Single(byFramework)!["id"]);
        var byFilter = (JsonArray)JsonNode.Parse(await client.GetStringAsync("/api/v1/compliance/events?filter=" + Uri.EscapeDataString("compliance_score < 0.8")))!["events"]!;
        Assert.Single(byFilter);
        var bad = await _host.Client(AccessRoles.Writer).PostAsync("/api/v1/compliance/events", Json.Body("""{"framework": "GDPR", "compliance_score": 7}"""));
        Assert.Equal("compliance_score", (string?)(await TestServerHost.JsonAsync(bad))["field"]);
    }

    [Theory]
    [InlineData("jsonl")]
    [InlineData("csv")]
    [InlineData("parquet")]
    public async Task Export_StreamsTheMatchingRecords(string format)
    {
        string keep = await _host.SeedAsync("exported");
        string skip = await _host.SeedAsync("not_exported");
        var response = await _host.Client(AccessRoles.Auditor).GetAsync($"/api/v1/export?format={format}&filter=" + Uri.EscapeDataString("model_name = 'exported'"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        byte[] bytes = await response.Content.ReadAsByteArrayAsync();
        if (format == "parquet")
        {
            Assert.Equal("PAR1", Encoding.ASCII.GetString(bytes, 0, 4));
            Assert.Equal("PAR1", Encoding.ASCII.GetString(bytes, bytes.Length - 4, 4));
            return;
        }
        string text = Encoding.UTF8.GetString(bytes);
        Assert.Contains(keep, text, StringComparison.Ordinal);
        Assert.DoesNotContain(skip, text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await _host.Client(AccessRoles.Auditor).GetAsync("/api/v1/export?format=xls")).StatusCode);
    }

    [Fact]
    public async Task ProofCheckpointAndVerify_AgreeWithTheLedger()
    {
        string id = await _host.SeedAsync();
        var client = _host.Client(AccessRoles.Reader);
        string receiptJson = await client.GetStringAsync($"/api/v1/records/{id}/proof");
        using var publicKey = LedgerKeys.LoadPrivate(_keyPath);
        var verification = LedgerReceipt.Parse(receiptJson).Verify(publicKey, id);
        Assert.True(verification.IsValid, verification.ToString());

        var checkpoint = JsonNode.Parse(await client.GetStringAsync("/api/v1/ledger/checkpoint"))!;
        Assert.True(LedgerCheckpoint.Parse((string)checkpoint["checkpoint"]!).Verify(publicKey));

        var verify = await _host.Client(AccessRoles.Auditor).PostAsync("/api/v1/verify",
            Json.Body(new JsonObject { ["checkpoints"] = new JsonArray((string)checkpoint["checkpoint"]!), ["public_key_pem"] = LedgerKeys.PublicPem(publicKey) }.ToJsonString()));
        var report = await TestServerHost.JsonAsync(verify);
        Assert.True((bool)report["is_valid"]!, report.ToJsonString());
        Assert.True((int)report["ledger"]!["checkpoints_checked"]! >= 1, report.ToJsonString());
        var pathKey = await _host.Client(AccessRoles.Auditor).PostAsync("/api/v1/verify", Json.Body("""{"public_key_pem": "/etc/passwd"}"""));
        Assert.Equal("public_key_pem", (string?)(await TestServerHost.JsonAsync(pathKey))["field"]);
    }

    [Fact]
    public async Task Audit_RecordsWhoDidWhat()
    {
        string id = await _host.SeedAsync();
        await _host.Client(AccessRoles.Reader).GetAsync($"/api/v1/records/{id}");
        var entries = (JsonArray)JsonNode.Parse(await _host.Client(AccessRoles.Auditor).GetStringAsync($"/api/v1/audit?record_id={id}&action=read"))!["entries"]!;
        Assert.Equal("apikey:test-reader", (string?)Assert.Single(entries)!["user_id"]);
        Assert.Equal(HttpStatusCode.BadRequest, (await _host.Client(AccessRoles.Auditor).GetAsync("/api/v1/audit?since=yesterday")).StatusCode);
    }

    [Fact]
    public async Task HoldsAndCleanup_DryRunByDefault_HoldWins()
    {
        await _host.SeedAsync("held");
        await _host.SeedAsync("expendable");
        var admin = _host.Client(AccessRoles.Admin);
        var hold = await admin.PostAsync("/api/v1/holds", Json.Body("""{"scope": "model", "target": "held", "reason": "case 7"}"""));
        Assert.Equal(HttpStatusCode.Created, hold.StatusCode);
        Assert.Equal("apikey:test-admin", (string?)(await TestServerHost.JsonAsync(hold))["placed_by"]);

        var dry = await TestServerHost.JsonAsync(await admin.PostAsync("/api/v1/cleanup", Json.Body("""{"days_old": 0}""")));
        Assert.True((bool)dry["dry_run"]!);
        Assert.NotEmpty(await _host.Storage.GetModelMetadataAsync("expendable"));

        var real = await TestServerHost.JsonAsync(await admin.PostAsync("/api/v1/cleanup", Json.Body("""{"days_old": 0, "dry_run": false}""")));
        Assert.False((bool)real["dry_run"]!);
        Assert.Empty(await _host.Storage.GetModelMetadataAsync("expendable"));
        Assert.NotEmpty(await _host.Storage.GetModelMetadataAsync("held"));

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/v1/holds/model:held?reason=closed")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync("/api/v1/holds/model:held")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.DeleteAsync("/api/v1/holds/nonsense")).StatusCode);
        Assert.Empty(await _host.Storage.GetLegalHoldsAsync());
    }

    [Fact]
    public async Task OpenApiDocumentAndReferencePage_ListEveryApiPath()
    {
        var client = _host.Client(AccessRoles.Reader);
        var document = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!;
        var paths = ((JsonObject)document["paths"]!).Select(p => p.Key).ToList();
        Assert.Contains("/api/v1/records/{id}/proof", paths);
        Assert.Contains("/api/v1/holds/{id}", paths);
        Assert.NotNull(document["components"]!["securitySchemes"]!["ApiKey"]);
        var page = await client.GetAsync("/api-reference");
        string html = await page.Content.ReadAsStringAsync();
        Assert.Equal("text/html", Json.MediaType(page));
        Assert.All(paths, p => Assert.Contains(System.Net.WebUtility.HtmlEncode(p), html, StringComparison.Ordinal));
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Readyz_NamesTheBackend()
    {
        var ready = await TestServerHost.JsonAsync(await _host.Client(AccessRoles.Reader).GetAsync("/readyz"));
        Assert.Equal(("ready", "sqlite"), ((string?)ready["status"], (string?)ready["backend"]));
    }
}
