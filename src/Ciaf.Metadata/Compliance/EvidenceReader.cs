using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Metadata.Compliance;

/// <summary>Reads evidence given as anonymous objects, dictionaries or JSON, with Python's notion of truth.</summary>
internal static class EvidenceReader
{
    /// <summary>Converts a payload (anonymous object, POCO, dictionary, JsonObject, JsonElement) to a fresh JsonObject.</summary>
    public static JsonObject ToJsonObject(object? value, string paramName)
    {
        var node = ToJsonNode(value);
        return node switch
        {
            null => new JsonObject(),
            JsonObject o => o,
            _ => throw new ArgumentException($"Expected an object (anonymous object, dictionary or JSON object), got {node.GetValueKind()}.", paramName),
        };
    }

    /// <summary>Converts any serializable value to a fresh JsonNode (null stays null).</summary>
    public static JsonNode? ToJsonNode(object? value) => value switch
    {
        null => null,
        JsonNode n => n.DeepClone(),
        JsonElement e => e.ValueKind is JsonValueKind.Undefined ? null : JsonNode.Parse(e.GetRawText()),
        JsonDocument d => JsonNode.Parse(d.RootElement.GetRawText()),
        _ => JsonSerializer.SerializeToNode(value, value.GetType(), SerializerOptions),
    };

    // Keys are stored as written (no naming policy); NaN and infinities are legal in the reference's JSON.
    internal static readonly JsonSerializerOptions SerializerOptions = new()
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Python truthiness: false for null, false, 0, "", [] and {}; true otherwise.</summary>
    public static bool IsTrue(JsonNode? node) => node switch
    {
        null => false,
        JsonObject o => o.Count > 0,
        JsonArray a => a.Count > 0,
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False or JsonValueKind.Null => false,
            JsonValueKind.String => v.GetValue<string>().Length > 0,
            JsonValueKind.Number => TryGetNumber(v, out var d) && d != 0,
            _ => false,
        },
        _ => false,
    };

    /// <summary>Reads a JSON number (not a boolean, not a string) as a double.</summary>
    public static bool TryGetNumber(JsonNode? node, out double value)
    {
        value = 0;
        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.Number)
        {
            return false;
        }
        if (v.TryGetValue(out double d))
        {
            value = d;
            return true;
        }
        return double.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Reads a string property, or null.</summary>
    public static string? GetString(JsonObject obj, string key)
        => obj[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    /// <summary>Renders a value for a finding's reason, the way the reference's JSON writes it.</summary>
    public static string Show(JsonNode? node) => node is null ? "null" : PythonJson.Serialize(node, PythonJsonStyle.Compact);
}
