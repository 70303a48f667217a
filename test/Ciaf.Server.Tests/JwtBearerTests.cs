using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Ciaf.Metadata.Tests.Support;
using Ciaf.Server.Tests.Support;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Ciaf.Server.Tests;

/// <summary>OIDC/JWT bearer tokens, signed here with a local key whose public half the server is configured with.</summary>
public sealed class JwtBearerTests : IAsyncLifetime
{
    private const string Issuer = "https://idp.example.test/realms/ml";
    private const string Audience = "ciaf-api";

    private readonly RSA _key = RSA.Create(2048);
    private readonly RSA _otherKey = RSA.Create(2048);
    private readonly TempDirectory _keys = new();
    private TestServerHost _host = null!;
    private string _recordId = string.Empty;

    public async Task InitializeAsync()
    {
        string path = _keys.Combine("idp_public.pem");
        await File.WriteAllTextAsync(path, _key.ExportSubjectPublicKeyInfoPem());
        _host = await TestServerHost.StartAsync(o =>
        {
            o.Jwt.SigningKeyPath = path;
            o.Jwt.Issuer = Issuer;
            o.Jwt.Audience = Audience;
            o.Jwt.NameClaim = "preferred_username";
            o.Jwt.RoleClaim = "ciaf_roles";
        });
        _recordId = await _host.SeedAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _keys.Dispose();
        _key.Dispose();
        _otherKey.Dispose();
    }

    [Fact]
    public async Task ValidToken_WithReaderRole_ReadsAndIsAuditedAsTheUser()
    {
        var response = await Client(Token()).GetAsync($"/api/v1/records/{_recordId}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var audit = await _host.Storage.GetAuditTrailAsync(new Ciaf.Metadata.Audit.AuditQuery { ParentId = _recordId, Action = "read" });
        Assert.Contains(audit, e => e.UserId == "oidc:alice");
    }

    [Fact]
    public async Task ValidToken_ReaderRole_CannotWrite_WriterRoleCan()
    {
        const string body = """{"model_name": "jwt_model", "stage": "training", "event_type": "e"}""";
        Assert.Equal(HttpStatusCode.Forbidden, (await Client(Token()).PostAsync("/api/v1/records", Json.Body(body))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await Client(Token(roles: ["writer"])).PostAsync("/api/v1/records", Json.Body(body))).StatusCode);
    }

    [Fact]
    public async Task TokenWithoutACiafRole_Is403()
    {
        var response = await Client(Token(roles: ["owner"])).GetAsync("/api/v1/models");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task ForgedToken_SignedByAnotherKey_Is401()
    {
        var response = await Client(Token(signingKey: _otherKey)).GetAsync("/api/v1/models");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("signature", await DetailAsync(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExpiredToken_Is401SayingExpired()
    {
        var response = await Client(Token(expires: DateTime.UtcNow.AddMinutes(-5))).GetAsync("/api/v1/models");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("expired", await DetailAsync(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongAudience_Is401()
    {
        var response = await Client(Token(audience: "another-api")).GetAsync("/api/v1/models");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("audience", await DetailAsync(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongIssuer_Is401()
    {
        var response = await Client(Token(issuer: "https://evil.example.test")).GetAsync("/api/v1/models");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task UnsignedToken_Is401()
    {
        var handler = new JsonWebTokenHandler();
        string unsigned = handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer, Audience = Audience, Expires = DateTime.UtcNow.AddMinutes(5),
            Claims = new Dictionary<string, object> { ["preferred_username"] = "mallory", ["ciaf_roles"] = new[] { "admin" } },
        });
        var response = await Client(unsigned).GetAsync("/api/v1/models");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task TokenWithoutTheNameClaim_Is401NamingTheClaim()
    {
        var response = await Client(Token(name: null)).GetAsync("/api/v1/models");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("preferred_username", await DetailAsync(response), StringComparison.Ordinal);
    }

    private string Token(string[]? roles = null, RSA? signingKey = null, DateTime? expires = null, string audience = Audience,
        string issuer = Issuer, string? name = "alice")
    {
        var claims = new Dictionary<string, object> { ["ciaf_roles"] = roles ?? ["reader"] };
        if (name is not null) claims["preferred_username"] = name;
        DateTime exp = expires ?? DateTime.UtcNow.AddMinutes(10);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = exp.AddMinutes(-20),
            NotBefore = exp.AddMinutes(-20),
            Expires = exp,
            Claims = claims,
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(signingKey ?? _key), SecurityAlgorithms.RsaSha256),
        });
    }

    private HttpClient Client(string token)
    {
        var client = _host.Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task<string> DetailAsync(HttpResponseMessage response) =>
        (string?)(await TestServerHost.JsonAsync(response))["detail"] ?? string.Empty;
}
