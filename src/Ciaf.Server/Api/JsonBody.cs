using System.Text.Json;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Hashing;
using Ciaf.Server.Problems;

namespace Ciaf.Server.Api;

/// <summary>Reads a request body as JSON: it must say <c>application/json</c> and parse; otherwise 415 or 400.</summary>
internal static class JsonBody
{
    public static async Task<JsonNode> ReadAsync(HttpRequest request, CancellationToken cancellationToken) =>
        Parse((await ReadBytesAsync(request, cancellationToken).ConfigureAwait(false)).Span);

    /// <summary>The body's bytes, once it says <c>application/json</c> (415 otherwise).</summary>
    public static async Task<ReadOnlyMemory<byte>> ReadBytesAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType())
            throw new RequestProblemException(StatusCodes.Status415UnsupportedMediaType, "Send the body as application/json.", "Content-Type");
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    /// <summary>
    /// Parses a body as Python reads JSON, as the library stores it: NaN and Infinity (json.dumps writes them) and lone
    /// surrogate escapes are kept, so a record built by the remote backend arrives exactly as it was hashed. 400 otherwise.
    /// </summary>
    public static JsonNode Parse(ReadOnlySpan<byte> body)
    {
        JsonNode? node;
        try
        {
            node = PythonJson.Parse(body);
        }
        catch (JsonException e)
        {
            throw RequestProblemException.BadRequest("body", $"The body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).");
        }
        return node ?? throw RequestProblemException.BadRequest("body", "The body is JSON null.");
    }

    /// <summary>
    /// Reads a JSON object body holding only <paramref name="fields"/>; anything else (another JSON value, an unknown
    /// field) is a 400 that shows <paramref name="shape"/>. With <paramref name="optional"/>, an empty body is <c>null</c>.
    /// </summary>
    public static async Task<JsonObject?> ReadObjectAsync(HttpRequest request, IReadOnlySet<string> fields, string what, string shape,
        bool optional, CancellationToken cancellationToken)
    {
        if (optional && request.ContentLength is null or 0 && request.Headers.TransferEncoding.Count == 0) return null;
        if (await ReadAsync(request, cancellationToken).ConfigureAwait(false) is not JsonObject body)
            throw RequestProblemException.BadRequest("body", $"The body must be {what}: {shape}{(optional ? ", or empty" : string.Empty)}.");
        RejectUnknownFields(body, fields, string.Empty, what);
        return body;
    }

    /// <summary>Refuses a field not in <paramref name="fields"/> (a typo would otherwise be dropped silently).</summary>
    public static void RejectUnknownFields(JsonObject o, IReadOnlySet<string> fields, string prefix, string what)
    {
        foreach (var (name, _) in o)
        {
            if (!fields.Contains(name))
                throw RequestProblemException.BadRequest(prefix + name, $"Unknown field '{prefix}{name}': {what} has {string.Join(", ", fields)}.");
        }
    }

    /// <summary>A string field, or <c>null</c> when absent or null; another type is a 400 naming <c>prefix + name</c>.</summary>
    public static string? String(JsonObject o, string name, string prefix = "")
    {
        var node = o[name];
        if (node is null) return null;
        if (node.GetValueKind() != JsonValueKind.String)
            throw RequestProblemException.BadRequest(prefix + name, $"'{prefix}{name}' must be a string, not {node.GetValueKind().ToString().ToLowerInvariant()}.");
        return node.GetValue<string>();
    }
}
