using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ciaf.Server.Dashboard;

/// <summary>
/// Reads a dashboard form post only after its anti-forgery token checks out (the token field must match the
/// anti-forgery cookie and the signed-in user). Every dashboard form goes through here; the API takes no forms.
/// </summary>
internal static class DashboardForms
{
    /// <summary>The posted form, or <c>null</c> when it is not a form or its anti-forgery token is missing or wrong.</summary>
    public static async Task<IFormCollection?> ReadValidatedAsync(HttpContext context)
    {
        if (!context.Request.HasFormContentType) return null;
        try
        {
            await context.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(context).ConfigureAwait(false);
        }
        catch (AntiforgeryValidationException e)
        {
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DashboardForms))
                .LogWarning("Refused a dashboard form post to {Path}: {Reason}", context.Request.Path, e.Message);
            return null;
        }
        return await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The 400 page for a refused form.</summary>
    public static Task<RazorComponentResult<Pages.ErrorPage>> RefusedAsync(HttpContext context) =>
        DashboardResults.ErrorAsync(context, StatusCodes.Status400BadRequest, "Form not accepted",
            "The form's anti-forgery token is missing or does not match this browser's session. Reload the page and send it again.");

    /// <summary>One text field of the form (trimmed), or <c>null</c> when absent or empty.</summary>
    public static string? Field(IFormCollection form, string name) =>
        form.TryGetValue(name, out var values) && values.Count == 1 && values[0] is { } value && value.Trim() is { Length: > 0 } trimmed ? trimmed : null;
}
