using System.Text.Json;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Backends.Pickle;
using Ciaf.Metadata.Compression;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Metadata.Backends.Compressed;

/// <summary>
/// Decodes the metadata payload of the Python reference's <c>CompressedMetadataStorage</c>: compressed with
/// <c>compression_type</c> (<c>lzma</c> — the .xz container —, <c>gzip</c>, <c>zlib</c> or <c>none</c>) after being
/// serialized with <c>serialization_type</c> (<c>json</c> with <c>separators=(",", ":")</c>, <c>msgpack</c>, or
/// <c>pickle</c> at the highest protocol).
/// </summary>
/// <remarks>
/// Decompression is bounded by the store's <c>max_metadata_bytes</c>; pickles are read only by the safe loader
/// (<see cref="PickleRecordCodec"/>), which refuses anything but plain data before building it; MessagePack by
/// <see cref="MessagePackJson"/>.
/// </remarks>
internal static class ReferencePayload
{
    /// <summary>The metadata object in <paramref name="payload"/>.</summary>
    /// <param name="payload">The compressed bytes.</param>
    /// <param name="compression">The row's or header's <c>compression_type</c>.</param>
    /// <param name="serialization">The row's or header's <c>serialization_type</c>.</param>
    /// <param name="uncompressedSize">The declared <c>uncompressed_size</c>, checked when given.</param>
    /// <param name="limit">The store's <c>max_metadata_bytes</c>.</param>
    /// <exception cref="FormatException">The payload is corrupt, too large, unsafe, not an object, or of an unknown type.</exception>
    public static JsonObject Decode(byte[] payload, string compression, string serialization, long? uncompressedSize, long limit)
    {
        if (uncompressedSize is { } declared && declared > limit)
        {
            throw new FormatException($"the metadata declares {declared} bytes uncompressed, past the store's limit of {limit} (max_metadata_bytes); refused without expanding it");
        }
        byte[] serialized;
        try
        {
            serialized = compression is "lzma" or "gzip" or "zlib" or "none"
                ? MetadataCompression.Decompress(payload, compression, limit, "max_metadata_bytes")
                : throw new FormatException($"unknown compression_type '{compression}' (the reference writes lzma, gzip, zlib or none)");
        }
        catch (InvalidDataException ex)
        {
            throw new FormatException(ex.Message, ex);
        }
        if (uncompressedSize is { } expected && expected != serialized.Length)
        {
            throw new FormatException($"the metadata expands to {serialized.Length} bytes, not the {expected} its uncompressed_size declares");
        }
        JsonNode? value = serialization switch
        {
            "json" => ParseJson(serialized),
            "msgpack" => MessagePackJson.Read(serialized),
            "pickle" => PickleRecordCodec.LoadJson(serialized),
            _ => throw new FormatException($"unknown serialization_type '{serialization}' (the reference writes json, msgpack or pickle)"),
        };
        return value as JsonObject ?? throw new FormatException($"the {serialization} metadata is not an object (a dict)");
    }

    private static JsonNode? ParseJson(byte[] utf8)
    {
        try
        {
            return PythonJson.Parse(utf8);
        }
        catch (JsonException ex)
        {
            throw new FormatException("the json metadata is not valid JSON: " + ex.Message, ex);
        }
    }
}
