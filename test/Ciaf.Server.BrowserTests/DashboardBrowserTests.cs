using System.Text.RegularExpressions;
using Ciaf.Metadata.Access;
using Ciaf.Server.BrowserTests.Support;
using Ciaf.Server.Tests.Support;
using Microsoft.Playwright;

namespace Ciaf.Server.BrowserTests;

/// <summary>
/// The dashboard in a real browser: sign in with an API key, open every page (a screenshot of each under the test
/// output's <c>screenshots/</c>), search (and a bad filter's caret), a record's verified receipt, the audit page's 403
/// for a reader, print, sign out. Any console error (a CSP violation included) fails the test.
/// </summary>
public sealed class DashboardBrowserTests(BrowserServer server) : IClassFixture<BrowserServer>
{
    [SkippableFact]
    public async Task Auditor_SignsIn_OpensEveryPage_AndSignsOut()
    {
        var page = await server.NewPageAsync();
        var errors = CollectErrors(page);
        await SignInAsync(page, AccessRoles.Auditor, "/dashboard/health");
        Assert.EndsWith("/dashboard/health", page.Url, StringComparison.Ordinal);

        await OpenAsync(page, "/dashboard", "01-models");
        Assert.Equal("Models", await page.Locator("h1").TextContentAsync());
        await Assertions.Expect(page.Locator("table.models")).ToContainTextAsync("credit_model");
        await Assertions.Expect(page.Locator("a.chip.passed", new() { HasText = "GDPR" })).ToBeVisibleAsync();

        await page.ClickAsync("a:has-text('credit_model')");
        await page.WaitForURLAsync("**/dashboard/models/credit_model");
        await Screenshot(page, "02-pipeline");
        int stages = (await server.Storage.GetPipelineTraceAsync(DashboardSample.Model)).Stages.Count(st => st.Entries.Count > 0);
        await Assertions.Expect(page.Locator("ol.timeline > li")).ToHaveCountAsync(stages);
        await Assertions.Expect(page.Locator("svg.chart circle")).Not.ToHaveCountAsync(0);

        await OpenAsync(page, "/dashboard/models/credit_model/compliance", "03-compliance");
        await Assertions.Expect(page.Locator("g.series[data-series='GDPR'] circle")).ToHaveCountAsync(DashboardSample.Weeks);
        await Assertions.Expect(page.Locator("rect.bar.flagged").First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("text", new() { HasText = "PSI 0.25" })).ToBeVisibleAsync();

        await OpenAsync(page, $"/dashboard/records/{server.DeploymentId}", "04-record");
        await OpenAsync(page, "/dashboard/compliance-events", "05-compliance-events");
        await Assertions.Expect(page.Locator("table tbody tr")).Not.ToHaveCountAsync(0);
        await OpenAsync(page, "/dashboard/audit", "06-audit");
        await Assertions.Expect(page.Locator("table.audit")).ToContainTextAsync("apikey:browser-auditor");
        await OpenAsync(page, "/dashboard/health", "07-health");
        await page.ClickAsync("#verify-now");
        await Assertions.Expect(page.Locator("#verification ~ p [data-verify]")).ToHaveAttributeAsync("data-verify", "valid");
        await Screenshot(page, "08-health-verified");

        await page.ClickAsync("header .user button");
        await page.WaitForURLAsync("**/dashboard/sign-in");
        var again = await page.GotoAsync("/dashboard");
        Assert.Contains("/dashboard/sign-in", page.Url, StringComparison.Ordinal);
        Assert.Equal(200, again!.Status);
        Assert.Empty(errors);
    }

    [SkippableFact]
    public async Task Reader_Searches_PagesByCursor_AndSeesTheCaretOfABadFilter()
    {
        var page = await server.NewPageAsync();
        var errors = CollectErrors(page);
        await SignInAsync(page, AccessRoles.Reader);
        await page.ClickAsync("nav a:has-text('Search')");
        await page.FillAsync("#filter", "model_name = 'credit_model' AND stage = 'monitoring'");
        await page.SelectOptionAsync("#limit", "10");
        await page.ClickAsync("form.search button");
        await Assertions.Expect(page.Locator("#result-count")).ToContainTextAsync($"{DashboardSample.Weeks} matching");
        await Assertions.Expect(page.Locator("table.results tbody tr")).ToHaveCountAsync(DashboardSample.Weeks);
        await Screenshot(page, "09-search");

        await page.FillAsync("#filter", "model_name = 'credit_model'");
        await page.ClickAsync("form.search button");
        await Assertions.Expect(page.Locator("table.results tbody tr")).ToHaveCountAsync(10);
        string firstPage = await page.Locator("table.results").InnerTextAsync();
        await page.ClickAsync("#next-page");
        await Assertions.Expect(page.Locator("a:has-text('First page')")).ToBeVisibleAsync();
        Assert.NotEqual(firstPage, await page.Locator("table.results").InnerTextAsync());

        await page.FillAsync("#filter", "metadata.max_psi >= AND stage = 'monitoring'");
        var bad = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("form.search button"), r => r.Request.IsNavigationRequest);
        Assert.Equal(400, bad!.Status);
        string caret = await page.Locator("#filter-error pre.caret").InnerTextAsync();
        var lines = caret.Split('\n');
        Assert.Equal("  metadata.max_psi >= AND stage = 'monitoring'", lines[0]);
        Assert.Equal(lines[0].IndexOf("AND", StringComparison.Ordinal), lines[1].IndexOf('^', StringComparison.Ordinal));
        await Screenshot(page, "10-search-error");
        Assert.Empty(errors);
    }

    [SkippableFact]
    public async Task Reader_OpensARecord_AndItsReceiptVerifies()
    {
        var page = await server.NewPageAsync();
        var errors = CollectErrors(page);
        await SignInAsync(page, AccessRoles.Reader);
        await page.GotoAsync("/dashboard/search?filter=" + Uri.EscapeDataString("stage = 'deployment'"));
        await page.ClickAsync("table.results tbody tr >> a.mono");
        await page.WaitForURLAsync($"**/dashboard/records/{server.DeploymentId}");
        await Assertions.Expect(page.Locator("[data-verify]")).ToHaveAttributeAsync("data-verify", "valid");
        await Assertions.Expect(page.Locator("[data-verify]")).ToHaveTextAsync("Verified: valid");
        var json = page.Locator("#receipt pre.receipt");
        await Assertions.Expect(json).Not.ToBeVisibleAsync();
        await page.ClickAsync("#receipt summary:has-text('Receipt JSON')");
        await Assertions.Expect(json).ToBeVisibleAsync();
        await Assertions.Expect(json).ToContainTextAsync(server.DeploymentId);
        await Screenshot(page, "11-record-receipt");

        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("a:has-text('Download receipt')"));
        string receipt = await File.ReadAllTextAsync((await download.PathAsync())!);
        Assert.Contains("\"inclusion_path\"", receipt, StringComparison.Ordinal);
        Assert.Empty(errors);
    }

    [SkippableFact]
    public async Task Reader_GetsA403PageForTheAuditTrail_AndNoLinkToIt()
    {
        var page = await server.NewPageAsync();
        await SignInAsync(page, AccessRoles.Reader);
        await Assertions.Expect(page.Locator("nav a:has-text('Audit trail')")).ToHaveCountAsync(0);
        var response = await page.GotoAsync("/dashboard/audit");
        Assert.Equal(403, response!.Status);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Not allowed");
        await Screenshot(page, "12-audit-forbidden");
    }

    [SkippableFact]
    public async Task SignIn_WithAWrongKey_StaysOnTheForm()
    {
        var page = await server.NewPageAsync();
        await page.GotoAsync("/dashboard");
        Assert.Contains("/dashboard/sign-in?ReturnUrl=", page.Url, StringComparison.Ordinal);
        await Screenshot(page, "00-sign-in");
        await page.FillAsync("#api_key", "ciaf_0123456789abcdef_wrong");
        var response = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("form button[type=submit]"), r => r.Request.IsNavigationRequest);
        Assert.Equal(401, response!.Status);
        await Assertions.Expect(page.Locator("p.error")).ToContainTextAsync("not a valid API key");
    }

    [SkippableFact]
    public async Task Print_HidesTheNavigation_AndOpensTheMetadataTree()
    {
        var page = await server.NewPageAsync();
        await SignInAsync(page, AccessRoles.Reader);
        var validation = (await server.Storage.GetModelMetadataAsync(DashboardSample.Model, "validation"))[0];
        await page.GotoAsync($"/dashboard/records/{validation.Id}");
        var deep = page.Locator("ul.tree span.key", new() { HasTextRegex = new Regex("^female$") }).First;
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { Media = Media.Print });
        await Assertions.Expect(page.Locator("header.topbar")).Not.ToBeVisibleAsync();
        await Assertions.Expect(deep).ToBeVisibleAsync();
        await Screenshot(page, "13-record-print");
        await page.GotoAsync("/dashboard/models/credit_model/compliance");
        await Screenshot(page, "14-compliance-print");
        byte[] pdf = await page.PdfAsync(new PagePdfOptions { Format = "A4" });
        Assert.True(pdf.Length > 1000);
    }

    private async Task SignInAsync(IPage page, string role, string target = "/dashboard")
    {
        await page.GotoAsync(target);
        Assert.Contains("/dashboard/sign-in", page.Url, StringComparison.Ordinal);
        await page.FillAsync("#api_key", server.Keys[role]);
        // The wait starts before the click, and ends when the target's navigation commits: a load-state wait begun after the
        // redirect may miss its event (a CI run timed out there twice, once at "load", once at "domcontentloaded"). Then the
        // signed-in layout's top bar, which every dashboard page has, is waited for as any assertion waits.
        var arrived = page.WaitForURLAsync("**" + target, new() { WaitUntil = WaitUntilState.Commit });
        await page.ClickAsync("form button[type=submit]");
        await arrived;
        await Assertions.Expect(page.Locator("header.topbar")).ToBeVisibleAsync();
    }

    private static async Task OpenAsync(IPage page, string path, string name)
    {
        var response = await page.GotoAsync(path);
        Assert.Equal(200, response!.Status);
        await Screenshot(page, name);
    }

    private static Task Screenshot(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserServer.ScreenshotFolder, name + ".png"), FullPage = true });

    // Console errors (a refused inline script or style is one), failed page scripts, and any file the page loads that
    // fails (the style sheet). A page the test opens on purpose with 400/401/403 is not one of them.
    private static List<string> CollectErrors(IPage page)
    {
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal)) errors.Add(message.Text);
        };
        page.Response += (_, response) =>
        {
            if (!response.Request.IsNavigationRequest && response.Status >= 400) errors.Add($"{response.Status} {response.Url}");
        };
        page.PageError += (_, error) => errors.Add(error);
        return errors;
    }
}
