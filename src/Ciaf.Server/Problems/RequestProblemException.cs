using Microsoft.AspNetCore.Mvc;

namespace Ciaf.Server.Problems;

/// <summary>A request the server refuses, with the status, the message and the field at fault; becomes problem details.</summary>
/// <param name="status">The HTTP status (400, 404, 409, 413, ...).</param>
/// <param name="detail">What is wrong, naming the value and the rule.</param>
/// <param name="field">The field, query parameter or route value at fault, if one is.</param>
internal sealed class RequestProblemException(int status, string detail, string? field = null) : Exception(detail)
{
    public int Status { get; } = status;

    public string? Field { get; } = field;

    public static RequestProblemException BadRequest(string field, string detail) => new(StatusCodes.Status400BadRequest, detail, field);

    public static RequestProblemException NotFound(string detail) => new(StatusCodes.Status404NotFound, detail);

    public ProblemDetails ToProblem()
    {
        var problem = new ProblemDetails { Status = Status, Detail = Message };
        if (Field is not null) problem.Extensions["field"] = Field;
        return problem;
    }
}
