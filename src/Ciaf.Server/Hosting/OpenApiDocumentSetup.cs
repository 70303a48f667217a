using Ciaf.Server.Authentication;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Ciaf.Server.Hosting;

/// <summary>The OpenAPI document's title, and the API key as its security scheme (every operation needs one).</summary>
internal static class OpenApiDocumentSetup
{
    public static void Configure(OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "CIAF Metadata API",
                Version = "v1",
                Description = "Record, search, prove and audit AI/ML pipeline metadata. Send an API key in the X-API-Key header "
                    + "(ciaf apikey create NAME --role reader|writer|auditor|admin) or an OIDC bearer token. Errors are RFC 9457 problem details.",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[CiafAuthenticationSchemes.ApiKey] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = CiafAuthenticationSchemes.ApiKeyHeader,
                Description = "An API key from `ciaf apikey create`.",
            };
            document.Security ??= [];
            document.Security.Add(new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference(CiafAuthenticationSchemes.ApiKey, document)] = [],
            });
            return Task.CompletedTask;
        });
    }
}
