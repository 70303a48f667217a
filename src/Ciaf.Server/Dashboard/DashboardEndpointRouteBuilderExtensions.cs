using Ciaf.Server.Dashboard.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Ciaf.Server.Dashboard;

/// <summary>Maps the dashboard's pages under <see cref="DashboardPaths.Root"/>.</summary>
public static class DashboardEndpointRouteBuilderExtensions
{
    /// <summary>Maps sign-in and sign-out, the pages, the style sheet, and <c>/</c> → the dashboard.</summary>
    public static IEndpointRouteBuilder MapCiafDashboard(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var options = endpoints.ServiceProvider.GetRequiredService<CiafServerOptions>();
        endpoints.MapGet("/", () => TypedResults.Redirect(DashboardPaths.Root)).AllowAnonymous().ExcludeFromDescription();
        DashboardStyleSheet.Map(endpoints);
        SignInEndpoints.Map(endpoints, options);
        DashboardPageEndpoints.Map(endpoints);
        return endpoints;
    }
}
