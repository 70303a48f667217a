using System.Security.Claims;
using Ciaf.Metadata;
using Ciaf.Metadata.Access;
using Ciaf.Server.Authentication;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ciaf.Server.Dashboard.Authentication;

/// <summary>
/// The dashboard's session: a cookie (HttpOnly, SameSite=Strict, Secure on TLS) holding the same identity an API-key or
/// bearer request has — name, role, <see cref="CiafClaimTypes.Actor"/> — so the audit trail attributes page reads to the
/// person. A session from an API key lasts while the key does: it is checked again on every request (revoked or expired
/// ends the session at once).
/// </summary>
public static class DashboardAuthentication
{
    /// <summary>The cookie scheme (<see cref="CiafServerOptions.BrowserScheme"/>).</summary>
    public const string CookieScheme = "CiafDashboard";

    /// <summary>The OIDC scheme (registered when <see cref="OidcSignInSettings.Enabled"/>).</summary>
    public const string OidcScheme = "CiafDashboardOidc";

    /// <summary>The session cookie's name.</summary>
    public const string CookieName = "ciaf_session";

    /// <summary>The anti-forgery cookie's name.</summary>
    public const string AntiforgeryCookieName = "ciaf_antiforgery";

    /// <summary>How long a session lasts without a request (sliding), at most the API key's own lifetime.</summary>
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(8);

    /// <summary>The session's user: the claims an API-key or bearer request carries, with standard name and role claim types.</summary>
    internal static ClaimsPrincipal Principal(string name, IEnumerable<string> roles, string actor, string method, string? keyId)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.Name, name),
            new(ClaimTypes.NameIdentifier, actor),
            new(CiafClaimTypes.Actor, actor),
            new(CiafClaimTypes.Method, method),
        };
        claims.AddRange(roles.Where(AccessRoles.IsKnown).Distinct(StringComparer.Ordinal).Select(r => new Claim(ClaimTypes.Role, r)));
        if (keyId is not null) claims.Add(new Claim(CiafClaimTypes.KeyId, keyId));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, CookieScheme, ClaimTypes.Name, ClaimTypes.Role));
    }

    internal static void ConfigureCookie(CookieAuthenticationOptions options)
    {
        options.Cookie.Name = CookieName;
        options.Cookie.HttpOnly = true;
        options.Cookie.SameSite = SameSiteMode.Strict;
        options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        options.Cookie.Path = DashboardPaths.Root;
        options.LoginPath = DashboardPaths.SignIn;
        options.LogoutPath = DashboardPaths.SignOut;
        options.ExpireTimeSpan = SessionLifetime;
        options.SlidingExpiration = true;
        options.Events = new CookieAuthenticationEvents
        {
            OnValidatePrincipal = ValidateApiKeySessionAsync,
            // Only the dashboard's own pages send a browser to the sign-in page (the cookie is not even sent elsewhere):
            // anything else outside /api (/readyz, /openapi, /api-reference) answers as the API does, 401 with a problem.
            OnRedirectToLogin = context => IsDashboard(context.Request)
                ? Redirect(context)
                : context.HttpContext.ChallengeAsync(CiafAuthenticationSchemes.ApiKey),
            // A signed-in user without the right gets a 403 page here, not a redirect to a page that would say 200.
            OnRedirectToAccessDenied = async context =>
            {
                if (!IsDashboard(context.Request))
                {
                    await context.HttpContext.ForbidAsync(CiafAuthenticationSchemes.ApiKey).ConfigureAwait(false);
                    return;
                }
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                var page = await DashboardResults.ErrorAsync(context.HttpContext, StatusCodes.Status403Forbidden, "Not allowed",
                    "Your role does not include this page. The audit trail is for auditors and admins; ask an admin for an auditor key.").ConfigureAwait(false);
                await page.ExecuteAsync(context.HttpContext).ConfigureAwait(false);
            },
        };
    }

    private static bool IsDashboard(HttpRequest request) => request.Path.StartsWithSegments(DashboardPaths.Root);

    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    // A session from an API key ends when the key stops working (revoked, expired), in every process that serves the store.
    private static async Task ValidateApiKeySessionAsync(CookieValidatePrincipalContext context)
    {
        if (context.Principal?.FindFirst(CiafClaimTypes.KeyId)?.Value is not { } keyId) return;
        var storage = context.HttpContext.RequestServices.GetRequiredService<MetadataStorage>();
        var keys = await storage.ApiKeys.ListAsync(context.HttpContext.RequestAborted).ConfigureAwait(false);
        var status = keys.FirstOrDefault(k => k.Id == keyId)?.StatusAt((context.Options.TimeProvider ?? TimeProvider.System).GetUtcNow()) ?? ApiKeyStatus.Unknown;
        if (status == ApiKeyStatus.Active) return;
        context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DashboardAuthentication))
            .LogInformation("Ended the dashboard session of API key {KeyId}: the key is {Status}", keyId, status);
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(CookieScheme).ConfigureAwait(false);
    }
}
