using Ciaf.Server.Authentication;
using Microsoft.AspNetCore.Http;

namespace Ciaf.Server.Problems;

/// <summary>What every problem document carries: the request path as <c>instance</c>, a trace id, and for a 401 why.</summary>
internal static class ProblemDetailsShape
{
    public static void Customize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        var http = context.HttpContext;
        problem.Instance ??= http.Request.Path;
        problem.Extensions["trace_id"] = System.Diagnostics.Activity.Current?.Id ?? http.TraceIdentifier;
        problem.Extensions.Remove("traceId");
        if (problem.Detail is null)
        {
            problem.Detail = http.Response.StatusCode switch
            {
                StatusCodes.Status401Unauthorized => AuthenticationFailure.Get(http)
                    ?? $"Authentication required: send an API key in the {CiafAuthenticationSchemes.ApiKeyHeader} header (or a bearer token).",
                StatusCodes.Status403Forbidden => "Your role does not allow this request.",
                StatusCodes.Status404NotFound => "No such resource.",
                StatusCodes.Status405MethodNotAllowed => $"{http.Request.Method} is not allowed here.",
                StatusCodes.Status413PayloadTooLarge => "The request body is larger than this server accepts.",
                StatusCodes.Status429TooManyRequests => "Too many requests: wait for the time in Retry-After, then try again.",
                _ => null,
            };
        }
    }
}
