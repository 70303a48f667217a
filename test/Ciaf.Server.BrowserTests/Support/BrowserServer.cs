using Ciaf.Metadata;
using Ciaf.Metadata.Access;
using Ciaf.Metadata.Ledger;
using Ciaf.Metadata.Tests.Support;
using Ciaf.Server.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;

namespace Ciaf.Server.BrowserTests.Support;

/// <summary>
/// The server on a real loopback socket (<c>http://127.0.0.1:0</c>) over the dashboard sample (signed ledger, audit of
/// every access), one API key per role, and a headless Chromium (Debian's) driven by Playwright.
/// </summary>
public sealed class BrowserServer : IAsyncLifetime
{
    private readonly TempDirectory _folder = new();
    private WebApplication? _app;
    private IPlaywright? _playwright;

    /// <summary>The server's base URL.</summary>
    public string Url { get; private set; } = string.Empty;

    /// <summary>The store.</summary>
    public MetadataStorage Storage { get; private set; } = null!;

    /// <summary>Each role's API key.</summary>
    public Dictionary<string, string> Keys { get; } = new(StringComparer.Ordinal);

    /// <summary>The sample's deployment record.</summary>
    public string DeploymentId { get; private set; } = string.Empty;

    /// <summary>The browser, or <c>null</c> when Chromium is missing (each test then skips or fails through <see cref="Chromium.Require"/>).</summary>
    public IBrowser? Browser { get; private set; }

    /// <summary>Where screenshots go: <c>screenshots/</c> in the test output folder.</summary>
    public static string ScreenshotFolder { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task InitializeAsync()
    {
        string key = _folder.Combine("ledger_key.pem");
        LedgerKeys.Create(key).Dispose();
        var clock = DashboardSample.Clock();
        Storage = MetadataStorage.Create(b => b.UseSqlite(_folder.Combine("store")).Configure(o =>
        {
            o.AuditAllAccess = true;
            o.LedgerKeyPath = key;
            o.TimeProvider = clock;
        }));
        DeploymentId = await DashboardSample.SeedAsync(Storage, clock);
        foreach (string role in AccessRoles.All) Keys[role] = (await Storage.ApiKeys.CreateAsync("browser-" + role, role)).Key;

        _app = CiafServer.Build(new CiafServerOptions { Storage = Storage, Urls = ["http://127.0.0.1:0"] });
        await _app.StartAsync();
        Url = _app.Urls.Single();
        Directory.CreateDirectory(ScreenshotFolder);

        if (File.Exists(Chromium.ExecutablePath))
        {
            _playwright = await Playwright.CreateAsync();
            Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium.ExecutablePath, Headless = true });
        }
    }

    /// <summary>A new browser context (its own cookies) and page, at a laptop's screen size.</summary>
    public async Task<IPage> NewPageAsync()
    {
        Chromium.Require();
        var context = await Browser!.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Url,
            ViewportSize = new ViewportSize { Width = 1366, Height = 768 },
        });
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        await Storage.DisposeAsync();
        _folder.Dispose();
    }
}
