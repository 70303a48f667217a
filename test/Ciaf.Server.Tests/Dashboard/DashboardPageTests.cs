using System.Net;
using System.Text.RegularExpressions;
using Ciaf.Metadata.Access;
using Ciaf.Metadata.Audit;
using Ciaf.Server.Tests.Support;

namespace Ciaf.Server.Tests.Dashboard;

/// <summary>Every dashboard page: who may open it, what it shows, the headers it carries.</summary>
public sealed partial class DashboardPageTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    public static TheoryData<string> ReaderPages => new()
    {
        "/dashboard",
        "/dashboard/models/credit_model",
        "/dashboard/models/credit_model/compliance",
        "/dashboard/search?filter=stage+%3D+%27monitoring%27",
        "/dashboard/compliance-events",
        "/dashboard/health",
        "/dashboard/ledger/public-key.pem",
    };

    [Theory]
    [MemberData(nameof(ReaderPages))]
    [InlineData("/dashboard/audit")]
    public async Task Page_WithoutSession_RedirectsToSignIn_WithTheReturnUrl(string path)
    {
        using var client = new CookieClient(fixture.Host);
        var response = await client.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!.ToString();
        Assert.StartsWith("http://localhost/dashboard/sign-in?ReturnUrl=", location, StringComparison.Ordinal);
        Assert.Contains(Uri.EscapeDataString(path.Split('?')[0]), location, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ReaderPages))]
    public async Task Page_ForReader_Is200(string path)
    {
        using var client = await fixture.SignedInAsync(AccessRoles.Reader);
        var response = await client.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Record_ForReader_Is200()
    {
        using var client = await fixture.SignedInAsync(AccessRoles.Reader);
        Assert.Equal(HttpStatusCode.OK, (await client.Http.GetAsync($"/dashboard/records/{fixture.DeploymentId}")).StatusCode);
    }

    [Fact]
    public async Task Audit_ForReader_Is403Page_ForAuditorAndAdmin200()
    {
        using var reader = await fixture.SignedInAsync(AccessRoles.Reader);
        var denied = await reader.Http.GetAsync("/dashboard/audit");
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Equal("text/html", denied.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Not allowed", await denied.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // A reader is not offered the link either.
        Assert.DoesNotContain("href=\"/dashboard/audit\"", await reader.Http.GetStringAsync("/dashboard"), StringComparison.Ordinal);

        foreach (string role in new[] { AccessRoles.Auditor, AccessRoles.Admin })
        {
            using var client = await fixture.SignedInAsync(role);
            Assert.Equal(HttpStatusCode.OK, (await client.Http.GetAsync("/dashboard/audit")).StatusCode);
        }
    }

    [Fact]
    public async Task PageReads_AreAuditedAsTheSignedInPerson_AndShownOnTheAuditPage()
    {
        using var reader = await fixture.SignedInAsync(AccessRoles.Reader);
        Assert.Equal(HttpStatusCode.OK, (await reader.Http.GetAsync($"/dashboard/records/{fixture.DeploymentId}")).StatusCode);
        var trail = await fixture.Host.Storage.GetAuditTrailAsync(new AuditQuery { ParentId = fixture.DeploymentId, Action = AuditActions.Read });
        Assert.Contains(trail, e => e.UserId == "apikey:test-reader");

        using var auditor = await fixture.SignedInAsync(AccessRoles.Auditor);
        string html = WebUtility.HtmlDecode(await auditor.Http.GetStringAsync($"/dashboard/audit?user=apikey%3Atest-reader&record_id={fixture.DeploymentId}"));
        Assert.Contains("apikey:test-reader", html, StringComparison.Ordinal);
        Assert.Contains(Ciaf.Server.Dashboard.DashboardFormat.ShortId(fixture.DeploymentId), html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pages_CarryTheSecurityHeaders_AndNoInlineScriptOrStyle()
    {
        using var client = await fixture.SignedInAsync(AccessRoles.Admin);
        foreach (string path in new[] { "/dashboard", "/dashboard/models/credit_model", "/dashboard/models/credit_model/compliance", $"/dashboard/records/{fixture.DeploymentId}",
                     "/dashboard/search", "/dashboard/search?filter=", "/dashboard/compliance-events", "/dashboard/audit", "/dashboard/health", "/dashboard/sign-in" })
        {
            var response = await client.Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            string csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
            Assert.Contains("style-src 'self'", csp, StringComparison.Ordinal);
            Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
            Assert.Equal("DENY", string.Join(",", response.Headers.GetValues("X-Frame-Options")));
            Assert.Equal("nosniff", string.Join(",", response.Headers.GetValues("X-Content-Type-Options")));
            string html = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<style", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotMatch(InlineStyleOrHandler(), html);
        }
    }

    [Fact]
    public async Task StyleSheet_IsServedWithoutSignIn_AndHasPrintRules()
    {
        using var client = new CookieClient(fixture.Host);
        var response = await client.Http.GetAsync("/dashboard/static/dashboard.css");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/css", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("@media print", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Models_ShowsVersionsStagesAndLatestCompliancePerFramework()
    {
        using var client = await fixture.SignedInAsync(AccessRoles.Reader);
        string html = await client.Http.GetStringAsync("/dashboard");
        Assert.Contains("credit_model", html, StringComparison.Ordinal);
        Assert.Contains("churn_model", html, StringComparison.Ordinal);
        Assert.Contains("1.2.0", html, StringComparison.Ordinal);
        // Stages in pipeline order.
        Assert.True(html.IndexOf(">data_ingestion ", StringComparison.Ordinal) < html.IndexOf(">monitoring ", StringComparison.Ordinal));
        // The latest GDPR assessment (week 5: 0.95 - 4 × 0.03 = 0.83) passed; the latest FCRA (0.88 - 0.2 = 0.68) failed.
        Assert.Matches(new Regex("class=\"chip passed\"[^>]*>GDPR 0.83 passed"), html);
        Assert.Matches(new Regex("class=\"chip failed\"[^>]*>FCRA 0.68 failed"), html);
        Assert.Contains("not assessed", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pipeline_ShowsEveryStageInOrder_OnATimeline()
    {
        using var client = await fixture.SignedInAsync(AccessRoles.Reader);
        string html = await client.Http.GetStringAsync("/dashboard/models/credit_model");
        string[] stages = ["data_ingestion", "data_preprocessing", "training", "validation", "deployment", "inference", "monitoring", "compliance"];
        int last = -1;
        foreach (string stage in stages)
        {
            int at = html.IndexOf($"<h3>{stage}</h3>", StringComparison.Ordinal);
            Assert.True(at > last, $"{stage} is not after the previous stage");
            last = at;
        }
        Assert.Contains("<svg class=\"chart\"", html, StringComparison.Ordinal);
        // One mark per record: 5 monitoring records on the monitoring lane.
        Assert.Equal(DashboardSample.Weeks, Regex.Matches(html, "<circle class=\"s6\"").Count);
    }

    [Fact]
    public async Task Record_ShowsFieldsTreeAndAVerifiedReceipt()
    {
        using var client = await fixture.SignedInAsync(AccessRoles.Reader);
        string html = await client.Http.GetStringAsync($"/dashboard/records/{fixture.DeploymentId}");
        Assert.Contains("data-verify=\"valid\"", html, StringComparison.Ordinal);
        Assert.Contains(">environment</span>", html, StringComparison.Ordinal);
        Assert.Contains("&quot;staging&quot;", html, StringComparison.Ordinal);
        // Nested metadata is a tree of <details>, open near the top.
        var validation = (await fixture.Host.Storage.GetModelMetadataAsync(DashboardSample.Model, "validation"))[0];
        string tree = await client.Http.GetStringAsync($"/dashboard/records/{validation.Id}");
        Assert.Matches(new Regex("<details open[^>]*><summary><span class=\"key\">fairness</span>"), tree);
        Assert.Contains("<span class=\"key\">by_group</span>", tree, StringComparison.Ordinal);

        var receipt = await client.Http.GetAsync($"/dashboard/records/{fixture.DeploymentId}/receipt.json");
        Assert.Equal(HttpStatusCode.OK, receipt.StatusCode);
        var parsed = Ciaf.Metadata.Ledger.LedgerReceipt.Parse(await receipt.Content.ReadAsStringAsync());
        using var key = Ciaf.Metadata.Ledger.LedgerKeys.LoadPublic(await client.Http.GetStringAsync("/dashboard/ledger/public-key.pem"));
        Assert.True(parsed.Verify(key, fixture.DeploymentId).IsValid);
    }

    [Theory]
    [InlineData("/dashboard/records/no-such-record")]
    [InlineData("/dashboard/records/..%2F..%2Fetc")]
    [InlineData("/dashboard/models/no_such_model")]
    [InlineData("/dashboard/models/no_such_model/compliance")]
    public async Task Missing_Is404Page(string path)
    {
        using var client = await fixture.SignedInAsync(AccessRoles.Reader);
        var response = await client.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Compliance_DrawsScoresFairnessAndDrift()
    {
        using var client = await fixture.SignedInAsync(AccessRoles.Reader);
        string html = await client.Http.GetStringAsync("/dashboard/models/credit_model/compliance");
        // Scores over time: one series per framework, a dot per weekly assessment.
        Assert.Matches(new Regex("data-series=\"GDPR\">\\s*<polyline"), html);
        Assert.Equal(DashboardSample.Weeks, Regex.Matches(html, "<title>GDPR: ").Count);
        Assert.Equal(DashboardSample.Weeks, Regex.Matches(html, "<title>FCRA: ").Count);
        Assert.Contains("pass mark 0.8", html, StringComparison.Ordinal);
        // Fairness: the validation record's and the EEOC assessment's analyses; women under four fifths.
        Assert.Contains("<h3>validation: fairness.gender</h3>", html, StringComparison.Ordinal);
        Assert.Contains("<h3>compliance: fairness_analysis</h3>", html, StringComparison.Ordinal);
        Assert.Contains("below four fifths: female", html, StringComparison.Ordinal);
        Assert.Contains("class=\"bar flagged\"", html, StringComparison.Ordinal);
        // Drift: the weekly PSI values, with the PSI reference lines.
        Assert.Equal(DashboardSample.Weeks, Regex.Matches(html, "<title>psi.income: ").Count);
        Assert.Contains("PSI 0.25: significant shift", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_PagesByCursor_UntilTheLastPage()
    {
        using var client = await fixture.SignedInAsync(AccessRoles.Reader);
        var seen = new HashSet<string>();
        string? next = "/dashboard/search?filter=" + Uri.EscapeDataString("model_name = 'credit_model'") + "&limit=10";
        int pages = 0;
        while (next is not null)
        {
            string html = await client.Http.GetStringAsync(next);
            foreach (Match m in RecordLink().Matches(html)) Assert.True(seen.Add(m.Groups[1].Value), "a record is on two pages");
            next = NextLink().Match(html) is { Success: true } link ? WebUtility.HtmlDecode(link.Groups[1].Value) : null;
            pages++;
            Assert.True(pages < 10, "the pager does not end");
        }
        long total = await fixture.Host.Storage.CountAsync("model_name = 'credit_model'");
        Assert.Equal(total, seen.Count);
        Assert.Equal((int)Math.Ceiling(total / 10.0), pages);
    }

    [Fact]
    public async Task Search_BadFilter_Is400_WithTheCaretUnderTheError()
    {
        using var client = await fixture.SignedInAsync(AccessRoles.Reader);
        var response = await client.Http.GetAsync("/dashboard/search?filter=" + Uri.EscapeDataString("stage = 'training' AND"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        string html = await response.Content.ReadAsStringAsync();
        var caret = Regex.Match(html, "<pre class=\"caret\">([^<]*)</pre>");
        Assert.True(caret.Success, html);
        string[] lines = WebUtility.HtmlDecode(caret.Groups[1].Value).Split('\n');
        Assert.Equal("  stage = 'training' AND", lines[0].TrimEnd('\r'));
        // The caret is under the end of the filter, where a condition is missing.
        Assert.Equal(lines[0].TrimEnd('\r').Length, lines[1].TrimEnd('\r').IndexOf('^', StringComparison.Ordinal));
        Assert.Contains("(column ", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Events_FilterErrors_ShowTheCaret_AndFrameworkNarrows()
    {
        using var client = await fixture.SignedInAsync(AccessRoles.Reader);
        var bad = await client.Http.GetAsync("/dashboard/compliance-events?filter=" + Uri.EscapeDataString("compliance_score <"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("<pre class=\"caret\">", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        string gdpr = await client.Http.GetStringAsync("/dashboard/compliance-events?framework=GDPR");
        Assert.Contains($"{DashboardSample.Weeks} event(s)", gdpr, StringComparison.Ordinal);
        Assert.DoesNotContain("<td>FCRA</td>", gdpr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_ShowsCountsAndTheLedgersCheckpoint()
    {
        using var client = await fixture.SignedInAsync(AccessRoles.Reader);
        string html = await client.Http.GetStringAsync("/dashboard/health");
        var metrics = await fixture.Host.Storage.GetPerformanceMetricsAsync();
        Assert.Contains($"id=\"record-count\">{metrics.RecordCount:N0}<", html, StringComparison.Ordinal);
        Assert.Contains("ledger_public.pem", html, StringComparison.Ordinal);
        Assert.Contains("<td>active</td>", html, StringComparison.Ordinal);
        // A reader sees no verify button.
        Assert.DoesNotContain("id=\"verify-now\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_DoesNotAcceptTheSessionCookie()
    {
        using var client = await fixture.SignedInAsync(AccessRoles.Admin);
        var session = client.Cookies.Single(c => c.Name == "ciaf_session");
        Assert.Equal("/dashboard", session.Path);
        // Sent by hand (a browser would not send it outside /dashboard): still no identity for the API.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/models");
        request.Headers.Add("Cookie", $"ciaf_session={session.Value}");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.Http.SendAsync(request)).StatusCode);
    }

    [GeneratedRegex("href=\"/dashboard/records/([A-Za-z0-9_-]+)\"")]
    private static partial Regex RecordLink();

    [GeneratedRegex("id=\"next-page\" href=\"([^\"]+)\"")]
    private static partial Regex NextLink();

    [GeneratedRegex("\\s(style|on[a-z]+)=\"", RegexOptions.IgnoreCase)]
    private static partial Regex InlineStyleOrHandler();
}
