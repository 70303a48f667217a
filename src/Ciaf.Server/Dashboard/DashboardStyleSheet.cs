using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;

namespace Ciaf.Server.Dashboard;

/// <summary>
/// The dashboard's one style sheet (screen and print rules), embedded in the assembly and served by the server: nothing
/// inline, so the content security policy allows styles from this server only. Its URL carries a hash of its content,
/// so it may be cached for long.
/// </summary>
internal static class DashboardStyleSheet
{
    private static readonly Lazy<byte[]> Content = new(() =>
    {
        using var stream = typeof(DashboardStyleSheet).Assembly.GetManifestResourceStream("Ciaf.Server.Dashboard.dashboard.css")
            ?? throw new InvalidOperationException("The dashboard's style sheet is missing from the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    private static readonly Lazy<string> Version = new(() => Convert.ToHexStringLower(SHA256.HashData(Content.Value))[..12]);

    /// <summary>The style sheet's URL, with its content's hash.</summary>
    public static string Url => $"{DashboardPaths.StyleSheet}?v={Version.Value}";

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(DashboardPaths.StyleSheet, (HttpContext context) =>
            {
                context.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
                return TypedResults.Bytes(Content.Value, "text/css; charset=utf-8");
            })
            .AllowAnonymous()
            .ExcludeFromDescription();
    }
}
