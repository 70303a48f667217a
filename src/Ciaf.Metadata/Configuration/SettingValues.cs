using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ciaf.Metadata.Configuration;

/// <summary>
/// Conversions between the stored form of a known setting (long, double, bool, string, string[] or null)
/// and JSON, text (environment variables, IConfiguration) and CLR values (<see cref="MetadataConfig.Set"/>).
/// </summary>
internal static class SettingValues
{
    private static readonly string[] TrueWords = ["true", "1", "yes", "on"];
    private static readonly string[] FalseWords = ["false", "0", "no", "off"];

    /// <summary>Whether <paramref name="value"/> is in the stored form of <paramref name="definition"/>'s kind.</summary>
    public static bool HasValidType(SettingDefinition definition, object? value) => definition.Kind switch
    {
        SettingKind.String => value is string,
        SettingKind.NullableString => value is null or string,
        SettingKind.Integer => value is long,
        SettingKind.Number => value is double,
        SettingKind.Boolean => value is bool,
        SettingKind.StringList => value is string[],
        _ => false,
    };

    /// <summary>Converts a JSON value to the stored form; false (and the value as a JsonNode) when the type is wrong.</summary>
    public static bool TryFromJson(SettingDefinition definition, JsonNode? node, out object? value)
    {
        value = node?.DeepClone();
        JsonValueKind kind = node?.GetValueKind() ?? JsonValueKind.Null;
        switch (definition.Kind)
        {
            case SettingKind.String when kind == JsonValueKind.String:
            case SettingKind.NullableString when kind == JsonValueKind.String:
                value = node!.GetValue<string>();
                return true;
            case SettingKind.NullableString when kind == JsonValueKind.Null:
                value = null;
                return true;
            case SettingKind.Boolean when kind is JsonValueKind.True or JsonValueKind.False:
                value = kind == JsonValueKind.True;
                return true;
            case SettingKind.Integer when kind == JsonValueKind.Number:
                if (TryGetInteger(node!.ToJsonString(), out long l))
                {
                    value = l;
                    return true;
                }
                return false;
            case SettingKind.Number when kind == JsonValueKind.Number:
                // The JSON text, not GetValue<double>: a JsonValue built from an int does not convert to double.
                if (double.TryParse(node!.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d))
                {
                    value = d;
                    return true;
                }
                return false;
            case SettingKind.StringList when kind == JsonValueKind.Array:
                var array = node!.AsArray();
                var items = new string[array.Count];
                for (int i = 0; i < items.Length; i++)
                {
                    if (array[i]?.GetValueKind() != JsonValueKind.String)
                    {
                        return false;
                    }
                    items[i] = array[i]!.GetValue<string>();
                }
                value = items;
                return true;
            default:
                return false;
        }
    }

    private static bool TryGetInteger(string number, out long result)
    {
        if (long.TryParse(number, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out result))
        {
            return true;
        }
        // 100.0 (as Python may write it) is accepted as 100; 1.5 is not an integer.
        if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double d)
            && double.IsFinite(d) && Math.Floor(d) == d && d >= long.MinValue && d < long.MaxValue)
        {
            result = (long)d;
            return true;
        }
        result = 0;
        return false;
    }

    /// <summary>
    /// Parses environment-variable or IConfiguration text. Booleans accept true/1/yes/on and false/0/no/off
    /// (any case); lists are comma-separated (or a JSON array); an empty text is null for nullable strings.
    /// </summary>
    public static bool TryParseText(SettingDefinition definition, string text, out object? value)
    {
        string trimmed = text.Trim();
        value = text;
        switch (definition.Kind)
        {
            case SettingKind.String:
                return true;
            case SettingKind.NullableString:
                value = text.Length == 0 ? null : text;
                return true;
            case SettingKind.Integer:
                if (long.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l))
                {
                    value = l;
                    return true;
                }
                return false;
            case SettingKind.Number:
                if (double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d))
                {
                    value = d;
                    return true;
                }
                return false;
            case SettingKind.Boolean:
                if (TrueWords.Contains(trimmed, StringComparer.OrdinalIgnoreCase))
                {
                    value = true;
                    return true;
                }
                if (FalseWords.Contains(trimmed, StringComparer.OrdinalIgnoreCase))
                {
                    value = false;
                    return true;
                }
                return false;
            case SettingKind.StringList:
                if (trimmed.StartsWith('['))
                {
                    try
                    {
                        return TryFromJson(definition, JsonNode.Parse(trimmed), out value) || RestoreText(text, out value);
                    }
                    catch (JsonException)
                    {
                        return false;
                    }
                }
                value = trimmed.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                return true;
            default:
                return false;
        }
    }

    private static bool RestoreText(string text, out object? value)
    {
        value = text;
        return false;
    }

    /// <summary>What a text value should have been, for "CIAF_X='abc' is not an integer".</summary>
    public static string TextKindDescription(SettingDefinition definition) => definition.Kind switch
    {
        SettingKind.Boolean => "a boolean (use true/1/yes/on or false/0/no/off)",
        SettingKind.Number => "a number",
        SettingKind.Integer => "an integer",
        _ => definition.KindDescription,
    };

    /// <summary>Converts a value given to <see cref="MetadataConfig.Set"/> to the stored form; false when the type is wrong.</summary>
    public static bool TryFromClr(SettingDefinition definition, object? input, out object? value)
    {
        value = null;
        switch (input)
        {
            case JsonNode node:
                return TryFromJson(definition, node, out value);
            case JsonElement element:
                return TryFromJson(definition, JsonSerializer.SerializeToNode(element), out value);
            case null:
                return definition.Kind == SettingKind.NullableString;
        }

        switch (definition.Kind)
        {
            case SettingKind.String or SettingKind.NullableString when input is string s:
                value = s;
                return true;
            case SettingKind.Boolean when input is bool b:
                value = b;
                return true;
            case SettingKind.Integer:
                if (input is TimeSpan span && definition.Unit is { } unit)
                {
                    double units = span / unit;
                    if (Math.Floor(units) == units && Math.Abs(units) < long.MaxValue)
                    {
                        value = (long)units;
                        return true;
                    }
                    return false;
                }
                switch (input)
                {
                    case sbyte or byte or short or ushort or int or uint or long:
                        value = Convert.ToInt64(input, CultureInfo.InvariantCulture);
                        return true;
                    case ulong ul when ul <= long.MaxValue:
                        value = (long)ul;
                        return true;
                    case double or float or decimal:
                        double d = Convert.ToDouble(input, CultureInfo.InvariantCulture);
                        if (double.IsFinite(d) && Math.Floor(d) == d && Math.Abs(d) < long.MaxValue)
                        {
                            value = (long)d;
                            return true;
                        }
                        return false;
                    default:
                        return false;
                }
            case SettingKind.Number:
                if (input is TimeSpan span2 && definition.Unit is { } unit2)
                {
                    value = span2 / unit2;
                    return true;
                }
                if (input is sbyte or byte or short or ushort or int or uint or long or ulong or float or double or decimal)
                {
                    double d = Convert.ToDouble(input, CultureInfo.InvariantCulture);
                    value = d;
                    return double.IsFinite(d);
                }
                return false;
            case SettingKind.StringList when input is not string && input is IEnumerable<string?> list:
                string?[] items = [.. list];
                if (Array.Exists(items, i => i is null))
                {
                    return false;
                }
                value = items;
                return true;
            default:
                return false;
        }
    }

    /// <summary>The JSON form of a stored value (known or unknown key).</summary>
    public static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        JsonNode node => node.DeepClone(),
        string s => JsonValue.Create(s),
        long l => JsonValue.Create(l),
        double d => JsonValue.Create(d),
        bool b => JsonValue.Create(b),
        string[] items => new JsonArray([.. items.Select(i => (JsonNode?)JsonValue.Create(i))]),
        _ => JsonSerializer.SerializeToNode(value),
    };

    /// <summary>A short display of a value for messages: strings quoted, lists in brackets, JSON as JSON.</summary>
    public static string Display(object? value) => value switch
    {
        null => "null",
        string s => $"\"{s}\"",
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        string[] items => "[" + string.Join(", ", items.Select(i => $"\"{i}\"")) + "]",
        JsonNode node => node.ToJsonString(),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "?",
    };
}
