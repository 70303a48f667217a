using Ciaf.Metadata.Ledger;
using Ciaf.Metadata.Tests.Support;
using Ciaf.Server.Tests.Support;

namespace Ciaf.Server.Tests.Dashboard;

/// <summary>One server over the dashboard sample (signed ledger, audit of every access), shared by the read-only page tests.</summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    private readonly TempDirectory _keys = new();

    public TestServerHost Host { get; private set; } = null!;

    /// <summary>The sample's deployment record.</summary>
    public string DeploymentId { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        string key = _keys.Combine("ledger_key.pem");
        LedgerKeys.Create(key).Dispose();
        var clock = DashboardSample.Clock();
        Host = await TestServerHost.StartAsync(store: o =>
        {
            o.LedgerKeyPath = key;
            o.TimeProvider = clock;
        });
        DeploymentId = await DashboardSample.SeedAsync(Host.Storage, clock);
    }

    /// <summary>A browser-like client signed in with <paramref name="role"/>'s key.</summary>
    public async Task<CookieClient> SignedInAsync(string role)
    {
        var client = new CookieClient(Host);
        var response = await client.SignInAsync(Host.Keys[role]);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        _keys.Dispose();
    }
}
