using Ciaf.Server.Dashboard.Authentication;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Ciaf.Server.Dashboard;

/// <summary>Registers the dashboard: Razor components rendered on the server, its cookie and OIDC sign-in, anti-forgery.</summary>
public static class DashboardServiceCollectionExtensions
{
    /// <summary>
    /// Registers the dashboard's services after <see cref="Hosting.CiafServerServiceCollectionExtensions.AddCiafServer"/>
    /// and names its cookie scheme as the server's <see cref="CiafServerOptions.BrowserScheme"/> (pages outside <c>/api</c>
    /// authenticate with it when a request carries no API key or bearer token).
    /// </summary>
    public static IServiceCollection AddCiafDashboard(this IServiceCollection services, CiafServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        options.BrowserScheme = DashboardAuthentication.CookieScheme;
        services.AddRazorComponents();
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = DashboardAuthentication.AntiforgeryCookieName;
            o.Cookie.Path = DashboardPaths.Root;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            // The server's own headers deny all framing (X-Frame-Options: DENY, frame-ancestors 'none').
            o.SuppressXFrameOptionsHeader = true;
        });
        services.AddSingleton<StoreVerifications>();
        var authentication = services.AddAuthentication().AddCookie(DashboardAuthentication.CookieScheme, DashboardAuthentication.ConfigureCookie);
        if (options.Oidc.Enabled)
        {
            authentication.AddOpenIdConnect(DashboardAuthentication.OidcScheme, "OIDC", o => OidcSignInSetup.Configure(o, options.Oidc, options.Jwt));
        }
        return services;
    }
}
