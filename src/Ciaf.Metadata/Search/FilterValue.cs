using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ciaf.Metadata.Search;

/// <summary>What a field holds in one record, as the filter semantics see it.</summary>
internal enum ValueKind { Missing, Null, False, True, Number, String, Instant, Composite }

/// <summary>A field's value in one record (or event): its kind, and the number, text or instant it holds.</summary>
internal readonly record struct FilterValue(ValueKind Kind, double Number = 0, string? String = null, long Ticks = 0)
{
    public static FilterValue Missing => default;

    public static FilterValue Null => new(ValueKind.Null);

    public static FilterValue Text(string? value) => value is null ? Null : new(ValueKind.String, String: value);

    public static FilterValue OfNumber(double? value) => value is { } n ? new(ValueKind.Number, Number: n) : Null;

    public static FilterValue OfInstant(DateTimeOffset value) => new(ValueKind.Instant, Ticks: value.UtcTicks);

    /// <summary>The value at <paramref name="path"/> in <paramref name="metadata"/>: a key on an array or an index on an object is missing.</summary>
    public static FilterValue At(JsonObject metadata, IReadOnlyList<PathSegment> path)
    {
        JsonNode? node = metadata;
        for (int i = 0; i < path.Count; i++)
        {
            var segment = path[i];
            switch (node)
            {
                case JsonObject obj when !segment.IsIndex && obj.TryGetPropertyValue(segment.Key!, out var child):
                    node = child;
                    break;
                case JsonArray array when segment.IsIndex && segment.Index < array.Count:
                    node = array[segment.Index];
                    break;
                default:
                    return Missing;
            }
            if (node is null) return i == path.Count - 1 ? Null : Missing;
        }
        return Of(node);
    }

    private static FilterValue Of(JsonNode? node)
    {
        if (node is null) return Null;
        return node.GetValueKind() switch
        {
            JsonValueKind.Null => Null,
            JsonValueKind.True => new(ValueKind.True),
            JsonValueKind.False => new(ValueKind.False),
            JsonValueKind.Number => new(ValueKind.Number, Number: node.GetValue<double>()),
            JsonValueKind.String => new(ValueKind.String, String: node.GetValue<string>()),
            _ => new(ValueKind.Composite),
        };
    }

    /// <summary>NULL as the filter sees it: missing, or a JSON null.</summary>
    public bool IsNull => Kind is ValueKind.Missing or ValueKind.Null;
}
