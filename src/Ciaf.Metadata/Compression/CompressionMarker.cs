using System.Text.Json;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Metadata.Compression;

/// <summary>
/// What the SQLite backend writes in <c>metadata.metadata_json</c> for a compressed record:
/// <c>{"$ciaf_compressed": "zstd", "size": N}</c>, N being the byte length of the metadata's compact JSON, whose
/// compressed bytes are in <c>ciaf_metadata_blobs.payload</c> under the same id. Valid JSON, so <c>json_extract</c> and
/// the reference still read the row (they see the marker, not the metadata).
/// </summary>
/// <remarks>
/// A row is compressed only when its <c>metadata_json</c> is a marker <em>and</em> a blob row exists: metadata a user
/// saved that happens to look like a marker, with no blob, is read as the plain metadata it is.
/// </remarks>
internal static class CompressionMarker
{
    /// <summary>The marker's first key.</summary>
    public const string Key = "$ciaf_compressed";

    /// <summary>The first characters of every marker (<c>{"$ciaf_compressed":</c>), which SQL can test without parsing JSON.</summary>
    public const string Prefix = "{\"" + Key + "\":";

    /// <summary>The marker text for a payload of <paramref name="codec"/> that expands to <paramref name="size"/> bytes.</summary>
    public static string Create(string codec, long size) =>
        PythonJson.Serialize(new JsonObject { [Key] = codec, ["size"] = size }, PythonJsonStyle.Compact);

    /// <summary>Reads a marker: exactly the keys <c>$ciaf_compressed</c> (a string) and <c>size</c> (a non-negative integer).</summary>
    public static bool TryParse(string text, out string codec, out long size)
    {
        codec = string.Empty;
        size = 0;
        if (!text.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || root.EnumerateObject().Count() != 2) return false;
            if (!root.TryGetProperty(Key, out var c) || c.ValueKind != JsonValueKind.String) return false;
            if (!root.TryGetProperty("size", out var s) || !s.TryGetInt64(out size) || size < 0) return false;
            codec = c.GetString()!;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
