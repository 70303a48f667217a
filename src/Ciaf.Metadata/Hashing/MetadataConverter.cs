using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Ciaf.Metadata.Hashing;

/// <summary>
/// Turns a metadata payload (anonymous object, POCO, dictionary, list, <see cref="JsonObject"/>,
/// <see cref="JsonElement"/>) into the <see cref="JsonObject"/> that is stored and hashed. Values keep
/// Python's type model: integers stay integers of any size, floats stay floats (NaN included).
/// Objects are read through System.Text.Json's contract (so <c>[JsonPropertyName]</c> and
/// <c>[JsonIgnore]</c> apply), keys are kept as written.
/// </summary>
public static class MetadataConverter
{
    private const int MaxDepth = 64;

    private static readonly JsonSerializerOptions ContractOptions = new()
    {
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
        IncludeFields = false,
    };

    /// <summary>Converts a payload to a detached <see cref="JsonObject"/>; <c>null</c> becomes an empty object.</summary>
    /// <exception cref="ArgumentException">The payload is not an object, or holds something that cannot be serialized (a reference cycle, a delegate, a stream, ...). Nothing is written.</exception>
    public static JsonObject ToJsonObject(object? metadata, string paramName = "metadata")
    {
        if (metadata is null) return [];
        var visiting = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var node = Convert(metadata, paramName, 0, visiting, paramName);
        return node as JsonObject ?? throw new ArgumentException(
            $"The {paramName} must be an object (a dictionary, anonymous object, POCO or JSON object); got {Describe(metadata)}.", paramName);
    }

    /// <summary>Converts any value to a detached JSON node, as <see cref="ToJsonObject"/> does for its members.</summary>
    /// <exception cref="ArgumentException">The value cannot be serialized.</exception>
    public static JsonNode? ToJsonNode(object? value, string paramName = "value")
    {
        var visiting = new HashSet<object>(ReferenceEqualityComparer.Instance);
        return Convert(value, paramName, 0, visiting, paramName);
    }

    private static JsonNode? Convert(object? value, string path, int depth, HashSet<object> visiting, string paramName)
    {
        if (depth > MaxDepth) throw Fail(paramName, path, $"it is nested deeper than {MaxDepth} levels (a reference cycle?)");
        switch (value)
        {
            case null: return null;
            case JsonNode node: return node.DeepClone();
            case JsonElement element: return FromElement(element);
            case JsonDocument document: return FromElement(document.RootElement);
            case string s: return JsonValue.Create(s);
            case bool b: return JsonValue.Create(b);
            case char c: return JsonValue.Create(c.ToString());
            case byte or sbyte or short or ushort or int or uint or long:
                return JsonValue.Create(System.Convert.ToInt64(value, CultureInfo.InvariantCulture));
            case ulong ul: return JsonValue.Create(ul);
            case BigInteger or Int128 or UInt128 or nint or nuint:
                return JsonNode.Parse(((IFormattable)value).ToString(null, CultureInfo.InvariantCulture));
            case double d: return JsonValue.Create(d);
            case float f: return JsonValue.Create((double)f);
            case Half h: return JsonValue.Create((double)h);
            case decimal m: return JsonValue.Create((double)m);
            case DateTimeOffset dto: return JsonValue.Create(PythonTimestamp.Format(dto));
            case DateTime dt: return JsonValue.Create(dt.Kind == DateTimeKind.Unspecified
                ? dt.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture)
                : PythonTimestamp.Format(new DateTimeOffset(dt.ToUniversalTime())));
            case DateOnly date: return JsonValue.Create(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            case TimeOnly time: return JsonValue.Create(time.ToString("HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture));
            case TimeSpan span: return JsonValue.Create(span.TotalSeconds);
            case Guid g: return JsonValue.Create(g.ToString());
            case Enum e: return JsonValue.Create(e.ToString());
            case Uri u: return JsonValue.Create(u.ToString());
            case Version v: return JsonValue.Create(v.ToString());
            case Delegate: throw Fail(paramName, path, "a delegate cannot be serialized");
            case Stream: throw Fail(paramName, path, "a stream cannot be serialized (store a summary of it instead)");
            case Type or MemberInfo or Assembly: throw Fail(paramName, path, "reflection objects cannot be serialized");
            case Task or ValueTask: throw Fail(paramName, path, "a task cannot be serialized (await it first)");
            case CancellationToken or WaitHandle or Thread: throw Fail(paramName, path, $"a {value.GetType().Name} cannot be serialized");
            case byte[] bytes: return JsonValue.Create(System.Convert.ToBase64String(bytes));
        }

        if (!visiting.Add(value)) throw Fail(paramName, path, "it contains a reference cycle");
        try
        {
            switch (value)
            {
                case IDictionary dictionary:
                {
                    var obj = new JsonObject();
                    foreach (DictionaryEntry entry in dictionary)
                    {
                        string key = entry.Key as string ?? System.Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty;
                        obj[key] = Convert(entry.Value, $"{path}.{key}", depth + 1, visiting, paramName);
                    }
                    return obj;
                }
                case ITuple tuple:
                {
                    var arr = new JsonArray();
                    for (int i = 0; i < tuple.Length; i++) arr.Add(Convert(tuple[i], $"{path}[{i}]", depth + 1, visiting, paramName));
                    return arr;
                }
                case IEnumerable enumerable when value.GetType().GetInterfaces().Any(IsGenericDictionary):
                    return ConvertPairs(enumerable, path, depth, visiting, paramName);
                case IEnumerable enumerable:
                {
                    var arr = new JsonArray();
                    int i = 0;
                    foreach (var item in enumerable) arr.Add(Convert(item, $"{path}[{i++}]", depth + 1, visiting, paramName));
                    return arr;
                }
                default:
                    return ConvertObject(value, path, depth, visiting, paramName);
            }
        }
        finally
        {
            visiting.Remove(value);
        }
    }

    private static bool IsGenericDictionary(Type t) =>
        t.IsGenericType && (t.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>) || t.GetGenericTypeDefinition() == typeof(IDictionary<,>));

    private static JsonObject ConvertPairs(IEnumerable pairs, string path, int depth, HashSet<object> visiting, string paramName)
    {
        var obj = new JsonObject();
        foreach (var pair in pairs)
        {
            var type = pair!.GetType();
            var key = type.GetProperty("Key")!.GetValue(pair);
            var val = type.GetProperty("Value")!.GetValue(pair);
            string name = key as string ?? System.Convert.ToString(key, CultureInfo.InvariantCulture) ?? string.Empty;
            obj[name] = Convert(val, $"{path}.{name}", depth + 1, visiting, paramName);
        }
        return obj;
    }

    private static JsonNode? ConvertObject(object value, string path, int depth, HashSet<object> visiting, string paramName)
    {
        JsonTypeInfo info;
        try
        {
            info = ContractOptions.GetTypeInfo(value.GetType());
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or ArgumentException)
        {
            throw Fail(paramName, path, $"{value.GetType().Name} cannot be serialized ({ex.Message})", ex);
        }

        if (info.Kind != JsonTypeInfoKind.Object)
        {
            // A type System.Text.Json writes as a single value through a converter of its own.
            try
            {
                return JsonSerializer.SerializeToNode(value, value.GetType(), ContractOptions);
            }
            catch (Exception ex) when (ex is NotSupportedException or JsonException or InvalidOperationException)
            {
                throw Fail(paramName, path, $"{value.GetType().Name} cannot be serialized ({ex.Message})", ex);
            }
        }

        var obj = new JsonObject();
        foreach (var property in info.Properties)
        {
            if (property.Get is null) continue;
            object? propertyValue;
            try
            {
                propertyValue = property.Get(value);
            }
            catch (Exception ex)
            {
                throw Fail(paramName, $"{path}.{property.Name}", $"reading it threw {ex.GetType().Name}: {ex.Message}", ex);
            }
            if (propertyValue is null && property.ShouldSerialize is { } should && !should(value, null)) continue;
            obj[property.Name] = Convert(propertyValue, $"{path}.{property.Name}", depth + 1, visiting, paramName);
        }
        return obj;
    }

    private static JsonNode? FromElement(JsonElement element) =>
        element.ValueKind == JsonValueKind.Undefined ? null : JsonNode.Parse(element.GetRawText());

    private static string Describe(object value) => value switch
    {
        string => "a string",
        IEnumerable => "a list",
        _ when value.GetType().IsPrimitive => $"a {value.GetType().Name}",
        _ => value.GetType().Name,
    };

    private static ArgumentException Fail(string paramName, string path, string reason, Exception? inner = null) =>
        new($"The {paramName} cannot be stored: at '{path}', {reason}.", paramName, inner);
}
