using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Ciaf.Server.Tests.Support;

/// <summary>
/// An OpenID Connect provider in the test process, reached only through the OIDC handler's back channel (no network):
/// a discovery document, its signing key (JWKS), and a token endpoint that redeems the codes a test issues — checking
/// the client's secret and its PKCE verifier — for ID tokens signed here.
/// </summary>
public sealed class FakeIdentityProvider(string issuer, string clientId, string clientSecret) : HttpMessageHandler
{
    private const string KeyId = "test-key";
    private readonly RSA _key = RSA.Create(2048);
    private readonly ConcurrentDictionary<string, Grant> _codes = new(StringComparer.Ordinal);

    /// <summary>What the user consented to: who they are, their roles, and the sign-in request's nonce and PKCE challenge.</summary>
    public sealed record Grant(string Subject, IReadOnlyList<string> Roles, string Nonce, string CodeChallenge);

    /// <summary>The token requests that were refused, and why.</summary>
    public ConcurrentQueue<string> Refusals { get; } = new();

    /// <summary>An authorization code for <paramref name="grant"/> (what the provider would send the browser back with).</summary>
    public string Issue(Grant grant)
    {
        string code = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        _codes[code] = grant;
        return code;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        string path = request.RequestUri!.AbsolutePath;
        if (path.EndsWith("/.well-known/openid-configuration", StringComparison.Ordinal))
        {
            return Json(new
            {
                issuer,
                authorization_endpoint = issuer + "/authorize",
                token_endpoint = issuer + "/token",
                jwks_uri = issuer + "/jwks",
                response_types_supported = new[] { "code" },
                subject_types_supported = new[] { "public" },
                id_token_signing_alg_values_supported = new[] { "RS256" },
                code_challenge_methods_supported = new[] { "S256" },
            });
        }
        if (path.EndsWith("/jwks", StringComparison.Ordinal))
        {
            var p = _key.ExportParameters(false);
            return Json(new { keys = new[] { new { kty = "RSA", use = "sig", alg = "RS256", kid = KeyId, n = Base64UrlEncoder.Encode(p.Modulus), e = Base64UrlEncoder.Encode(p.Exponent) } } });
        }
        if (path.EndsWith("/token", StringComparison.Ordinal))
        {
            var form = QueryHelpers.ParseQuery(await request.Content!.ReadAsStringAsync(cancellationToken));
            string? Field(string name) => form.TryGetValue(name, out var v) ? v.ToString() : null;
            Grant? grant = null;
            string? refusal =
                Field("grant_type") != "authorization_code" ? "grant_type" :
                Field("client_id") != clientId || Field("client_secret") != clientSecret ? "client" :
                Field("code") is not { } code || !_codes.TryRemove(code, out grant) ? "code" :
                Field("code_verifier") is not { } verifier || Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))) != grant.CodeChallenge ? "pkce" :
                null;
            if (refusal is not null)
            {
                Refusals.Enqueue(refusal);
                return new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = JsonContent.Create(new { error = "invalid_grant", error_description = refusal }) };
            }
            return Json(new { access_token = "opaque", token_type = "Bearer", expires_in = 300, id_token = IdToken(grant!) });
        }
        return new HttpResponseMessage(HttpStatusCode.NotFound);
    }

    private string IdToken(Grant grant)
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = clientId,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(5),
            Claims = new Dictionary<string, object> { ["sub"] = grant.Subject, ["roles"] = grant.Roles.ToArray(), ["nonce"] = grant.Nonce },
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(_key) { KeyId = KeyId }, SecurityAlgorithms.RsaSha256),
        });
    }

    private static HttpResponseMessage Json(object body) => new(HttpStatusCode.OK) { Content = JsonContent.Create(body) };

    protected override void Dispose(bool disposing)
    {
        if (disposing) _key.Dispose();
        base.Dispose(disposing);
    }
}
