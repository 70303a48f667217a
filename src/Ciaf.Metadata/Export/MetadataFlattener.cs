using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Metadata.Export;

/// <summary>
/// Flattens a record's metadata into dotted column paths for tabular exports (CSV):
/// <c>{"performance": {"accuracy": 0.9}}</c> becomes the column <c>metadata.performance.accuracy</c>.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Every path starts with <c>metadata.</c>, so a metadata key can never collide with a record field (<c>id</c>, <c>stage</c>, ...).</item>
/// <item>A <c>.</c> or <c>\</c> inside a key is escaped as <c>\.</c> or <c>\\</c>, so <c>{"a.b": 1}</c> and <c>{"a": {"b": 1}}</c> get different columns.</item>
/// <item>Arrays are not expanded: the whole array is one cell holding its JSON text (<c>["a", "b"]</c>). Lengths vary from
/// record to record, and one cell per element would multiply columns; the JSON text reads back losslessly.</item>
/// <item>An empty object is one cell <c>{}</c>, so it is not lost; <c>null</c> is an empty cell.</item>
/// </list>
/// </remarks>
internal static class MetadataFlattener
{
    public const string Prefix = "metadata.";

    /// <summary>Calls <paramref name="visit"/> with each leaf's column path and value, in the metadata's key order.</summary>
    public static void Flatten(JsonObject metadata, Action<string, JsonNode?> visit) => Flatten(metadata, Prefix, visit);

    /// <summary>The cell text of a leaf value: strings as they are, numbers as Python writes them, booleans as <c>true</c>/<c>false</c>, arrays and objects as JSON.</summary>
    public static string? CellText(JsonNode? value) => value switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.True => "true",
        JsonValue v when v.GetValueKind() == JsonValueKind.False => "false",
        JsonValue v when v.GetValueKind() == JsonValueKind.Null => null,
        _ => PythonJson.Serialize(value, PythonJsonStyle.Compact),
    };

    /// <summary>Whether a leaf is a JSON number (its cell is written as is, never neutralized).</summary>
    public static bool IsNumber(JsonNode? value) => value is JsonValue v && v.GetValueKind() == JsonValueKind.Number;

    private static void Flatten(JsonObject obj, string prefix, Action<string, JsonNode?> visit)
    {
        foreach (var (key, value) in obj)
        {
            string path = prefix + EscapeKey(key);
            if (value is JsonObject child && child.Count > 0) Flatten(child, path + ".", visit);
            else visit(path, value);
        }
    }

    private static string EscapeKey(string key)
    {
        if (key.IndexOfAny(['.', '\\']) < 0) return key;
        var sb = new StringBuilder(key.Length + 4);
        foreach (char c in key)
        {
            if (c is '.' or '\\') sb.Append('\\');
            sb.Append(c);
        }
        return sb.ToString();
    }
}
