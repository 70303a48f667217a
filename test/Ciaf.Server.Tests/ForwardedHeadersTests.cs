using System.Net;
using System.Text.RegularExpressions;
using Ciaf.Metadata.Access;
using Ciaf.Metadata;
using Ciaf.Metadata.Configuration;
using Ciaf.Server.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Ciaf.Server.Tests;

/// <summary>
/// Behind a reverse proxy that terminates TLS: X-Forwarded-Proto and X-Forwarded-For are read only when configured, and
/// only from a known proxy. The test server has no socket, so each request names the address it "comes from" in a
/// test-only header that a startup filter turns into the connection's remote address before the server's pipeline.
/// </summary>
public sealed partial class ForwardedHeadersTests
{
    private const string FromHeader = "X-Test-Remote-Address";
    private const string EchoPath = "/test/connection";

    [Fact]
    public async Task SignIn_HttpsForwardedByAKnownProxy_MarksTheSessionCookieSecure()
    {
        await using var host = await StartAsync(enabled: true, "10.1.2.3");
        string setCookie = await SignInAsync(host, from: "10.1.2.3", forwardedProto: "https");
        Assert.Contains("; secure", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task SignIn_HttpsForwardedByAnUnknownAddress_IsIgnored()
    {
        await using var host = await StartAsync(enabled: true, "10.1.2.3");
        string setCookie = await SignInAsync(host, from: "10.9.9.9", forwardedProto: "https");
        Assert.DoesNotContain("secure", setCookie.Replace("samesite", "", StringComparison.OrdinalIgnoreCase), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task SignIn_ForwardedHeadersOff_TheDefault_IgnoresThemEvenFromLoopback()
    {
        await using var host = await StartAsync(enabled: false);
        string setCookie = await SignInAsync(host, from: "127.0.0.1", forwardedProto: "https");
        Assert.DoesNotContain("secure", setCookie.Replace("samesite", "", StringComparison.OrdinalIgnoreCase), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("10.1.2.3", "https|203.0.113.7")]      // the known proxy: the client's scheme and address
    [InlineData("10.0.0.7", "https|203.0.113.7")]      // inside the known network
    [InlineData("10.9.9.9", "http|10.9.9.9")]          // anyone else: headers ignored
    [InlineData("127.0.0.1", "http|127.0.0.1")]        // loopback is not trusted once proxies are named
    public async Task Request_ForwardedHeaders_BelievedOnlyFromKnownProxiesAndNetworks(string from, string expected)
    {
        await using var host = await StartAsync(enabled: true, "10.1.2.3", "10.0.0.0/29");
        Assert.Equal(expected, await EchoAsync(host, from, "https", "203.0.113.7"));
    }

    [Fact]
    public async Task Request_NoProxiesNamed_TrustsLoopbackOnly()
    {
        await using var host = await StartAsync(enabled: true);
        Assert.Equal("https|198.51.100.4", await EchoAsync(host, "127.0.0.1", "https", "198.51.100.4"));
        Assert.Equal("https|198.51.100.4", await EchoAsync(host, "::1", "https", "198.51.100.4"));
        Assert.Equal("http|192.168.1.20", await EchoAsync(host, "192.168.1.20", "https", "198.51.100.4"));
    }

    [Fact]
    public async Task Request_ForwardedHeadersOff_ConnectionUnchanged()
    {
        await using var host = await StartAsync(enabled: false);
        Assert.Equal("http|127.0.0.1", await EchoAsync(host, "127.0.0.1", "https", "198.51.100.4"));
    }

    [Fact]
    public void Options_ProxiesWithoutForwardedHeaders_OrNotAnAddress_FailNamingTheKey()
    {
        using var folder = new Ciaf.Metadata.Tests.Support.TempDirectory();
        using var storage = Ciaf.Metadata.MetadataStorage.Create(b => b.UseSqlite(folder.Path));
        var off = new CiafServerOptions { Storage = storage, ForwardedHeaders = new ForwardedHeadersSettings { KnownProxies = ["10.0.0.1"] } };
        var e = Assert.Throws<ArgumentException>(() => CiafServer.Build(off));
        Assert.Contains("server_known_proxies", e.Message, StringComparison.Ordinal);
        Assert.Contains("server_forwarded_headers", e.Message, StringComparison.Ordinal);

        foreach (string bad in new[] { "10", "proxy.example.com", "10.0.0.1/8", "10.0.0.0/33", "" })
        {
            var options = new CiafServerOptions { Storage = storage, ForwardedHeaders = new ForwardedHeadersSettings { Enabled = true, KnownProxies = [bad] } };
            var errors = options.Validate();
            Assert.True(errors.ContainsKey("server_known_proxies"), $"'{bad}' was taken as a proxy");
            Assert.StartsWith($"'{bad}' is not an IP address or a CIDR network", errors["server_known_proxies"], StringComparison.Ordinal);
        }
    }

    [Fact]
    public void FromConfig_ReadsTheTwoKeys()
    {
        using var folder = new Ciaf.Metadata.Tests.Support.TempDirectory();
        using var storage = Ciaf.Metadata.MetadataStorage.Create(b => b.UseSqlite(folder.Path));
        var config = new MetadataConfig();
        Assert.False(CiafServerOptionsConfig.FromConfig(config, storage).ForwardedHeaders.Enabled);
        config.Set("server_forwarded_headers", true);
        config.Set("server_known_proxies", new[] { "10.0.0.5", "fd00::/8" });
        var settings = CiafServerOptionsConfig.FromConfig(config, storage).ForwardedHeaders;
        Assert.True(settings.Enabled);
        Assert.Equal(new[] { "10.0.0.5", "fd00::/8" }, settings.KnownProxies);
        Assert.Empty(config.Validate());
    }

    private static Task<TestServerHost> StartAsync(bool enabled, params string[] proxies) =>
        TestServerHost.StartAsync(
            configure: o =>
            {
                o.ForwardedHeaders.Enabled = enabled;
                foreach (string p in proxies) o.ForwardedHeaders.KnownProxies.Add(p);
            },
            builder: b => b.Services.AddSingleton<IStartupFilter, RemoteAddressFromHeader>(),
            mapEndpoints: app => app.MapGet(EchoPath, (HttpContext c) => $"{c.Request.Scheme}|{c.Connection.RemoteIpAddress}").AllowAnonymous());

    private static async Task<string> EchoAsync(TestServerHost host, string from, string proto, string client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, EchoPath);
        request.Headers.Add(FromHeader, from);
        request.Headers.Add("X-Forwarded-Proto", proto);
        request.Headers.Add("X-Forwarded-For", client);
        var response = await host.Client().SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>
    /// Signs in through the form over plain http, each request from <paramref name="from"/> with X-Forwarded-Proto; the
    /// cookies are carried by hand (a cookie jar would not send a Secure cookie over http, as a browser behind the proxy
    /// would over https). Returns the session's Set-Cookie.
    /// </summary>
    private static async Task<string> SignInAsync(TestServerHost host, string from, string forwardedProto)
    {
        var client = host.Client();
        using var page = new HttpRequestMessage(HttpMethod.Get, "/dashboard/sign-in");
        page.Headers.Add(FromHeader, from);
        page.Headers.Add("X-Forwarded-Proto", forwardedProto);
        var pageResponse = await client.SendAsync(page);
        string antiforgery = pageResponse.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("ciaf_antiforgery=", StringComparison.Ordinal));
        string token = WebUtility.HtmlDecode(TokenField().Match(await pageResponse.Content.ReadAsStringAsync()).Groups[1].Value);

        using var post = new HttpRequestMessage(HttpMethod.Post, "/dashboard/sign-in")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token,
                ["api_key"] = host.Keys[AccessRoles.Reader],
                ["return_url"] = "/dashboard",
            }),
        };
        post.Headers.Add(FromHeader, from);
        post.Headers.Add("X-Forwarded-Proto", forwardedProto);
        post.Headers.Add("Cookie", antiforgery.Split(';')[0]);
        var response = await client.SendAsync(post);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("ciaf_session=", StringComparison.Ordinal));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();

    /// <summary>Sets the connection's remote address from <see cref="FromHeader"/>, ahead of the server's own pipeline.</summary>
    private sealed class RemoteAddressFromHeader : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress = IPAddress.Parse(context.Request.Headers[FromHeader].ToString());
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
