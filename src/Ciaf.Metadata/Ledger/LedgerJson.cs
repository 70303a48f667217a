using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Ciaf.Metadata.Ledger;

/// <summary>Reading and writing the small JSON documents of the ledger (receipts, consistency proofs), strictly.</summary>
internal static class LedgerJson
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        // Keeps the note's em dash readable; the documents are files and terminal output, never HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    public static void WriteHexArray(Utf8JsonWriter writer, string name, IEnumerable<string> hashes)
    {
        writer.WriteStartArray(name);
        foreach (string hash in hashes) writer.WriteStringValue(hash);
        writer.WriteEndArray();
    }

    /// <summary>
    /// Parses <paramref name="json"/> as an object with exactly the properties <paramref name="names"/> (no others,
    /// none twice) and hands them to <paramref name="read"/>; every failure becomes a <see cref="FormatException"/>
    /// saying what <paramref name="what"/> lacks.
    /// </summary>
    public static T Read<T>(string json, string what, string[] names, Func<IReadOnlyDictionary<string, JsonElement>, T> read)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw Malformed(what, "it is not a JSON object");
            var properties = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!names.Contains(property.Name)) throw Malformed(what, $"unknown property \"{property.Name}\"");
                if (!properties.TryAdd(property.Name, property.Value.Clone())) throw Malformed(what, $"\"{property.Name}\" appears twice");
            }
            if (names.FirstOrDefault(n => !properties.ContainsKey(n)) is { } missing) throw Malformed(what, $"\"{missing}\" is missing");
            return read(properties);
        }
        catch (JsonException e)
        {
            throw Malformed(what, $"invalid JSON ({e.Message})");
        }
    }

    public static string String(IReadOnlyDictionary<string, JsonElement> properties, string name, string what) =>
        properties[name].ValueKind == JsonValueKind.String ? properties[name].GetString()! : throw Malformed(what, $"\"{name}\" is not a string");

    public static long Count(IReadOnlyDictionary<string, JsonElement> properties, string name, string what) =>
        properties[name].ValueKind == JsonValueKind.Number && properties[name].TryGetInt64(out long value) && value >= 0
            ? value
            : throw Malformed(what, $"\"{name}\" is not a non-negative integer");

    public static string Hash(IReadOnlyDictionary<string, JsonElement> properties, string name, string what) =>
        CheckHash(String(properties, name, what), $"\"{name}\"", what);

    public static IReadOnlyList<string> HashArray(IReadOnlyDictionary<string, JsonElement> properties, string name, string what)
    {
        var element = properties[name];
        if (element.ValueKind != JsonValueKind.Array) throw Malformed(what, $"\"{name}\" is not an array");
        var hashes = new List<string>();
        foreach (var item in element.EnumerateArray())
        {
            string label = $"\"{name}\"[{hashes.Count}]";
            hashes.Add(CheckHash(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw Malformed(what, $"{label} is not a string"), label, what));
        }
        return hashes;
    }

    /// <summary>Lowercase hex of a SHA-256 hash, the form every ledger document uses.</summary>
    public static string Hex(byte[] hash) => Convert.ToHexStringLower(hash);

    /// <summary>Whether <paramref name="hex"/> is a SHA-256 hash in that form.</summary>
    public static bool IsHash(string? hex) => hex is { Length: MerkleTree.HashSize * 2 } && hex.All(char.IsAsciiHexDigitLower);

    public static FormatException Malformed(string what, string why) => new($"Not a ledger {what}: {why}.");

    private static string CheckHash(string value, string label, string what) =>
        IsHash(value)
            ? value
            : throw Malformed(what, $"{label} is not a SHA-256 hash in lowercase hex (64 digits)");
}
