using Microsoft.AspNetCore.Http.Features;

namespace Ciaf.Server.Hosting;

/// <summary>
/// The request body limit: a declared length over it is refused at once with 413; a body without one is cut off by the
/// server's own limit (Kestrel answers 413 when it is read past the limit).
/// </summary>
internal static class BodyLimit
{
    public static Task Apply(HttpContext context, RequestDelegate next, long limit)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature) feature.MaxRequestBodySize = limit;
        if (context.Request.ContentLength > limit)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return Task.CompletedTask;
        }
        return next(context);
    }
}
