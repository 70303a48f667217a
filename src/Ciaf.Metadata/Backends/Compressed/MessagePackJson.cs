using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Backends.Pickle;
using Ciaf.Metadata.Hashing;
using MessagePack;

namespace Ciaf.Metadata.Backends.Compressed;

/// <summary>
/// Reads a MessagePack document, as the reference's <c>msgpack.packb(metadata, default=str, use_bin_type=True)</c>
/// writes it, into the JSON document <c>json.dumps</c> would make of what <c>msgpack.unpackb(raw=False,
/// strict_map_key=False)</c> returns. Plain data only: nil, bool, int (64-bit signed or unsigned), float, str, bin,
/// array and map; extension types are refused.
/// </summary>
/// <remarks>
/// <c>bin</c> values (Python <c>bytes</c>) become the text <c>str(b)</c> gives, <c>b'...'</c>, which is what the
/// reference's JSON serialization (<c>default=str</c>) would have stored for them. Map keys become strings as
/// <c>json.dumps</c> converts them (<c>1</c> → <c>"1"</c>, <c>True</c> → <c>"true"</c>, <c>None</c> → <c>"null"</c>).
/// Decoding uses MessagePack-CSharp's <see cref="MessagePackReader"/>; no type is ever instantiated from the data.
/// </remarks>
internal static class MessagePackJson
{
    /// <summary>Reads the single value of <paramref name="data"/>.</summary>
    /// <exception cref="FormatException">Not a complete MessagePack value, trailing bytes, an extension type, a key JSON cannot hold, or nesting past <see cref="PickleRecordCodec.MaxDepth"/>.</exception>
    public static JsonNode? Read(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var reader = new MessagePackReader(data);
        try
        {
            var value = ReadValue(ref reader, 0);
            if (!reader.End) throw new FormatException("extra bytes follow the MessagePack value");
            return value;
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException or InvalidOperationException or OverflowException)
        {
            throw new FormatException("not a valid MessagePack document: " + ex.Message, ex);
        }
    }

    private static JsonNode? ReadValue(ref MessagePackReader reader, int depth)
    {
        if (depth > PickleRecordCodec.MaxDepth) throw new FormatException($"the MessagePack document nests deeper than {PickleRecordCodec.MaxDepth} levels");
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Nil:
                reader.ReadNil();
                return null;
            case MessagePackType.Boolean:
                return JsonValue.Create(reader.ReadBoolean());
            case MessagePackType.Integer:
                // Numbers as JsonElement-backed values, as every backend reads them.
                return reader.NextCode == MessagePackCode.UInt64
                    ? JsonNode.Parse(reader.ReadUInt64().ToString(CultureInfo.InvariantCulture))
                    : JsonNode.Parse(reader.ReadInt64().ToString(CultureInfo.InvariantCulture));
            case MessagePackType.Float:
                double d = reader.ReadDouble();
                return double.IsFinite(d) ? JsonNode.Parse(PythonJson.FormatFloat(d)) : JsonValue.Create(d);
            case MessagePackType.String:
                return JsonValue.Create(reader.ReadString());
            case MessagePackType.Binary:
                var bytes = reader.ReadBytes() ?? throw new FormatException("a bin value is missing");
                return JsonValue.Create(BytesRepr(bytes.ToArray()));
            case MessagePackType.Array:
            {
                int count = reader.ReadArrayHeader();
                var array = new JsonArray();
                for (int i = 0; i < count; i++) array.Add(ReadValue(ref reader, depth + 1));
                return array;
            }
            case MessagePackType.Map:
            {
                int count = reader.ReadMapHeader();
                var obj = new JsonObject();
                for (int i = 0; i < count; i++)
                {
                    string key = KeyToString(ReadValue(ref reader, depth + 1));
                    if (obj.ContainsKey(key)) throw new FormatException($"the map key '{key}' occurs twice once keys are converted to JSON strings");
                    obj.Add(key, ReadValue(ref reader, depth + 1));
                }
                return obj;
            }
            default:
                throw new FormatException($"a MessagePack {reader.NextMessagePackType} value is not plain data");
        }
    }

    // json.dumps converts these keys to strings; any other key type makes it fail.
    private static string KeyToString(JsonNode? key) => key switch
    {
        null => "null",
        JsonValue v when v.TryGetValue(out string? s) => s,
        JsonValue v when v.TryGetValue(out bool b) => b ? "true" : "false",
        JsonValue v when v.TryGetValue(out double d) && !double.IsFinite(d) => PythonJson.FormatFloat(d),
        JsonValue v => v.ToJsonString(), // a number: its digits, or the float's repr
        _ => throw new FormatException("a map key that is an array or a map is not JSON data"),
    };

    /// <summary>Python's <c>repr(bytes)</c>: <c>b'...'</c>, printable ASCII as is, <c>\t \n \r \\</c> escaped, the rest <c>\xNN</c>.</summary>
    internal static string BytesRepr(ReadOnlySpan<byte> bytes)
    {
        char quote = bytes.Contains((byte)'\'') && !bytes.Contains((byte)'"') ? '"' : '\'';
        var sb = new StringBuilder(bytes.Length + 3).Append('b').Append(quote);
        foreach (byte b in bytes)
        {
            if (b == quote || b == '\\') sb.Append('\\').Append((char)b);
            else if (b == '\t') sb.Append("\\t");
            else if (b == '\n') sb.Append("\\n");
            else if (b == '\r') sb.Append("\\r");
            else if (b < 0x20 || b >= 0x7f) sb.Append("\\x").Append(b.ToString("x2", CultureInfo.InvariantCulture));
            else sb.Append((char)b);
        }
        return sb.Append(quote).ToString();
    }
}
