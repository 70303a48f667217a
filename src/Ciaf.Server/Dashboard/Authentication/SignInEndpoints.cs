using Ciaf.Metadata;
using Ciaf.Metadata.Access;
using Ciaf.Server.Authorization;
using Ciaf.Server.Dashboard.Pages;
using Ciaf.Server.Dashboard.Views;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;

namespace Ciaf.Server.Dashboard.Authentication;

/// <summary>
/// Sign-in with an API key (a form: the key is checked as an <c>X-API-Key</c> header would be, then a session cookie
/// carries the identity), OIDC sign-in (when configured), and sign-out. The key itself is never logged nor kept.
/// </summary>
internal static class SignInEndpoints
{
    /// <summary>The API key field of the sign-in form.</summary>
    public const string KeyField = "api_key";

    /// <summary>The return URL field of the sign-in form.</summary>
    public const string ReturnField = "return_url";

    /// <summary>Where a failed OIDC sign-in lands.</summary>
    public const string OidcFailedUrl = DashboardPaths.SignIn + "?error=oidc";

    private const string ReturnQuery = "ReturnUrl";

    public static void Map(IEndpointRouteBuilder endpoints, CiafServerOptions options)
    {
        endpoints.MapGet(DashboardPaths.SignIn, (HttpContext context, string? error) =>
                SignInPage(context, ReturnUrl(context), error == "oidc" ? "OIDC sign-in did not complete. Try again, or sign in with an API key." : null,
                    options, StatusCodes.Status200OK))
            .AllowAnonymous()
            .ExcludeFromDescription();

        endpoints.MapPost(DashboardPaths.SignIn, async Task<IResult> (HttpContext context, MetadataStorage storage, ILoggerFactory logs) =>
            {
                if (await DashboardForms.ReadValidatedAsync(context).ConfigureAwait(false) is not { } form)
                    return await DashboardForms.RefusedAsync(context).ConfigureAwait(false);
                string returnUrl = DashboardPaths.LocalOrRoot(DashboardForms.Field(form, ReturnField));
                string? key = DashboardForms.Field(form, KeyField);
                var log = logs.CreateLogger(typeof(SignInEndpoints));
                if (key is null) return SignInPage(context, returnUrl, "Enter an API key.", options, StatusCodes.Status400BadRequest);
                var check = await storage.ApiKeys.CheckAsync(key, context.RequestAborted).ConfigureAwait(false);
                if (check.Status != ApiKeyStatus.Active)
                {
                    log.LogInformation("Dashboard sign-in refused: {Status} API key {KeyId}", check.Status, check.Key?.Id);
                    string why = check.Status switch
                    {
                        ApiKeyStatus.Expired => "This API key has expired.",
                        ApiKeyStatus.Revoked => "This API key has been revoked.",
                        _ => "This is not a valid API key.",
                    };
                    return SignInPage(context, returnUrl, why + " Ask an admin for a key (ciaf apikey create NAME --role reader).", options, StatusCodes.Status401Unauthorized);
                }
                var info = check.Key!;
                var principal = DashboardAuthentication.Principal(info.Name, [info.Role], "apikey:" + info.Name, "apikey", info.Id);
                var expires = DateTimeOffset.UtcNow + DashboardAuthentication.SessionLifetime;
                if (info.ExpiresAt is { } keyExpires && keyExpires < expires) expires = keyExpires;
                await context.SignInAsync(DashboardAuthentication.CookieScheme, principal,
                    new AuthenticationProperties { IsPersistent = false, ExpiresUtc = expires }).ConfigureAwait(false);
                log.LogInformation("Dashboard sign-in: API key {KeyId} ({Name}, {Role})", info.Id, info.Name, info.Role);
                return TypedResults.Redirect(returnUrl);
            })
            .AllowAnonymous()
            .ExcludeFromDescription();

        endpoints.MapGet(DashboardPaths.SignInOidc, (HttpContext context) =>
                options.Oidc.Enabled
                    ? Results.Challenge(new AuthenticationProperties { RedirectUri = ReturnUrl(context) }, [DashboardAuthentication.OidcScheme])
                    : Results.NotFound())
            .AllowAnonymous()
            .ExcludeFromDescription();

        // An OIDC sign-in ends with a cross-site redirect chain (provider → callback → here); a SameSite=Strict cookie is
        // not sent along it. This page is a fresh same-site navigation (a meta refresh, no script) that carries it.
        endpoints.MapGet(DashboardPaths.SignedIn, (string? to) =>
                new RazorComponentResult<SignedInPage>(new Dictionary<string, object?> { ["Target"] = DashboardPaths.LocalOrRoot(to) }))
            .AllowAnonymous()
            .ExcludeFromDescription();

        endpoints.MapPost(DashboardPaths.SignOut, async Task<IResult> (HttpContext context, ILoggerFactory logs) =>
            {
                if (await DashboardForms.ReadValidatedAsync(context).ConfigureAwait(false) is null)
                    return await DashboardForms.RefusedAsync(context).ConfigureAwait(false);
                await context.SignOutAsync(DashboardAuthentication.CookieScheme).ConfigureAwait(false);
                logs.CreateLogger(typeof(SignInEndpoints)).LogInformation("Dashboard sign-out: {User}", context.User.Identity?.Name);
                return TypedResults.Redirect(DashboardPaths.SignIn);
            })
            .RequireAuthorization(CiafPolicies.Read)
            .ExcludeFromDescription();
    }

    /// <summary>The landing page after an OIDC sign-in, then <paramref name="returnUrl"/>.</summary>
    public static string SignedInUrl(string? returnUrl) =>
        QueryHelpers.AddQueryString(DashboardPaths.SignedIn, "to", DashboardPaths.LocalOrRoot(returnUrl));

    private static string ReturnUrl(HttpContext context) => DashboardPaths.LocalOrRoot(context.Request.Query[ReturnQuery].FirstOrDefault());

    private static RazorComponentResult<SignInPage> SignInPage(HttpContext context, string returnUrl, string? error, CiafServerOptions options, int statusCode) =>
        new(new Dictionary<string, object?>
        {
            ["Model"] = new SignInView(returnUrl, error, options.Oidc.Enabled, DashboardResults.FormToken(context)),
        })
        { StatusCode = statusCode };
}
