using System.Text.Json;
using System.Text.Json.Nodes;
using Ciaf.Server.Problems;

namespace Ciaf.Server.Api;

/// <summary>Reads a request body as JSON: it must say <c>application/json</c> and parse; otherwise 415 or 400.</summary>
internal static class JsonBody
{
    /// <summary>Deeper nesting than this is refused (the library refuses deeper metadata anyway).</summary>
    public const int MaxDepth = 128;

    public static async Task<JsonNode> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType())
            throw new RequestProblemException(StatusCodes.Status415UnsupportedMediaType, "Send the body as application/json.", "Content-Type");
        JsonNode? node;
        try
        {
            node = await JsonNode.ParseAsync(request.Body, documentOptions: new JsonDocumentOptions { MaxDepth = MaxDepth }, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw RequestProblemException.BadRequest("body", $"The body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).");
        }
        return node ?? throw RequestProblemException.BadRequest("body", "The body is JSON null.");
    }
}
