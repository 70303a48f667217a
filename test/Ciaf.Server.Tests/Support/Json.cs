using System.Net.Http.Headers;
using System.Text;

namespace Ciaf.Server.Tests.Support;

/// <summary>Request bodies.</summary>
public static class Json
{
    /// <summary>JSON text as an application/json body.</summary>
    public static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>An empty body with no content type.</summary>
    public static ByteArrayContent Empty()
    {
        var content = new ByteArrayContent([]);
        content.Headers.ContentType = null;
        return content;
    }

    /// <summary>Sends a request with a method, path and optional JSON body.</summary>
    public static Task<HttpResponseMessage> SendAsync(HttpClient client, string method, string path, string? body = null)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null) request.Content = Body(body);
        return client.SendAsync(request);
    }

    /// <summary>The media type of a response.</summary>
    public static string? MediaType(HttpResponseMessage response) => response.Content.Headers.ContentType?.MediaType;

    internal static MediaTypeHeaderValue ProblemType { get; } = new("application/problem+json");
}
