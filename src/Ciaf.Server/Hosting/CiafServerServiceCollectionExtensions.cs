using System.Threading.RateLimiting;
using Ciaf.Server.Authentication;
using Ciaf.Server.Authorization;
using Ciaf.Server.Problems;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;

namespace Ciaf.Server.Hosting;

/// <summary>Registers the server's services: the store, authentication, authorization, problem details, rate limiting, CORS, forwarded headers.</summary>
public static class CiafServerServiceCollectionExtensions
{
    /// <summary>
    /// Registers everything the API needs (the pipeline is <see cref="CiafServerApplicationExtensions.UseCiafServer"/>).
    /// A front end adds its own services after this call, and names its cookie scheme in
    /// <see cref="CiafServerOptions.BrowserScheme"/> so that pages outside <c>/api</c> authenticate with it.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid; the message names each configuration key at fault.</exception>
    public static IServiceCollection AddCiafServer(this IServiceCollection services, CiafServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid server configuration: " + string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value}")), nameof(options));
        }
        services.AddSingleton(options);
        services.AddSingleton(options.Storage);

        DataProtectionSetup.Configure(services, options);
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ProblemDetailsShape.Customize);
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.ConfigureHttpJsonOptions(o =>
        {
            // The API speaks the store's snake_case, enums as snake_case strings.
            o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.SnakeCaseLower));
        });

        var authentication = services.AddAuthentication(CiafAuthenticationSchemes.Default)
            .AddPolicyScheme(CiafAuthenticationSchemes.Default, "API key, bearer token or browser session",
                o => o.ForwardDefaultSelector = context => SelectScheme(context, options))
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(CiafAuthenticationSchemes.ApiKey, null);
        if (options.Jwt.Enabled)
        {
            authentication.AddJwtBearer(CiafAuthenticationSchemes.Bearer, o => JwtBearerSetup.Configure(o, options.Jwt));
        }
        services.AddAuthorization(CiafPolicies.AddTo);
        services.AddOpenApi(CiafServerApplicationExtensions.OpenApiDocument, OpenApiDocumentSetup.Configure);

        if (options.RateLimit.Enabled)
        {
            services.AddRateLimiter(o =>
            {
                o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
                o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                    RateLimitPartition.GetFixedWindowLimiter(Identity.PartitionKey(context), _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = options.RateLimit.Requests,
                        Window = options.RateLimit.Window,
                        QueueLimit = 0,
                    }));
                o.OnRejected = (context, _) =>
                {
                    if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                    {
                        context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    }
                    return ValueTask.CompletedTask;
                };
            });
        }
        if (options.ForwardedHeaders.Enabled)
        {
            services.Configure<ForwardedHeadersOptions>(options.ForwardedHeaders.Configure);
        }
        if (options.CorsOrigins.Count > 0)
        {
            services.AddCors(o => o.AddDefaultPolicy(p => p.WithOrigins([.. options.CorsOrigins])
                .WithHeaders(CiafAuthenticationSchemes.ApiKeyHeader, "Authorization", "Content-Type")
                .WithMethods("GET", "POST", "DELETE")));
        }
        return services;
    }

    /// <summary>Which scheme authenticates a request: the credentials it carries decide; pages may use the browser scheme.</summary>
    private static string SelectScheme(HttpContext context, CiafServerOptions options)
    {
        if (context.Request.Headers.ContainsKey(CiafAuthenticationSchemes.ApiKeyHeader)) return CiafAuthenticationSchemes.ApiKey;
        if (options.Jwt.Enabled && context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return CiafAuthenticationSchemes.Bearer;
        if (options.BrowserScheme is { } browser && !context.Request.Path.StartsWithSegments(CiafServerApplicationExtensions.ApiPrefix))
            return browser;
        return CiafAuthenticationSchemes.ApiKey;
    }
}
