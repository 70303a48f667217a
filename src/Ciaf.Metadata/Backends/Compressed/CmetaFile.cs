using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Metadata.Backends.Compressed;

/// <summary>
/// Reads a <c>.cmeta</c> file of the reference's <c>CompressedMetadataStorage</c> (<c>compressed_json</c> backend):
/// a 4-byte little-endian header length N (<c>struct.pack("I", N)</c>), N bytes of header JSON
/// (<c>json.dumps(header, separators=(",", ":"))</c>: <c>id, model_name, model_version, stage, event_type,
/// timestamp, metadata_hash, details, compression_type, serialization_type, uncompressed_size, compressed_size</c>),
/// then the compressed metadata (see <see cref="ReferencePayload"/>) to the end of the file.
/// </summary>
internal static class CmetaFile
{
    /// <summary>The record in a <c>.cmeta</c> file, exactly as the reference's <c>get_metadata</c> returns it (less its storage fields).</summary>
    /// <exception cref="FormatException">The file is truncated, its header is not the reference's, or its payload cannot be read.</exception>
    public static MetadataRecord Read(ReadOnlySpan<byte> content, long maxMetadataBytes)
    {
        if (content.Length < 4) throw new FormatException("the file is shorter than its 4-byte header length");
        uint headerLength = BinaryPrimitives.ReadUInt32LittleEndian(content);
        if (headerLength > content.Length - 4) throw new FormatException($"the header length {headerLength} runs past the end of the file ({content.Length} bytes)");
        JsonObject header;
        try
        {
            header = PythonJson.Parse(content.Slice(4, (int)headerLength)) as JsonObject ?? throw new FormatException("the header is not a JSON object");
        }
        catch (JsonException ex)
        {
            throw new FormatException("the header is not valid JSON: " + ex.Message, ex);
        }
        byte[] payload = content[(4 + (int)headerLength)..].ToArray();
        if (OptionalLong(header, "compressed_size") is { } compressedSize && compressedSize != payload.Length)
        {
            throw new FormatException($"the payload is {payload.Length} bytes, not the {compressedSize} its header declares (truncated?)");
        }
        var metadata = ReferencePayload.Decode(payload,
            RequiredString(header, "compression_type"), RequiredString(header, "serialization_type"),
            OptionalLong(header, "uncompressed_size"), maxMetadataBytes);
        var fields = new JsonObject();
        foreach (var name in (ReadOnlySpan<string>)["id", "model_name", "model_version", "stage", "event_type", "timestamp", "metadata_hash", "details"])
        {
            if (header.TryGetPropertyValue(name, out var value)) fields[name] = value?.DeepClone();
        }
        fields["metadata"] = metadata;
        return RecordJson.FromOwnedJsonObject(fields);
    }

    private static string RequiredString(JsonObject obj, string name) =>
        obj[name] is JsonValue v && v.TryGetValue(out string? s) ? s : throw new FormatException($"the header's '{name}' is missing or not a string");

    private static long? OptionalLong(JsonObject obj, string name) =>
        obj[name] switch
        {
            null => null,
            JsonValue v when v.TryGetValue(out long n) => n,
            JsonValue v when v.GetValueKind() == JsonValueKind.Number && long.TryParse(v.ToJsonString(), out long parsed) => parsed,
            _ => throw new FormatException($"the header's '{name}' is not an integer"),
        };
}
