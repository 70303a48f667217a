using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.TestHost;

namespace Ciaf.Server.Tests.Support;

/// <summary>
/// A browser-like client for the test server: keeps cookies between requests and does not follow redirects (tests look
/// at them). <see cref="SignInAsync"/> signs in through the dashboard's form, with its anti-forgery token.
/// </summary>
public sealed partial class CookieClient : IDisposable
{
    private readonly CookieContainer _cookies = new();

    public CookieClient(TestServerHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        Http = new HttpClient(new CookieHandler(_cookies) { InnerHandler = ((TestServer)host.App.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()).CreateHandler() })
        {
            BaseAddress = new Uri("http://localhost"),
        };
    }

    /// <summary>The client.</summary>
    public HttpClient Http { get; }

    /// <summary>The cookies the server set.</summary>
    public CookieCollection Cookies => _cookies.GetAllCookies();

    /// <summary>Signs in with <paramref name="key"/> through the sign-in form; returns the form post's response.</summary>
    public async Task<HttpResponseMessage> SignInAsync(string key, string returnUrl = "/dashboard")
    {
        string token = await FormTokenAsync("/dashboard/sign-in");
        return await Http.PostAsync("/dashboard/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["api_key"] = key,
            ["return_url"] = returnUrl,
        }));
    }

    /// <summary>The anti-forgery token in the first form of the page at <paramref name="path"/>.</summary>
    public async Task<string> FormTokenAsync(string path)
    {
        string html = await Http.GetStringAsync(path);
        return TokenField().Match(html) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value)
            : throw new InvalidOperationException($"No anti-forgery field on {path}.");
    }

    public void Dispose() => Http.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();

    private sealed class CookieHandler(CookieContainer cookies) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            string header = cookies.GetCookieHeader(request.RequestUri!);
            if (header.Length > 0) request.Headers.Add("Cookie", header);
            var response = await base.SendAsync(request, cancellationToken);
            if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
            {
                foreach (string c in setCookies) cookies.SetCookies(request.RequestUri!, c);
            }
            return response;
        }
    }
}
