using System.Security.Claims;
using Ciaf.Metadata.Access;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Ciaf.Server.Dashboard.Authentication;

/// <summary>
/// Configures the dashboard's OIDC sign-in: authorization code flow with PKCE at the bearer tokens' authority; the ID
/// token's name and role claims (<see cref="JwtSettings"/>) become the session's user, as
/// <see cref="DashboardAuthentication.Principal"/> builds it for an API key. A user with no CIAF role is refused.
/// </summary>
internal static class OidcSignInSetup
{
    public static void Configure(OpenIdConnectOptions options, OidcSignInSettings settings, JwtSettings jwt)
    {
        var authority = new Uri(jwt.Authority!);
        options.Authority = jwt.Authority;
        // Discovery over plain http only on loopback (a local identity provider in development), as for bearer tokens.
        options.RequireHttpsMetadata = !(authority.Scheme == Uri.UriSchemeHttp && authority.IsLoopback);
        options.ClientId = settings.ClientId;
        options.ClientSecret = string.IsNullOrEmpty(settings.ClientSecret) ? null : settings.ClientSecret;
        options.ResponseType = OpenIdConnectResponseType.Code;
        options.UsePkce = true;
        options.SaveTokens = false;
        options.MapInboundClaims = false;
        options.CallbackPath = DashboardPaths.OidcCallback;
        options.SignInScheme = DashboardAuthentication.CookieScheme;
        options.Scope.Clear();
        options.Scope.Add(OpenIdConnectScope.OpenId);
        foreach (string scope in settings.Scopes) options.Scope.Add(scope);
        options.TokenValidationParameters.NameClaimType = jwt.NameClaim;
        options.TokenValidationParameters.RoleClaimType = jwt.RoleClaim;
        if (!string.IsNullOrWhiteSpace(jwt.Issuer)) options.TokenValidationParameters.ValidIssuer = jwt.Issuer;
        options.Events = new OpenIdConnectEvents
        {
            OnTokenValidated = context =>
            {
                var identity = context.Principal?.Identity as ClaimsIdentity;
                string? name = identity?.FindFirst(jwt.NameClaim)?.Value;
                var roles = identity?.FindAll(jwt.RoleClaim).Select(c => c.Value).Where(AccessRoles.IsKnown).ToList() ?? [];
                if (string.IsNullOrWhiteSpace(name) || name.Any(char.IsControl))
                {
                    context.Fail($"The ID token has no usable '{jwt.NameClaim}' claim naming the user.");
                    return Task.CompletedTask;
                }
                if (roles.Count == 0)
                {
                    context.Fail($"The ID token's '{jwt.RoleClaim}' claim holds no CIAF role ({string.Join(", ", AccessRoles.All)}).");
                    return Task.CompletedTask;
                }
                context.Principal = DashboardAuthentication.Principal(name, roles, "oidc:" + name, "oidc", keyId: null);
                // Land on a same-site page first: a SameSite=Strict cookie set at the end of a cross-site redirect chain
                // is not sent on the next hop of that chain (see SignInEndpoints.SignedIn).
                context.Properties!.RedirectUri = SignInEndpoints.SignedInUrl(context.Properties.RedirectUri);
                return Task.CompletedTask;
            },
            // The provider's or the handler's reason goes to the log, not into a URL a page would show.
            OnRemoteFailure = context =>
            {
                context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(OidcSignInSetup))
                    .LogWarning("OIDC sign-in failed: {Reason}", context.Failure?.Message);
                context.HandleResponse();
                context.Response.Redirect(SignInEndpoints.OidcFailedUrl);
                return Task.CompletedTask;
            },
        };
    }
}
