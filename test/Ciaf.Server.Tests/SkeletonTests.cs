using System.Net;
using System.Net.Http.Json;
using System.Text;
using Ciaf.Server.Tests.Support;

namespace Ciaf.Server.Tests;

public sealed class SkeletonTests
{
    [Fact]
    public async Task Healthz_WithoutCredentials_IsOk()
    {
        await using var host = await TestServerHost.StartAsync();
        var response = await host.Client().GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", (string?)(await TestServerHost.JsonAsync(response))["status"]);
    }

    [Fact]
    public async Task GetRecord_WithoutKey_Is401Problem()
    {
        await using var host = await TestServerHost.StartAsync();
        string id = await host.SeedAsync();
        var response = await host.Client().GetAsync($"/api/v1/records/{id}");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task PostThenGet_WriterThenReader_RoundTrips()
    {
        await using var host = await TestServerHost.StartAsync();
        var post = await host.Client("writer").PostAsync("/api/v1/records", new StringContent(
            """{"model_name": "m", "stage": "training", "event_type": "e", "metadata": {"accuracy": 0.5}}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        string id = (string)(await TestServerHost.JsonAsync(post))["ids"]![0]!;
        var get = await host.Client("reader").GetAsync($"/api/v1/records/{id}");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        var record = await TestServerHost.JsonAsync(get);
        Assert.Equal(0.5, (double)record["metadata"]!["accuracy"]!);
        var audit = await host.Storage.GetAuditTrailAsync();
        Assert.Contains(audit, e => e.Action == "read" && e.UserId == "apikey:test-reader" && e.ParentId == id);
        Assert.Contains(audit, e => e.Action == "save" && e.UserId == "apikey:test-writer" && e.ParentId == id);
    }

    [Fact]
    public async Task PostRecord_AsReader_Is403()
    {
        await using var host = await TestServerHost.StartAsync();
        var post = await host.Client("reader").PostAsJsonAsync("/api/v1/records", new { model_name = "m", stage = "s", event_type = "e" });
        Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);
        Assert.Empty(await host.Storage.GetModelMetadataAsync("m"));
    }
}
