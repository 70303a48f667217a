using Ciaf.Metadata.Access;
using Ciaf.Server.Authentication;
using Ciaf.Server.Authorization;
using Ciaf.Server.Dashboard.Pages;
using Ciaf.Server.Dashboard.Views;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;

namespace Ciaf.Server.Dashboard;

/// <summary>Renders dashboard pages (Razor components, on the server, as whole HTML documents).</summary>
internal static class DashboardResults
{
    /// <summary><typeparamref name="TPage"/> showing <paramref name="model"/> to the signed-in user, with <paramref name="statusCode"/>.</summary>
    public static async Task<RazorComponentResult<TPage>> PageAsync<TPage, TModel>(HttpContext context, TModel model, string section,
        int statusCode = StatusCodes.Status200OK)
        where TPage : DashboardPage<TModel>
    {
        var chrome = await ChromeAsync(context, section).ConfigureAwait(false);
        return new RazorComponentResult<TPage>(new Dictionary<string, object?> { ["Model"] = model, ["Chrome"] = chrome }) { StatusCode = statusCode };
    }

    /// <summary>An error page (404, 400, 403) with a title and a sentence saying what to do.</summary>
    public static async Task<RazorComponentResult<ErrorPage>> ErrorAsync(HttpContext context, int statusCode, string title, string message) =>
        await PageAsync<ErrorPage, ErrorView>(context, new ErrorView(statusCode, title, message), section: string.Empty, statusCode).ConfigureAwait(false);

    /// <summary>The anti-forgery field for this request's forms (the token cookie is set on the response).</summary>
    public static FormToken FormToken(HttpContext context)
    {
        var tokens = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
        return new FormToken(tokens.FormFieldName, tokens.RequestToken!);
    }

    private static async Task<DashboardChrome> ChromeAsync(HttpContext context, string section)
    {
        var user = context.User;
        var authorization = context.RequestServices.GetRequiredService<IAuthorizationService>();
        bool canAudit = user.Identity?.IsAuthenticated == true
            && (await authorization.AuthorizeAsync(user, CiafPolicies.Audit).ConfigureAwait(false)).Succeeded;
        return new DashboardChrome(
            user.Identity?.Name ?? string.Empty,
            user.FindFirst(CiafClaimTypes.Actor)?.Value ?? string.Empty,
            [.. user.Identities.SelectMany(i => i.FindAll(i.RoleClaimType)).Select(c => c.Value).Where(AccessRoles.IsKnown).Distinct(StringComparer.Ordinal)],
            canAudit,
            FormToken(context),
            section);
    }
}
