using Ciaf.Server.Authentication;

namespace Ciaf.Server.Hosting;

/// <summary>Who a request is, for the audit trail, the rate limiter and the request log.</summary>
internal static class Identity
{
    /// <summary>The acting user (<see cref="CiafClaimTypes.Actor"/>), or <c>null</c> for an anonymous request.</summary>
    public static string? Actor(HttpContext context) =>
        context.User.Identity?.IsAuthenticated == true ? context.User.FindFirst(CiafClaimTypes.Actor)?.Value : null;

    /// <summary>The rate limiter's partition: the actor, else the client's address (so unauthenticated guessing is limited too).</summary>
    public static string PartitionKey(HttpContext context) =>
        Actor(context) ?? "address:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
}
