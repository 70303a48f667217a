using System.Text.Json;
using Ciaf.Metadata;
using Ciaf.Metadata.Search;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace Ciaf.Server.Problems;

/// <summary>
/// Turns an exception escaping an endpoint into RFC 9457 problem details: bad input is 400 with the message (which names
/// the field and the rule), an oversized body 413, an operation the store cannot do 409; anything else is a 500 that
/// says only that it happened and its trace id — the exception is logged, never sent.
/// </summary>
internal sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = ToProblem(exception);
        if (problem.Status == StatusCodes.Status500InternalServerError)
        {
            logger.LogError(exception, "Unhandled error in {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
        }
        else if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            return true;
        }
        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        }).ConfigureAwait(false);
    }

    internal static ProblemDetails ToProblem(Exception exception) => exception switch
    {
        RequestProblemException p => p.ToProblem(),
        BadHttpRequestException b => Problem(b.StatusCode, b.StatusCode == StatusCodes.Status413PayloadTooLarge
            ? "The request body is larger than this server accepts." : b.Message),
        FilterSyntaxException f => Problem(StatusCodes.Status400BadRequest, f.Message, "filter"),
        MetadataValidationException v => Problem(StatusCodes.Status400BadRequest, v.Message, "metadata"),
        JsonException j => Problem(StatusCodes.Status400BadRequest, "The body is not valid JSON: " + j.Message, "body"),
        ArgumentException a => Problem(StatusCodes.Status400BadRequest, a.Message, a.ParamName),
        KeyNotFoundException k => Problem(StatusCodes.Status404NotFound, k.Message),
        NotSupportedException n => Problem(StatusCodes.Status409Conflict, n.Message),
        InvalidOperationException i => Problem(StatusCodes.Status409Conflict, i.Message),
        OperationCanceledException => Problem(499, "The request was cancelled."),
        _ => Problem(StatusCodes.Status500InternalServerError, "An unexpected error occurred; the server's log has the details under this request's trace id."),
    };

    private static ProblemDetails Problem(int status, string detail, string? field = null)
    {
        var problem = new ProblemDetails { Status = status, Detail = detail };
        if (field is not null) problem.Extensions["field"] = field;
        return problem;
    }
}
