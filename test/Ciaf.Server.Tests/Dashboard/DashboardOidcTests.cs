using System.Net;
using Ciaf.Metadata.Audit;
using Ciaf.Metadata;
using Ciaf.Server.Dashboard.Authentication;
using Ciaf.Server.Tests.Support;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.WebUtilities;

namespace Ciaf.Server.Tests.Dashboard;

/// <summary>
/// OIDC sign-in to the dashboard, end to end against a provider in the test process (its discovery document, keys and
/// token endpoint answer the handler's back channel; the ID token is signed here): the redirect to the provider with
/// PKCE, the callback, the code redeemed with the client secret and verifier, the session as <c>oidc:&lt;sub&gt;</c>.
/// What is not tested: a real provider's login page and its cookies, and RP-initiated logout (not implemented).
/// </summary>
public sealed class DashboardOidcTests
{
    private const string Authority = "https://idp.example.test/realms/ml";
    private const string ClientId = "ciaf-dashboard";
    private const string ClientSecret = "test-secret";

    [Fact]
    public async Task OidcSignIn_StartsASessionAsTheUser_WithTheirRole_AndTheirReadsAreAudited()
    {
        using var idp = new FakeIdentityProvider(Authority, ClientId, ClientSecret);
        await using var host = await StartAsync(idp);
        string recordId = await host.SeedAsync();
        using var browser = Browser(host);

        var challenge = await ChallengeAsync(browser, "/dashboard/health");
        var callback = await CallbackAsync(browser, challenge, idp.Issue(new FakeIdentityProvider.Grant("alice", ["auditor"], challenge["nonce"], challenge["code_challenge"])));
        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        Assert.Equal("/dashboard/signed-in?to=%2Fdashboard%2Fhealth", callback.Headers.Location!.OriginalString);
        Assert.Empty(idp.Refusals);

        // The same-site hop: a meta refresh to the page asked for, no script.
        string landing = await browser.Http.GetStringAsync(callback.Headers.Location);
        Assert.Contains("http-equiv=\"refresh\" content=\"0;url=/dashboard/health\"", landing, StringComparison.Ordinal);

        string health = await browser.Http.GetStringAsync("/dashboard/health");
        Assert.Contains("title=\"oidc:alice\">alice (auditor)</span>", health, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await browser.Http.GetAsync("/dashboard/audit")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.Http.GetAsync($"/dashboard/records/{recordId}")).StatusCode);
        var trail = await host.Storage.GetAuditTrailAsync(new AuditQuery { ParentId = recordId, Action = AuditActions.Read });
        Assert.Contains(trail, e => e.UserId == "oidc:alice");
    }

    [Fact]
    public async Task Challenge_AsksForACodeWithPkce_ForThisClient()
    {
        using var idp = new FakeIdentityProvider(Authority, ClientId, ClientSecret);
        await using var host = await StartAsync(idp);
        using var browser = Browser(host);
        var query = await ChallengeAsync(browser, "/dashboard");
        Assert.Equal("code", query["response_type"]);
        Assert.Equal(ClientId, query["client_id"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.Equal("https://localhost/dashboard/signin-oidc", query["redirect_uri"]);
        Assert.Equal(["openid", "profile"], query["scope"].Split(' '));
        Assert.False(string.IsNullOrEmpty(query["nonce"]));
    }

    [Fact]
    public async Task OidcSignIn_WithoutACiafRole_IsRefused_AndStartsNoSession()
    {
        using var idp = new FakeIdentityProvider(Authority, ClientId, ClientSecret);
        await using var host = await StartAsync(idp);
        using var browser = Browser(host);
        var challenge = await ChallengeAsync(browser, "/dashboard");
        var callback = await CallbackAsync(browser, challenge, idp.Issue(new FakeIdentityProvider.Grant("mallory", ["superuser"], challenge["nonce"], challenge["code_challenge"])));
        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        Assert.Equal("/dashboard/sign-in?error=oidc", callback.Headers.Location!.OriginalString);
        Assert.DoesNotContain(browser.Cookies, c => c.Name == DashboardAuthentication.CookieName);
        Assert.Contains("OIDC sign-in did not complete", await browser.Http.GetStringAsync(callback.Headers.Location), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OidcSignIn_WithAnotherRequestsCode_IsRefusedByThePkceCheck()
    {
        using var idp = new FakeIdentityProvider(Authority, ClientId, ClientSecret);
        await using var host = await StartAsync(idp);
        using var browser = Browser(host);
        var challenge = await ChallengeAsync(browser, "/dashboard");
        // A code bound to someone else's challenge (an intercepted code replayed here).
        var callback = await CallbackAsync(browser, challenge, idp.Issue(new FakeIdentityProvider.Grant("alice", ["admin"], challenge["nonce"], "not-this-challenge")));
        Assert.Equal("/dashboard/sign-in?error=oidc", callback.Headers.Location!.OriginalString);
        Assert.Equal(["pkce"], idp.Refusals);
        Assert.DoesNotContain(browser.Cookies, c => c.Name == DashboardAuthentication.CookieName);
    }

    [Fact]
    public async Task SignInPage_OffersOidc_OnlyWhenConfigured()
    {
        using var idp = new FakeIdentityProvider(Authority, ClientId, ClientSecret);
        await using (var host = await StartAsync(idp))
        {
            using var browser = Browser(host);
            Assert.Contains("href=\"/dashboard/sign-in/oidc?ReturnUrl=%2Fdashboard\"", await browser.Http.GetStringAsync("/dashboard/sign-in"), StringComparison.Ordinal);
        }
        await using (var plain = await TestServerHost.StartAsync())
        {
            using var browser = Browser(plain);
            Assert.DoesNotContain("/dashboard/sign-in/oidc", await browser.Http.GetStringAsync("/dashboard/sign-in"), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.NotFound, (await browser.Http.GetAsync("/dashboard/sign-in/oidc")).StatusCode);
        }
    }

    [Fact]
    public void ClientIdWithoutAuthority_IsRejected_NamingTheKey()
    {
        var storage = Ciaf.Metadata.MetadataStorage.Create(b => b.UseSqlite(Path.Combine(Path.GetTempPath(), "ciaf-oidc-" + Guid.NewGuid().ToString("N"))));
        try
        {
            var options = new CiafServerOptions { Storage = storage, Oidc = { ClientId = ClientId } };
            var errors = options.Validate();
            Assert.Contains("server_jwt_authority", errors["server_oidc_client_id"], StringComparison.Ordinal);
            options.Oidc.Scopes.Add("two words");
            Assert.Contains("'two words'", options.Validate()["server_oidc_scopes"], StringComparison.Ordinal);
        }
        finally
        {
            storage.Dispose();
        }
    }

    private static Task<TestServerHost> StartAsync(FakeIdentityProvider idp) =>
        TestServerHost.StartAsync(o =>
            {
                o.Jwt.Authority = Authority;
                o.Jwt.Audience = "ciaf-api";
                o.Oidc.ClientId = ClientId;
                o.Oidc.ClientSecret = ClientSecret;
            },
            builder: b => b.Services.Configure<OpenIdConnectOptions>(DashboardAuthentication.OidcScheme, o => o.BackchannelHttpHandler = idp));

    // The correlation and nonce cookies are Secure: the browser talks https to the test server.
    private static CookieClient Browser(TestServerHost host)
    {
        var browser = new CookieClient(host);
        browser.Http.BaseAddress = new Uri("https://localhost");
        return browser;
    }

    private static async Task<Dictionary<string, string>> ChallengeAsync(CookieClient browser, string returnUrl)
    {
        var response = await browser.Http.GetAsync("/dashboard/sign-in/oidc?ReturnUrl=" + Uri.EscapeDataString(returnUrl));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.StartsWith(Authority + "/authorize?", location.ToString(), StringComparison.Ordinal);
        return QueryHelpers.ParseQuery(location.Query).ToDictionary(kv => kv.Key, kv => kv.Value.ToString(), StringComparer.Ordinal);
    }

    // What the provider's login page would do: post the code and the state back to the callback (response_mode=form_post).
    private static Task<HttpResponseMessage> CallbackAsync(CookieClient browser, Dictionary<string, string> challenge, string code) =>
        browser.Http.PostAsync("/dashboard/signin-oidc", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["code"] = code,
            ["state"] = challenge["state"],
        }));
}
