using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Ciaf.Server.Hosting;

/// <summary>
/// One log line per request: method, path, status, duration and who made it (the actor, never a key, a token, a query
/// string or any other header).
/// </summary>
internal sealed partial class RequestLogMiddleware(RequestDelegate next, ILogger<RequestLogMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            Log(logger, context.Request.Method, context.Request.Path, context.Response.StatusCode,
                Stopwatch.GetElapsedTime(start).TotalMilliseconds, Identity.Actor(context) ?? "anonymous");
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Method} {Path} -> {Status} in {ElapsedMs:0.0} ms by {Actor}")]
    private static partial void Log(ILogger logger, string method, string path, int status, double elapsedMs, string actor);
}
