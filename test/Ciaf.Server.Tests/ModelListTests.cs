using System.Text.Json.Nodes;
using Ciaf.Metadata;
using Ciaf.Metadata.Access;
using Ciaf.Metadata.Audit;
using Ciaf.Server.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Ciaf.Server.Tests;

/// <summary><c>GET /api/v1/models</c> from the store's model summaries (one aggregate query on SQLite), audited as the caller.</summary>
public sealed class ModelListTests
{
    [Fact]
    public async Task Models_ListsEachModel_WithSortedVersions_StagesInPipelineOrder_AndActivity()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        await using var host = await TestServerHost.StartAsync(store: o => o.TimeProvider = clock);
        foreach (var (model, version, stage) in new (string, string?, string)[]
        {
            ("fraud", "10.0", "training"), ("fraud", "2.0", "deployment"), ("credit", null, "zz_custom"),
            ("fraud", "10.0", "data_ingestion"), ("credit", "1.1", "monitoring"), ("fraud", "2.0", "training"),
        })
        {
            clock.Advance(TimeSpan.FromSeconds(10));
            await host.Storage.SaveMetadataAsync(model, stage, "event", new { a = 1 }, version);
        }

        var models = (JsonArray)JsonNode.Parse(await host.Client(AccessRoles.Reader).GetStringAsync("/api/v1/models"))!["models"]!;
        Assert.Equal(JsonNode.Parse(
            """{"model_name":"credit","records":2,"versions":["1.0.0","1.1"],"stages":{"monitoring":1,"zz_custom":1},"first_activity":"2026-03-01T12:00:30+00:00","last_activity":"2026-03-01T12:00:50+00:00"}"""),
            models[0], JsonNode.DeepEquals);
        Assert.Equal(JsonNode.Parse(
            """{"model_name":"fraud","records":4,"versions":["10.0","2.0"],"stages":{"data_ingestion":1,"training":2,"deployment":1},"first_activity":"2026-03-01T12:00:10+00:00","last_activity":"2026-03-01T12:01:00+00:00"}"""),
            models[1], JsonNode.DeepEquals);
        Assert.Equal(2, models.Count);

        await host.Storage.FlushAsync();
        var audit = await host.Storage.GetAuditTrailAsync(new AuditQuery { Action = AuditActions.Query, UserId = "apikey:test-reader" });
        Assert.Contains(audit, e => e.Details is { } d && JsonNode.Parse(d) is JsonObject details
            && (string?)details["kind"] == "model_summaries" && (int?)details["results"] == 2);
    }
}
