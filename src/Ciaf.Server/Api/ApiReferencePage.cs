using System.Net;
using System.Text;
using Ciaf.Server.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace Ciaf.Server.Api;

/// <summary>
/// The browsable API reference: one server-rendered HTML page built from the OpenAPI document — every operation with its
/// method, path, summary, parameters and responses. No script and no outside asset, so it works offline and under the
/// server's strict content security policy.
/// </summary>
internal static class ApiReferencePage
{
    private const string Style =
        "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d2433}"
        + "h2{border-bottom:1px solid #ccd;padding-bottom:.3rem;margin-top:2rem}code{background:#f2f3f7;padding:0 .25rem}"
        + ".op{margin:1rem 0;padding:.6rem .8rem;border:1px solid #dde;border-radius:6px}.m{font-weight:700;display:inline-block;width:4.5rem}"
        + "table{border-collapse:collapse;margin-top:.4rem}td,th{text-align:left;padding:.15rem .6rem .15rem 0;vertical-align:top}";

    public static void Map(IEndpointRouteBuilder endpoints, string path, string documentName)
    {
        endpoints.MapGet(path, async (HttpContext context, CancellationToken cancellationToken) =>
            {
                var provider = context.RequestServices.GetRequiredKeyedService<IOpenApiDocumentProvider>(documentName);
                var document = await provider.GetOpenApiDocumentAsync(cancellationToken).ConfigureAwait(false);
                // The page's one style sheet is inline; allow exactly it, and still no script at all.
                context.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
                return TypedResults.Content(Render(document, documentName), "text/html; charset=utf-8");
            })
            .RequireAuthorization(CiafPolicies.Read)
            .ExcludeFromDescription();
    }

    internal static string Render(OpenApiDocument document, string documentName)
    {
        var html = new StringBuilder();
        html.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(E(document.Info?.Title)).Append("</title><style>")
            .Append(Style).Append("</style></head><body><h1>").Append(E(document.Info?.Title)).Append("</h1><p>").Append(E(document.Info?.Description))
            .Append("</p><p>The machine-readable document: <a href=\"/openapi/").Append(E(documentName)).Append(".json\">/openapi/")
            .Append(E(documentName)).Append(".json</a>.</p>");
        var operations = (document.Paths ?? new OpenApiPaths())
            .SelectMany(p => (p.Value.Operations ?? []).Select(o => (Path: p.Key, Method: o.Key.ToString().ToUpperInvariant(), Operation: o.Value)))
            .GroupBy(o => o.Operation.Tags?.FirstOrDefault()?.Name ?? "Other");
        foreach (var group in operations)
        {
            html.Append("<h2>").Append(E(group.Key)).Append("</h2>");
            foreach (var (path, method, operation) in group)
            {
                html.Append("<div class=\"op\"><span class=\"m\">").Append(method).Append("</span><code>").Append(E(path)).Append("</code><p>")
                    .Append(E(operation.Summary)).Append("</p>");
                if (operation.Parameters is { Count: > 0 } parameters)
                {
                    html.Append("<table><tr><th>parameter</th><th>in</th><th>required</th></tr>");
                    foreach (var p in parameters)
                    {
                        html.Append("<tr><td><code>").Append(E(p.Name)).Append("</code></td><td>").Append(E(p.In?.ToString().ToLowerInvariant()))
                            .Append("</td><td>").Append(p.Required ? "yes" : "no").Append("</td></tr>");
                    }
                    html.Append("</table>");
                }
                if (operation.Responses is { Count: > 0 } responses)
                {
                    html.Append("<p>Responses: ").Append(string.Join(", ", responses.Keys.Select(E))).Append("</p>");
                }
                html.Append("</div>");
            }
        }
        return html.Append("</body></html>").ToString();
    }

    private static string E(string? text) => WebUtility.HtmlEncode(text ?? string.Empty);
}
