using System.Net;
using Ciaf.Server.Authorization;
using Ciaf.Server.Tests.Support;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;

namespace Ciaf.Server.Tests.Dashboard;

/// <summary>Every endpoint the dashboard maps is either part of signing in or needs a right: nothing is open by accident.</summary>
public sealed class DashboardEndpointTests
{
    private static readonly HashSet<string> Anonymous =
    [
        "GET /", "GET /dashboard/static/dashboard.css", "GET /dashboard/sign-in", "POST /dashboard/sign-in", "GET /dashboard/sign-in/oidc",
        "GET /dashboard/signed-in",
    ];

    [Fact]
    public async Task EveryDashboardEndpoint_IsSignInOrNeedsARight()
    {
        await using var host = await TestServerHost.StartAsync();
        var endpoints = host.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => (Name: $"{e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Single()} /{e.RoutePattern.RawText!.Trim('/')}", Endpoint: e))
            .Where(e => e.Name.Contains(" /dashboard", StringComparison.Ordinal) || e.Name == "GET /")
            .ToList();
        Assert.True(endpoints.Count >= 15, string.Join(", ", endpoints.Select(e => e.Name)));
        foreach (var (name, endpoint) in endpoints)
        {
            bool anonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            var policies = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).ToList();
            if (Anonymous.Contains(name))
            {
                Assert.True(anonymous, $"{name} should allow anonymous access");
            }
            else
            {
                Assert.False(anonymous, $"{name} allows anonymous access");
                Assert.True(policies.Contains(CiafPolicies.Read) || policies.Contains(CiafPolicies.Audit), $"{name} needs no right: {string.Join(", ", policies)}");
            }
        }
        var audit = endpoints.Where(e => e.Name is "GET /dashboard/audit" or "POST /dashboard/health/verify").ToList();
        Assert.Equal(2, audit.Count);
        Assert.All(audit, e => Assert.Contains(CiafPolicies.Audit, e.Endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy)));
    }

    [Theory]
    [InlineData("/readyz")]
    [InlineData("/api-reference")]
    [InlineData("/openapi/v1.json")]
    public async Task PagesOutsideTheDashboard_WithoutCredentials_Are401Problems_NotRedirects(string path)
    {
        await using var host = await TestServerHost.StartAsync();
        var response = await host.Client().GetAsync(path);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
