using Ciaf.Metadata;
using Ciaf.Server.Api;
using Ciaf.Server.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ciaf.Server.Hosting;

/// <summary>The server's request pipeline and its endpoints.</summary>
public static class CiafServerApplicationExtensions
{
    /// <summary>Where the JSON API lives.</summary>
    public const string ApiPrefix = "/api/v1";

    /// <summary>The OpenAPI document's name: it is served at <c>/openapi/v1.json</c>.</summary>
    public const string OpenApiDocument = "v1";

    /// <summary>Where the browsable API reference is.</summary>
    public const string ReferencePath = "/api-reference";

    /// <summary>
    /// Adds the middleware every request goes through, in order: forwarded headers (when configured: the client's address
    /// and scheme as a known proxy saw them, before anything reads them), request log, problem details for exceptions and
    /// empty error responses, security headers, the body limit, CORS (when configured), authentication, the per-identity
    /// rate limiter, authorization, and the acting user (the identity the store's audit trail records). Endpoints come after.
    /// </summary>
    public static WebApplication UseCiafServer(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = app.Services.GetRequiredService<CiafServerOptions>();
        var storage = app.Services.GetRequiredService<MetadataStorage>();
        long bodyLimit = options.EffectiveMaxRequestBodyBytes(storage.MaxMetadataBytes);
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(CiafServer));
        log.Log(options.DataProtectionKeysPath is null && !storage.ServerKeyRing.IsAvailable ? LogLevel.Warning : LogLevel.Information,
            "Session key ring (dashboard cookies, anti-forgery tokens): {Where}", DataProtectionSetup.Describe(options));

        if (options.ForwardedHeaders.Enabled) app.UseForwardedHeaders();
        app.UseMiddleware<RequestLogMiddleware>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<SecurityHeadersMiddleware>();
        app.Use((context, next) => BodyLimit.Apply(context, next, bodyLimit));
        app.UseRouting();
        if (options.CorsOrigins.Count > 0) app.UseCors();
        app.UseAuthentication();
        if (options.RateLimit.Enabled) app.UseRateLimiter();
        app.UseAuthorization();
        app.Use(async (context, next) =>
        {
            if (Identity.Actor(context) is not { } actor)
            {
                await next(context).ConfigureAwait(false);
                return;
            }
            using (storage.ActingAs(actor))
            {
                await next(context).ConfigureAwait(false);
            }
        });
        return app;
    }

    /// <summary>Maps <c>/healthz</c>, <c>/readyz</c> and the JSON API under <see cref="ApiPrefix"/>.</summary>
    public static IEndpointRouteBuilder MapCiafApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        HealthEndpoints.Map(endpoints);
        endpoints.MapOpenApi().RequireAuthorization(CiafPolicies.Read);
        ApiReferencePage.Map(endpoints, ReferencePath, OpenApiDocument);
        var api = endpoints.MapGroup(ApiPrefix);
        RecordEndpoints.Map(api);
        ModelEndpoints.Map(api);
        ComplianceEndpoints.Map(api);
        ExportEndpoints.Map(api);
        LedgerEndpoints.Map(api);
        AuditEndpoints.Map(api);
        RetentionEndpoints.Map(api);
        BackendEndpoints.Map(api);
        return endpoints;
    }
}
