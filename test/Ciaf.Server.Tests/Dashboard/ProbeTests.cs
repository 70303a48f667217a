using Ciaf.Metadata.Access;
namespace Ciaf.Server.Tests.Dashboard;
public sealed class ProbeTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task Dump()
    {
        using var client = await fixture.SignedInAsync(AccessRoles.Admin);
        foreach (var (name, path) in new[] { ("record", $"/dashboard/records/{fixture.DeploymentId}"), ("search", "/dashboard/search"), ("models", "/dashboard"), ("compliance", "/dashboard/models/credit_model/compliance"), ("pipeline", "/dashboard/models/credit_model"), ("health", "/dashboard/health"), ("audit", "/dashboard/audit"), ("events", "/dashboard/compliance-events") })
        {
            var r = await client.Http.GetAsync(path);
            await File.WriteAllTextAsync($"/tmp/dashprobe/{name}.html", $"<!-- {(int)r.StatusCode} -->\n" + await r.Content.ReadAsStringAsync());
        }
    }
}
