using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ciaf.Metadata.Capture;

/// <summary>
/// Turns arbitrary .NET values into JSON that can be stored, without ever throwing. Collections, arrays,
/// dictionaries, streams and large strings become a summary string in the reference's form
/// <c>&lt;Type[count]&gt;</c> (e.g. <c>&lt;List&lt;Int32&gt;[1000]&gt;</c>); values that cannot be serialized
/// become <c>&lt;Type&gt;</c>.
/// </summary>
internal static class CapturedValues
{
    /// <summary>Strings longer than this are summarized (parameters and results).</summary>
    public const int MaxStringLength = 1024;

    /// <summary>Serialized objects longer than this (in characters) are summarized.</summary>
    public const int MaxObjectJsonLength = 4096;

    private static readonly JsonSerializerOptions Options = new()
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        MaxDepth = 32,
    };

    /// <summary>Parameters by name → stored JSON: secrets redacted, large values summarized.</summary>
    public static JsonObject Parameters(IEnumerable<KeyValuePair<string, object?>> parameters)
    {
        var o = new JsonObject();
        foreach (var (name, value) in parameters)
        {
            o[name] = CaptureRedaction.IsSensitiveName(name) ? CaptureRedaction.RedactedValue : Summarize(value);
        }
        return o;
    }

    /// <summary>Parameters given as one object (anonymous object, dictionary, JSON object) → stored JSON.</summary>
    public static JsonObject Parameters(object? parameters)
    {
        if (parameters is null)
        {
            return new JsonObject();
        }
        try
        {
            if (parameters is IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                return Parameters(pairs);
            }
            if (parameters is JsonObject jo)
            {
                return Parameters(jo.Select(kv => new KeyValuePair<string, object?>(kv.Key, kv.Value?.DeepClone())).ToList());
            }
            if (parameters is IDictionary dict)
            {
                var list = new List<KeyValuePair<string, object?>>();
                foreach (DictionaryEntry e in dict)
                {
                    list.Add(new(Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? "", e.Value));
                }
                return Parameters(list);
            }
            // An anonymous object or POCO: its public readable properties are the parameters.
            var props = parameters.GetType().GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance)
                .Where(p => p.CanRead && p.GetIndexParameters().Length == 0);
            var values = new List<KeyValuePair<string, object?>>();
            foreach (var p in props)
            {
                object? v;
                try
                {
                    v = p.GetValue(parameters);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    v = new UnreadableValue(p.PropertyType);
                }
                values.Add(new(p.Name, v));
            }
            return Parameters(values);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return new JsonObject { ["parameters"] = TypeSummary(parameters.GetType()) };
        }
    }

    /// <summary>A parameter or result value → JSON: scalars as-is, collections/streams/large strings/unserializable values as a summary.</summary>
    public static JsonNode? Summarize(object? value)
    {
        try
        {
            return SummarizeCore(value);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return TypeSummary(value!.GetType());
        }
    }

    /// <summary>The serializer behind <see cref="Storable"/> and <see cref="Summarize"/>.</summary>
    internal static JsonSerializerOptions SerializerOptions => Options;

    /// <summary>
    /// A member of an object given to <c>UpdateMetadata</c> → JSON: what <c>JsonSerializer</c> writes for it as a member declared
    /// <paramref name="declared"/> (as it did when the whole object was serialized at once); when it cannot, as <see cref="Storable"/>.
    /// </summary>
    public static JsonNode? Member(object? value, Type declared)
    {
        try
        {
            return JsonSerializer.SerializeToNode(value, declared, Compliance.EvidenceReader.SerializerOptions);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return Storable(value);
        }
    }

    /// <summary>A value added explicitly with <c>AddMetadata</c> → JSON: stored whole when it serializes, else summarized.</summary>
    public static JsonNode? Storable(object? value)
    {
        if (value is null)
        {
            return null;
        }
        try
        {
            if (Scalar(value, int.MaxValue) is { } scalar)
            {
                return scalar;
            }
            return value switch
            {
                JsonNode n => n.DeepClone(),
                JsonElement e => JsonNode.Parse(e.GetRawText()),
                Stream or Delegate or Task or Type or CancellationToken or UnreadableValue => Summarize(value),
                _ => JsonSerializer.SerializeToNode(value, value.GetType(), Options),
            };
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return Summarize(value);
        }
    }

    private static JsonNode? SummarizeCore(object? value)
    {
        switch (value)
        {
            case null:
                return null;
            case UnreadableValue u:
                return TypeSummary(u.Type);
            case string s:
                return s.Length <= MaxStringLength ? s : $"<String[{s.Length}]>";
            case JsonValue jv:
                return jv.DeepClone();
            case JsonElement { ValueKind: not (JsonValueKind.Object or JsonValueKind.Array) } je:
                return JsonNode.Parse(je.GetRawText());
            case JsonElement je:
                return je.ValueKind == JsonValueKind.Array ? $"<JsonElement[{je.GetArrayLength()}]>" : $"<JsonElement[{je.EnumerateObject().Count()}]>";
            case JsonArray ja:
                return $"<JsonArray[{ja.Count}]>";
            case JsonObject jo:
                return $"<JsonObject[{jo.Count}]>";
            case Stream stream:
                return StreamSummary(stream);
            case Array array:
                return $"<{TypeName(value.GetType())}[{array.Length}]>";
            case ICollection c:
                return $"<{TypeName(value.GetType())}[{c.Count}]>";
        }
        if (Scalar(value, MaxStringLength) is { } scalar)
        {
            return scalar;
        }
        var type = value.GetType();
        if (CountOf(value) is int count)
        {
            return $"<{TypeName(type)}[{count}]>";
        }
        if (value is IEnumerable or Delegate or Task or Type or CancellationToken or System.Reflection.MemberInfo || type.IsPointer || type.IsCOMObject)
        {
            // Lazy sequences are not enumerated: that could be slow, infinite or have side effects.
            return TypeSummary(type);
        }
        if (value is ValueTask || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ValueTask<>)))
        {
            return TypeSummary(type);
        }
        var node = JsonSerializer.SerializeToNode(value, type, Options);
        if (node is not null && node.ToJsonString(Options).Length > MaxObjectJsonLength)
        {
            return TypeSummary(type);
        }
        return node;
    }

    private static JsonNode? Scalar(object value, int maxString) => value switch
    {
        string s => s.Length <= maxString ? s : $"<String[{s.Length}]>",
        bool b => b,
        char ch => ch.ToString(),
        byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal
            => JsonSerializer.SerializeToNode(value, value.GetType(), Options),
        Int128 or UInt128 or System.Numerics.BigInteger => JsonNode.Parse(Convert.ToString(value, CultureInfo.InvariantCulture)!),
        Enum e => e.ToString(),
        DateTimeOffset dto => dto.ToString("O", CultureInfo.InvariantCulture),
        DateTime dt => dt.ToString("O", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("O", CultureInfo.InvariantCulture),
        TimeOnly t => t.ToString("O", CultureInfo.InvariantCulture),
        TimeSpan ts => ts.ToString("c", CultureInfo.InvariantCulture),
        Guid g => g.ToString(),
        Uri u => u.ToString(),
        Version v => v.ToString(),
        _ => null,
    };

    private static string StreamSummary(Stream stream)
    {
        string name = TypeName(stream.GetType());
        try
        {
            return stream.CanSeek ? $"<{name}[{stream.Length}]>" : $"<{name}>";
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return $"<{name}>";
        }
    }

    // Generic collections that do not implement the non-generic ICollection (e.g. HashSet<T>, IReadOnlyCollection<T> views).
    private static int? CountOf(object value)
    {
        foreach (var itf in value.GetType().GetInterfaces())
        {
            if (itf.IsGenericType)
            {
                var def = itf.GetGenericTypeDefinition();
                if (def == typeof(IReadOnlyCollection<>) || def == typeof(ICollection<>))
                {
                    return (int?)itf.GetProperty("Count")!.GetValue(value);
                }
            }
        }
        return null;
    }

    /// <summary><c>&lt;Type&gt;</c>: the summary of a value that is not stored.</summary>
    public static string TypeSummary(Type type) => $"<{TypeName(type)}>";

    /// <summary>A readable type name: <c>List&lt;Int32&gt;</c>, <c>Int32[]</c>, <c>Dictionary&lt;String, Object&gt;</c>.</summary>
    public static string TypeName(Type type)
    {
        if (type.IsArray)
        {
            return TypeName(type.GetElementType()!) + "[" + new string(',', type.GetArrayRank() - 1) + "]";
        }
        if (!type.IsGenericType)
        {
            return type.Name;
        }
        var sb = new StringBuilder();
        var name = type.Name;
        int tick = name.IndexOf('`', StringComparison.Ordinal);
        sb.Append(tick >= 0 ? name[..tick] : name).Append('<');
        sb.AppendJoin(", ", type.GetGenericArguments().Select(TypeName));
        return sb.Append('>').ToString();
    }

    /// <summary>Stands for a property whose getter threw.</summary>
    internal sealed record UnreadableValue(Type Type);
}
