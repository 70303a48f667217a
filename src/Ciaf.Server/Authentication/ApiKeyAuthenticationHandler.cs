using System.Security.Claims;
using System.Text.Encodings.Web;
using Ciaf.Metadata;
using Ciaf.Metadata.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ciaf.Server.Authentication;

/// <summary>
/// Authenticates the <c>X-API-Key</c> header against the store's keys (<see cref="ApiKeyRegistry.CheckAsync"/>: found by
/// id, SHA-256 compared in constant time). The key itself is never logged; a failure names the key's id at most.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, MetadataStorage storage)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(CiafAuthenticationSchemes.ApiKeyHeader, out var values)) return AuthenticateResult.NoResult();
        if (values.Count != 1 || string.IsNullOrEmpty(values[0])) return Fail("Send one X-API-Key header holding one key.");
        var check = await storage.ApiKeys.CheckAsync(values[0]!, Context.RequestAborted).ConfigureAwait(false);
        switch (check.Status)
        {
            case ApiKeyStatus.Active:
                var key = check.Key!;
                var identity = new ClaimsIdentity(
                [
                    new Claim(ClaimTypes.Name, key.Name),
                    new Claim(ClaimTypes.Role, key.Role),
                    new Claim(CiafClaimTypes.Actor, "apikey:" + key.Name),
                    new Claim(CiafClaimTypes.Method, "apikey"),
                    new Claim(CiafClaimTypes.KeyId, key.Id),
                ], Scheme.Name, ClaimTypes.Name, ClaimTypes.Role);
                return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
            case ApiKeyStatus.Expired:
                Logger.LogInformation("Rejected expired API key {KeyId} ({Name})", check.Key!.Id, check.Key.Name);
                return Fail("The API key has expired.");
            case ApiKeyStatus.Revoked:
                Logger.LogInformation("Rejected revoked API key {KeyId} ({Name})", check.Key!.Id, check.Key.Name);
                return Fail("The API key has been revoked.");
            default:
                Logger.LogInformation("Rejected an unknown API key from {Address}", Context.Connection.RemoteIpAddress);
                return Fail("The API key is not valid.");
        }
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.Append("WWW-Authenticate", $"ApiKey header=\"{CiafAuthenticationSchemes.ApiKeyHeader}\"");
        return Task.CompletedTask;
    }

    private AuthenticateResult Fail(string reason)
    {
        AuthenticationFailure.Set(Context, reason);
        return AuthenticateResult.Fail(reason);
    }
}
