using System.Net;
using System.Text;
using Ciaf.Metadata.Access;
using Ciaf.Server.Tests.Support;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Time.Testing;

namespace Ciaf.Server.Tests;

public sealed class ApiKeyAuthenticationTests
{
    [Fact]
    public async Task ExpiredKey_Is401SayingExpired()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await TestServerHost.StartAsync(store: o => o.TimeProvider = clock);
        string id = await host.SeedAsync();
        var created = await host.Storage.ApiKeys.CreateAsync("short-lived", AccessRoles.Reader, clock.GetUtcNow().AddHours(1));
        Assert.Equal(HttpStatusCode.OK, (await host.ClientWithKey(created.Key).GetAsync($"/api/v1/records/{id}")).StatusCode);

        clock.Advance(TimeSpan.FromHours(2));
        var response = await host.ClientWithKey(created.Key).GetAsync($"/api/v1/records/{id}");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("expired", (string?)(await TestServerHost.JsonAsync(response))["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task RevokedKey_Is401SayingRevoked_AndTheRevocationIsAudited()
    {
        await using var host = await TestServerHost.StartAsync();
        string id = await host.SeedAsync();
        Assert.Equal(HttpStatusCode.OK, (await host.Client(AccessRoles.Reader).GetAsync($"/api/v1/records/{id}")).StatusCode);

        var revoked = await host.Storage.ApiKeys.RevokeAsync("test-reader");
        var response = await host.Client(AccessRoles.Reader).GetAsync($"/api/v1/records/{id}");

        Assert.NotNull(revoked);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("revoked", (string?)(await TestServerHost.JsonAsync(response))["detail"], StringComparison.Ordinal);
        var audit = await host.Storage.GetAuditTrailAsync(new Ciaf.Metadata.Audit.AuditQuery { Action = "apikey_revoke" });
        Assert.Equal(revoked!.Id, (string?)System.Text.Json.Nodes.JsonNode.Parse(Assert.Single(audit).Details!)!["key_id"]);
    }

    [Theory]
    [InlineData("not-a-key")]
    [InlineData("ciaf_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("")]
    public async Task UnknownOrMalformedKey_Is401(string key)
    {
        await using var host = await TestServerHost.StartAsync();
        var client = host.App.GetTestClient();
        client.DefaultRequestHeaders.TryAddWithoutValidation("X-API-Key", key);
        var response = await client.GetAsync("/api/v1/models");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task KeyWithTheRightIdButAnotherSecret_Is401()
    {
        await using var host = await TestServerHost.StartAsync();
        string key = host.Keys[AccessRoles.Admin];
        // Same id, last character of the secret changed: found by id, refused by the hash comparison.
        string forged = key[..^1] + (key[^1] == 'A' ? 'B' : 'A');
        var response = await host.ClientWithKey(forged).GetAsync("/api/v1/models");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Keys_AreKeptOnlyAsHashes()
    {
        await using var host = await TestServerHost.StartAsync();
        var created = await host.Storage.ApiKeys.CreateAsync("hash-check", AccessRoles.Writer);
        // ciaf_<16 hex id>_<secret>: the secret is base64url, which may itself hold '_'.
        string secret = created.Key[(ApiKeyRegistry.KeyPrefix.Length + 17)..];
        await host.Storage.FlushAsync();

        var texts = Directory.EnumerateFiles(host.Folder!.Path, "*", SearchOption.AllDirectories)
            .Select(f => Encoding.Latin1.GetString(File.ReadAllBytes(f)));
        Assert.DoesNotContain(texts, t => t.Contains(secret, StringComparison.Ordinal));
        Assert.DoesNotContain(secret, created.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(await host.Storage.GetAuditTrailAsync(), e => e.Details?.Contains(secret, StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task CreateKey_BadNameRoleOrExpiry_IsRefusedNamingTheRule()
    {
        await using var host = await TestServerHost.StartAsync();
        var keys = host.Storage.ApiKeys;
        Assert.Contains("role", (await Assert.ThrowsAsync<ArgumentException>(() => keys.CreateAsync("x", "superuser").AsTask())).Message, StringComparison.Ordinal);
        Assert.Contains("may hold only", (await Assert.ThrowsAsync<ArgumentException>(() => keys.CreateAsync("a b", AccessRoles.Reader).AsTask())).Message, StringComparison.Ordinal);
        Assert.Contains("not in the future", (await Assert.ThrowsAsync<ArgumentException>(() => keys.CreateAsync("x", AccessRoles.Reader, DateTimeOffset.UtcNow.AddDays(-1)).AsTask())).Message, StringComparison.Ordinal);
        Assert.Contains("exists", (await Assert.ThrowsAsync<ArgumentException>(() => keys.CreateAsync("test-reader", AccessRoles.Reader).AsTask())).Message, StringComparison.Ordinal);
    }
}
