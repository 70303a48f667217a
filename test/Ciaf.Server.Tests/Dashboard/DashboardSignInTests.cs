using System.Net;
using Ciaf.Metadata.Access;
using Ciaf.Server.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Ciaf.Server.Tests.Dashboard;

/// <summary>Signing in and out of the dashboard: the key check, the session cookie, anti-forgery, redirects.</summary>
public sealed class DashboardSignInTests
{
    [Fact]
    public async Task SignIn_WithAnActiveKey_SetsAnHttpOnlySameSiteStrictCookie_AndRedirects()
    {
        await using var host = await TestServerHost.StartAsync();
        using var client = new CookieClient(host);
        var response = await client.SignInAsync(host.Keys[AccessRoles.Reader], "/dashboard/health");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/dashboard/health", response.Headers.Location!.ToString());
        string setCookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("ciaf_session=", StringComparison.Ordinal));
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/dashboard", setCookie, StringComparison.OrdinalIgnoreCase);
        // Plain http (a loopback development server): not Secure, or the browser would drop it.
        Assert.DoesNotContain("secure", setCookie.Replace("samesite", "", StringComparison.OrdinalIgnoreCase), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, (await client.Http.GetAsync("/dashboard/health")).StatusCode);
    }

    [Fact]
    public async Task SignIn_OverTls_MarksBothCookiesSecure()
    {
        await using var host = await TestServerHost.StartAsync();
        using var client = new CookieClient(host);
        client.Http.BaseAddress = new Uri("https://localhost");
        var page = await client.Http.GetAsync("/dashboard/sign-in");
        Assert.Contains(page.Headers.GetValues("Set-Cookie"), c => c.StartsWith("ciaf_antiforgery=", StringComparison.Ordinal) && c.Contains("secure", StringComparison.OrdinalIgnoreCase));
        var response = await client.SignInAsync(host.Keys[AccessRoles.Reader]);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        string setCookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("ciaf_session=", StringComparison.Ordinal));
        Assert.Contains("; secure", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task SignIn_WithoutTheAntiforgeryToken_Is400_AndStartsNoSession()
    {
        await using var host = await TestServerHost.StartAsync();
        using var client = new CookieClient(host);
        await client.Http.GetAsync("/dashboard/sign-in");
        var response = await client.Http.PostAsync("/dashboard/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["api_key"] = host.Keys[AccessRoles.Admin],
            ["return_url"] = "/dashboard",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("anti-forgery", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(client.Cookies, c => c.Name == "ciaf_session");
        Assert.Equal(HttpStatusCode.Redirect, (await client.Http.GetAsync("/dashboard")).StatusCode);
    }

    [Fact]
    public async Task SignIn_WithAnotherBrowsersToken_Is400()
    {
        await using var host = await TestServerHost.StartAsync();
        using var attacker = new CookieClient(host);
        string token = await attacker.FormTokenAsync("/dashboard/sign-in");
        using var victim = new CookieClient(host);
        await victim.Http.GetAsync("/dashboard/sign-in");
        var response = await victim.Http.PostAsync("/dashboard/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["api_key"] = host.Keys[AccessRoles.Reader],
        }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("ciaf_0000000000000000_not-a-key", "not a valid API key")]
    [InlineData("", "Enter an API key")]
    public async Task SignIn_WithABadKey_ShowsTheFormAgain_WithoutASession(string key, string message)
    {
        await using var host = await TestServerHost.StartAsync();
        using var client = new CookieClient(host);
        var response = await client.SignInAsync(key);
        Assert.True(response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.BadRequest, $"{response.StatusCode}");
        string html = await response.Content.ReadAsStringAsync();
        Assert.Contains(message, html, StringComparison.Ordinal);
        Assert.DoesNotContain(key.Length > 0 ? key : "\u0000", html, StringComparison.Ordinal);
        Assert.DoesNotContain(client.Cookies, c => c.Name == "ciaf_session");
    }

    [Fact]
    public async Task SignIn_WithARevokedOrExpiredKey_IsRefusedWithTheReason()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await TestServerHost.StartAsync(store: o => o.TimeProvider = clock);
        var revoked = await host.Storage.ApiKeys.CreateAsync("bob", AccessRoles.Reader);
        await host.Storage.ApiKeys.RevokeAsync("bob");
        var expired = await host.Storage.ApiKeys.CreateAsync("carol", AccessRoles.Reader, clock.GetUtcNow().AddHours(1));
        clock.Advance(TimeSpan.FromHours(2));
        using var client = new CookieClient(host);
        var r1 = await client.SignInAsync(revoked.Key);
        Assert.Equal(HttpStatusCode.Unauthorized, r1.StatusCode);
        Assert.Contains("has been revoked", await r1.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var r2 = await client.SignInAsync(expired.Key);
        Assert.Equal(HttpStatusCode.Unauthorized, r2.StatusCode);
        Assert.Contains("has expired", await r2.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("//evil.example/phish")]
    [InlineData("https://evil.example/")]
    [InlineData("/\\evil.example")]
    [InlineData("javascript:alert(1)")]
    public async Task SignIn_NeverRedirectsOffTheServer(string returnUrl)
    {
        await using var host = await TestServerHost.StartAsync();
        using var client = new CookieClient(host);
        var response = await client.SignInAsync(host.Keys[AccessRoles.Reader], returnUrl);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/dashboard", response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task RevokingTheKey_EndsItsSessionAtTheNextRequest()
    {
        await using var host = await TestServerHost.StartAsync();
        var dana = await host.Storage.ApiKeys.CreateAsync("dana", AccessRoles.Reader);
        using var client = new CookieClient(host);
        await client.SignInAsync(dana.Key);
        Assert.Equal(HttpStatusCode.OK, (await client.Http.GetAsync("/dashboard")).StatusCode);
        await host.Storage.ApiKeys.RevokeAsync("dana");
        var response = await client.Http.GetAsync("/dashboard");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("http://localhost/dashboard/sign-in", response.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignOut_NeedsTheToken_ThenEndsTheSession()
    {
        await using var host = await TestServerHost.StartAsync();
        using var client = new CookieClient(host);
        await client.SignInAsync(host.Keys[AccessRoles.Reader]);

        var forged = await client.Http.PostAsync("/dashboard/sign-out", new FormUrlEncodedContent(new Dictionary<string, string>()));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.Http.GetAsync("/dashboard")).StatusCode);

        string token = await client.FormTokenAsync("/dashboard");
        var signOut = await client.Http.PostAsync("/dashboard/sign-out", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.Equal("/dashboard/sign-in", signOut.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.Redirect, (await client.Http.GetAsync("/dashboard")).StatusCode);
    }

    [Fact]
    public async Task Verify_IsForAuditors_AndItsResultIsShownToReaders()
    {
        await using var host = await TestServerHost.StartAsync();
        await host.SeedAsync();
        using var reader = new CookieClient(host);
        await reader.SignInAsync(host.Keys[AccessRoles.Reader]);
        string readerToken = await reader.FormTokenAsync("/dashboard/health");
        var denied = await reader.Http.PostAsync("/dashboard/health/verify", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = readerToken }));
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Contains("id=\"no-verification\"", await reader.Http.GetStringAsync("/dashboard/health"), StringComparison.Ordinal);

        using var auditor = new CookieClient(host);
        await auditor.SignInAsync(host.Keys[AccessRoles.Auditor]);
        Assert.Equal(HttpStatusCode.BadRequest, (await auditor.Http.PostAsync("/dashboard/health/verify", new FormUrlEncodedContent(new Dictionary<string, string>()))).StatusCode);
        string token = await auditor.FormTokenAsync("/dashboard/health");
        var run = await auditor.Http.PostAsync("/dashboard/health/verify", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        Assert.Equal(HttpStatusCode.Redirect, run.StatusCode);

        string html = await reader.Http.GetStringAsync("/dashboard/health");
        Assert.Contains("data-verify=\"valid\"", html, StringComparison.Ordinal);
        Assert.Contains("by apikey:test-auditor", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Root_RedirectsToTheDashboard()
    {
        await using var host = await TestServerHost.StartAsync();
        using var client = new CookieClient(host);
        var response = await client.Http.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/dashboard", response.Headers.Location!.ToString());
    }
}
