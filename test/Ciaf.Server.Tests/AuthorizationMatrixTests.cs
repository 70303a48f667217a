using System.Net;
using Ciaf.Metadata.Access;
using Ciaf.Server.Authorization;
using Ciaf.Server.Tests.Support;

namespace Ciaf.Server.Tests;

/// <summary>Every endpoint × every role (and none): 401 without credentials, 403 for a role that lacks the right, allowed otherwise.</summary>
public sealed class AuthorizationMatrixTests(AuthorizationMatrixTests.Fixture fixture) : IClassFixture<AuthorizationMatrixTests.Fixture>
{
    /// <summary>Each endpoint: method, path ({id} = a seeded record), body, and the policy it needs.</summary>
    public static readonly (string Method, string Path, string? Body, string Policy)[] Endpoints =
    [
        ("GET", "/readyz", null, CiafPolicies.Read),
        ("GET", "/openapi/v1.json", null, CiafPolicies.Read),
        ("GET", "/api-reference", null, CiafPolicies.Read),
        ("GET", "/api/v1/records/{id}", null, CiafPolicies.Read),
        ("GET", "/api/v1/records?filter=stage%20%3D%20'training'&limit=5", null, CiafPolicies.Read),
        ("POST", "/api/v1/records", """{"model_name": "matrix_model", "stage": "training", "event_type": "e"}""", CiafPolicies.Write),
        ("GET", "/api/v1/models", null, CiafPolicies.Read),
        ("GET", "/api/v1/models/credit_model/trace", null, CiafPolicies.Read),
        ("GET", "/api/v1/models/credit_model/compliance-report", null, CiafPolicies.Read),
        ("GET", "/api/v1/compliance/events", null, CiafPolicies.Read),
        ("POST", "/api/v1/compliance/events", """{"framework": "GDPR", "compliance_score": 0.9}""", CiafPolicies.Write),
        ("GET", "/api/v1/export?format=jsonl", null, CiafPolicies.Audit),
        ("GET", "/api/v1/records/{id}/proof", null, CiafPolicies.Read),
        ("GET", "/api/v1/ledger/checkpoint", null, CiafPolicies.Read),
        ("POST", "/api/v1/verify", null, CiafPolicies.Audit),
        ("GET", "/api/v1/audit?limit=5", null, CiafPolicies.Audit),
        ("GET", "/api/v1/holds", null, CiafPolicies.Read),
        ("POST", "/api/v1/holds", """{"scope": "model", "target": "held_model", "reason": "case 1"}""", CiafPolicies.Admin),
        ("DELETE", "/api/v1/holds/model:held_model", null, CiafPolicies.Admin),
        ("POST", "/api/v1/cleanup", null, CiafPolicies.Admin),
        // The remote backend's operations: each checks its own right inside (test/Ciaf.Remote.Tests); the route needs a role.
        ("GET", "/api/v1/backend/info", null, CiafPolicies.Read),
        ("POST", "/api/v1/backend/count", "{}", CiafPolicies.Read),
    ];

    public static TheoryData<string, string, string?, string, string?> Cases()
    {
        var data = new TheoryData<string, string, string?, string, string?>();
        foreach (var (method, path, body, policy) in Endpoints)
        {
            data.Add(method, path, body, policy, null);
            foreach (string role in AccessRoles.All) data.Add(method, path, body, policy, role);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Endpoint_Role_IsAllowedOrRefused(string method, string path, string? body, string policy, string? role)
    {
        var response = await Json.SendAsync(fixture.Host.Client(role), method, path.Replace("{id}", fixture.RecordId, StringComparison.Ordinal), body);
        if (role is null)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", Json.MediaType(response));
        }
        else if (CiafPolicies.Roles[policy].Contains(role))
        {
            Assert.True(response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.NotFound,
                $"{role} {method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        else
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("application/problem+json", Json.MediaType(response));
        }
    }

    [Fact]
    public void Matrix_CoversEveryMappedApiEndpoint()
    {
        var mapped = fixture.Host.App.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Select(e => (Method: e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods.Single(), Route: "/" + e.RoutePattern.RawText!.TrimStart('/')))
            // The dashboard's pages and forms are covered by Dashboard/DashboardEndpointTests.
            .Where(e => e.Method is not null && e.Route != "/healthz" && e.Route != "/" && !e.Route.StartsWith("/dashboard", StringComparison.Ordinal))
            .Select(e => $"{e.Method} {e.Route.TrimEnd('/')}")
            .ToHashSet();
        var covered = Endpoints.Select(e => $"{e.Method} {Template(e.Path)}").ToHashSet();
        Assert.Empty(mapped.Except(covered));
    }

    [Fact]
    public async Task Healthz_NeedsNoIdentity()
    {
        var response = await fixture.Host.Client().GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static string Template(string path)
    {
        string noQuery = path.Split('?')[0];
        return noQuery
            .Replace("/credit_model/", "/{model}/", StringComparison.Ordinal)
            .Replace("model:held_model", "{id}", StringComparison.Ordinal)
            .Replace("/openapi/v1.json", "/openapi/{documentName}.json", StringComparison.Ordinal)
            .Replace("/backend/count", "/backend/{operation}", StringComparison.Ordinal);
    }

    public sealed class Fixture : IAsyncLifetime
    {
        public TestServerHost Host { get; private set; } = null!;

        public string RecordId { get; private set; } = string.Empty;

        public async Task InitializeAsync()
        {
            var keyFolder = new Ciaf.Metadata.Tests.Support.TempDirectory();
            _keyFolder = keyFolder;
            string keyPath = keyFolder.Combine("ledger.pem");
            Ciaf.Metadata.Ledger.LedgerKeys.Create(keyPath).Dispose();
            Host = await TestServerHost.StartAsync(o => o.RateLimit.Requests = 0, store: o => o.LedgerKeyPath = keyPath);
            RecordId = await Host.SeedAsync();
        }

        private Ciaf.Metadata.Tests.Support.TempDirectory? _keyFolder;

        public async Task DisposeAsync()
        {
            await Host.DisposeAsync();
            _keyFolder?.Dispose();
        }
    }
}
