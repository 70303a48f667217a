namespace Ciaf.Server;

/// <summary>
/// The names the server's telemetry is published under: ASP.NET Core's own meters and activity source (the standard
/// instrumentation names, so any OpenTelemetry setup that knows ASP.NET Core picks them up), next to the library's
/// <c>Ciaf.Metadata</c>. <c>ciaf serve</c> exports them with the library's when <c>metrics_endpoint</c> is set.
/// </summary>
public static class CiafServerTelemetry
{
    /// <summary>ASP.NET Core's meters: request duration and active requests, Kestrel connections, authentication, authorization, rate limiting.</summary>
    public static IReadOnlyList<string> MeterNames { get; } =
    [
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.Authentication",
        "Microsoft.AspNetCore.Authorization",
        "Microsoft.AspNetCore.RateLimiting",
        "Microsoft.AspNetCore.Diagnostics",
    ];

    /// <summary>ASP.NET Core's activity source (one span per request, <c>http.server.request</c>).</summary>
    public const string ActivitySourceName = "Microsoft.AspNetCore";
}
