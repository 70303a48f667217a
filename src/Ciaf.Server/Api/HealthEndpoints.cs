using Ciaf.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Ciaf.Server.Api;

/// <summary><c>GET /healthz</c> (the process answers; anonymous) and <c>GET /readyz</c> (the store answers; any role).</summary>
internal static class HealthEndpoints
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", () => TypedResults.Ok(new Liveness("ok")))
            .AllowAnonymous()
            .WithName("Healthz")
            .WithSummary("Liveness: the process answers (no authentication).");
        endpoints.MapGet("/readyz", async Task<IResult> (MetadataStorage storage, ILoggerFactory logs, CancellationToken cancellationToken) =>
            {
                try
                {
                    // A round trip to the backend: the store's state (API keys) is what every authenticated request reads too.
                    await storage.ApiKeys.ListAsync(cancellationToken).ConfigureAwait(false);
                    return TypedResults.Ok(new Readiness("ready", storage.Backend));
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logs.CreateLogger(typeof(HealthEndpoints)).LogError(e, "Readiness check failed: the store did not answer");
                    return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, detail: "The store is not reachable.");
                }
            })
            .WithName("Readyz")
            .WithSummary("Readiness: the store is reachable.");
    }

    /// <summary>The liveness response.</summary>
    /// <param name="Status"><c>ok</c>.</param>
    internal sealed record Liveness(string Status);

    /// <summary>The readiness response.</summary>
    /// <param name="Status"><c>ready</c>.</param>
    /// <param name="Backend">The store's backend.</param>
    internal sealed record Readiness(string Status, string Backend);
}
