using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Metadata.PostgreSql;

/// <summary>
/// The text sent to the <c>metadata jsonb</c> column. <c>metadata_text</c> holds the exact Python-style JSON and
/// is what reads return; jsonb is only a query aid, so where jsonb cannot hold a value exactly it gets a stand-in:
/// <c>NaN</c>/<c>Infinity</c>/<c>-Infinity</c> (not JSON) become the strings <c>"NaN"</c>, <c>"Infinity"</c>,
/// <c>"-Infinity"</c>, and U+0000 or a lone surrogate in a string or key (which jsonb rejects) becomes U+FFFD.
/// </summary>
internal static class JsonbText
{
    // NaN, the infinities, U+0000, and a surrogate's escape in any case (\ud800-\udfff).
    private static readonly SearchValues<string> Markers =
        SearchValues.Create(["NaN", "Infinity", "\\u0000", "\\ud", "\\uD", "\\Ud", "\\UD"], StringComparison.Ordinal);

    /// <summary>The jsonb text for a record whose exact text is <paramref name="text"/> (its metadata is only read when a value needs a stand-in).</summary>
    public static string For(MetadataRecord record, string text)
    {
        // The exact text is ASCII (ensure_ascii): any of these markers means a value may need a stand-in.
        // Strings that merely contain such words only cost the walk below. One pass over the text for all of them.
        if (text.AsSpan().IndexOfAny(Markers) < 0) return text;
        return PythonJson.Serialize(Sanitize(record.Metadata), PythonJsonStyle.Compact);
    }

    private static JsonNode? Sanitize(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonObject obj:
                var copy = new JsonObject();
                foreach (var (key, value) in obj) copy[Clean(key)] = Sanitize(value);
                return copy;
            case JsonArray array:
                var items = new JsonArray();
                foreach (var item in array) items.Add(Sanitize(item));
                return items;
            default:
                var v = node.AsValue();
                // Non-finite doubles are checked first: their JsonValueKind is not Number.
                if (v.TryGetValue<double>(out double d) && !double.IsFinite(d)) return JsonValue.Create(PythonJson.FormatFloat(d));
                if (v.TryGetValue<float>(out float f) && !float.IsFinite(f)) return JsonValue.Create(PythonJson.FormatFloat(f));
                if (v.TryGetValue<string>(out string? text)) return JsonValue.Create(Clean(text));
                return node.DeepClone();
        }
    }

    private static string Clean(string s)
    {
        StringBuilder? sb = null;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            bool bad;
            if (c == '\0') bad = true;
            else if (char.IsHighSurrogate(c))
            {
                if (i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
                {
                    sb?.Append(c).Append(s[i + 1]);
                    i++;
                    continue;
                }
                bad = true;
            }
            else bad = char.IsLowSurrogate(c);

            if (bad)
            {
                sb ??= new StringBuilder(s, 0, i, s.Length);
                sb.Append('\uFFFD');
            }
            else
            {
                sb?.Append(c);
            }
        }
        return sb?.ToString() ?? s;
    }
}
