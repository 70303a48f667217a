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
public static partial class MetadataConverter
{
    /// <summary>
    /// How deeply stored metadata may nest, counting the metadata object itself as one level and every object or
    /// array inside it as one more. Saves refuse deeper metadata and every backend's reader refuses it too
    /// (<see cref="CheckStoredDepth(JsonObject)"/>), so whatever is saved can be read back on any backend.
    /// </summary>
    public const int MaxDepth = 64;

    // Read-only options cache each type's contract: on mutable options GetTypeInfo builds it anew every call
    // (measured ~19 µs per anonymous type, ~200 µs for a payload with a dozen nested objects).
    private static readonly JsonSerializerOptions ContractOptions = CreateContractOptions();

    private static JsonSerializerOptions CreateContractOptions()
    {
        var options = new JsonSerializerOptions
        {
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
            IncludeFields = false,
        };
        options.MakeReadOnly();
        return options;
    }

    /// <summary>Converts a payload to a detached <see cref="JsonObject"/>; <c>null</c> becomes an empty object.</summary>
    /// <exception cref="ArgumentException">The payload is not an object, or holds something that cannot be serialized (a reference cycle, a delegate, a stream, ...). Nothing is written.</exception>
    public static JsonObject ToJsonObject(object? metadata, string paramName = "metadata")
    {
        if (metadata is null) return [];
        var node = Convert(metadata, new Walk(paramName), 0);
        var obj = node as JsonObject ?? throw new ArgumentException(
            $"The {paramName} must be an object (a dictionary, anonymous object, POCO or JSON object); got {Describe(metadata)}.", paramName);
        // A JsonNode or JsonElement payload is copied whole, past the walk's own depth guard: measure the result.
        if (Deeper(obj, MaxDepth))
            throw new ArgumentException($"The {paramName} cannot be stored: it nests deeper than {MaxDepth} levels (objects and arrays, the metadata object included).", paramName);
        return obj;
    }

    /// <summary>
    /// <see cref="CheckStoredDepth(JsonObject)"/> on stored metadata JSON text, without building its nodes: a reader that parses lazily (the nodes
    /// are only built when a caller touches them) keeps that laziness. Containers are counted outside strings.
    /// </summary>
    /// <exception cref="FormatException">The text nests deeper than <see cref="MaxDepth"/>.</exception>
    public static void CheckStoredDepth(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        CheckStoredDepth(json.AsSpan(), levelsAbove: 0);
    }

    /// <summary>
    /// <see cref="CheckStoredDepth(string)"/> on UTF-8 or UTF-16 text whose metadata object sits <paramref name="levelsAbove"/>
    /// levels down (1 for a record document holding it).
    /// </summary>
    /// <exception cref="FormatException">The metadata nests deeper than <see cref="MaxDepth"/>.</exception>
    internal static void CheckStoredDepth<T>(ReadOnlySpan<T> text, int levelsAbove) where T : unmanaged, IBinaryInteger<T>
    {
        T quote = T.CreateTruncating('"'), backslash = T.CreateTruncating('\\');
        T openObject = T.CreateTruncating('{'), openArray = T.CreateTruncating('[');
        T closeObject = T.CreateTruncating('}'), closeArray = T.CreateTruncating(']');
        int depth = 0, limit = MaxDepth + levelsAbove;
        bool inString = false;
        for (int i = 0; i < text.Length; i++)
        {
            T c = text[i];
            if (inString)
            {
                if (c == backslash) i++;
                else if (c == quote) inString = false;
            }
            else if (c == quote) inString = true;
            else if (c == openObject || c == openArray)
            {
                if (++depth > limit) throw new FormatException($"the metadata nests deeper than {MaxDepth} levels, the limit a save enforces");
            }
            else if (c == closeObject || c == closeArray) depth--;
        }
    }

    /// <summary>Refuses stored metadata that nests deeper than <see cref="MaxDepth"/> levels, as a save would have.</summary>
    /// <exception cref="FormatException">The metadata nests too deeply.</exception>
    public static void CheckStoredDepth(JsonObject metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (Deeper(metadata, MaxDepth))
            throw new FormatException($"the metadata nests deeper than {MaxDepth} levels, the limit a save enforces");
    }

    /// <summary>Whether <paramref name="node"/> holds more than <paramref name="levels"/> levels of objects and arrays (a flat object is one).</summary>
    private static bool Deeper(JsonNode? node, int levels) => node switch
    {
        JsonObject obj => levels == 0 || obj.Any(p => Deeper(p.Value, levels - 1)),
        JsonArray arr => levels == 0 || arr.Any(child => Deeper(child, levels - 1)),
        _ => false,
    };

    /// <summary>Converts any value to a detached JSON node, as <see cref="ToJsonObject"/> does for its members.</summary>
    /// <exception cref="ArgumentException">The value cannot be serialized.</exception>
    public static JsonNode? ToJsonNode(object? value, string paramName = "value")
    {
        return Convert(value, new Walk(paramName), 0);
    }

    private static JsonNode? Convert(object? value, Walk walk, int depth)
    {
        if (depth > MaxDepth) throw walk.Fail($"it is nested deeper than {MaxDepth} levels (a reference cycle?)");
        switch (value)
        {
            case null: return null;
            case JsonNode node: return Copy(node, walk);
            case JsonElement element: return FromElement(element, walk);
            case JsonDocument document: return FromElement(document.RootElement, walk);
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
            case Delegate: throw walk.Fail("a delegate cannot be serialized");
            case Stream: throw walk.Fail("a stream cannot be serialized (store a summary of it instead)");
            case Type or MemberInfo or Assembly: throw walk.Fail("reflection objects cannot be serialized");
            case Task or ValueTask: throw walk.Fail("a task cannot be serialized (await it first)");
            case CancellationToken or WaitHandle or Thread: throw walk.Fail($"a {value.GetType().Name} cannot be serialized");
            case byte[] bytes: return JsonValue.Create(System.Convert.ToBase64String(bytes));
        }

        // An anonymous object is built after its members, so none of them can lead back to it: no cycle check
        // (hashing every object for the check cost more than converting it).
        bool tracked = !IsAnonymous(value.GetType());
        if (tracked && !walk.Visiting.Add(value)) throw walk.Fail("it contains a reference cycle");
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
                        obj[key] = walk.Child(key, entry.Value, depth);
                    }
                    return obj;
                }
                case ITuple tuple:
                {
                    var arr = new JsonArray();
                    for (int i = 0; i < tuple.Length; i++) arr.Add(walk.Child(i, tuple[i], depth));
                    return arr;
                }
                case IEnumerable enumerable when IsPairSequence(value.GetType()):
                    return ConvertPairs(enumerable, walk, depth);
                case IEnumerable enumerable:
                {
                    var arr = new JsonArray();
                    int i = 0;
                    foreach (var item in enumerable) arr.Add(walk.Child(i++, item, depth));
                    return arr;
                }
                default:
                    return ConvertObject(value, walk, depth);
            }
        }
        finally
        {
            if (tracked) walk.Visiting.Remove(value);
        }
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, bool> AnonymousTypes = new();

    internal static bool IsAnonymous(Type type) => AnonymousTypes.GetOrAdd(type, static t =>
        t.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false) && t.Name.Contains("AnonymousType", StringComparison.Ordinal));

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, bool> PairSequences = new();

    // A sequence of key/value pairs that is not an IDictionary (an IReadOnlyDictionary implementation): written as an object.
    private static bool IsPairSequence(Type type) => PairSequences.GetOrAdd(type, static t => t.GetInterfaces().Any(IsGenericDictionary));

    private static bool IsGenericDictionary(Type t) =>
        t.IsGenericType && (t.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>) || t.GetGenericTypeDefinition() == typeof(IDictionary<,>));

    private static JsonObject ConvertPairs(IEnumerable pairs, Walk walk, int depth)
    {
        var obj = new JsonObject();
        foreach (var pair in pairs)
        {
            var type = pair!.GetType();
            var key = type.GetProperty("Key")!.GetValue(pair);
            var val = type.GetProperty("Value")!.GetValue(pair);
            string name = key as string ?? System.Convert.ToString(key, CultureInfo.InvariantCulture) ?? string.Empty;
            obj[name] = walk.Child(name, val, depth);
        }
        return obj;
    }

    private static JsonNode? ConvertObject(object value, Walk walk, int depth)
    {
        JsonTypeInfo info;
        try
        {
            info = ContractOptions.GetTypeInfo(value.GetType());
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or ArgumentException)
        {
            throw walk.Fail($"{value.GetType().Name} cannot be serialized ({ex.Message})", ex);
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
                throw walk.Fail($"{value.GetType().Name} cannot be serialized ({ex.Message})", ex);
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
                throw walk.Fail($"reading {property.Name} threw {ex.GetType().Name}: {ex.Message}", ex);
            }
            if (propertyValue is null && property.ShouldSerialize is { } should && !should(value, null)) continue;
            obj[property.Name] = walk.Child(property.Name, propertyValue, depth);
        }
        return obj;
    }

    /// <summary>
    /// A deep copy of a caller's node. A string System.Text.Json parsed from a lone surrogate's escape (<c>"\ud800"</c>,
    /// which Python writes) throws when its value is read, so it is decoded here as Python decodes it; a property name
    /// holding one cannot be read at all and is refused.
    /// </summary>
    private static JsonNode? Copy(JsonNode? node, Walk walk)
    {
        try
        {
            return node switch
            {
                JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, Copy(p.Value, walk)))),
                JsonArray arr => new JsonArray([.. arr.Select(child => Copy(child, walk))]),
                JsonValue v when v.TryGetValue(out JsonElement e) && e.ValueKind == JsonValueKind.String
                    && System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(e).Contains((byte)'\\') =>
                    PythonJson.Parse(e.GetRawText()),
                _ => node?.DeepClone(),
            };
        }
        catch (InvalidOperationException ex)
        {
            throw walk.Fail("a property name holds a lone UTF-16 surrogate that System.Text.Json cannot read (parse the JSON with PythonJson.Parse instead)", ex);
        }
    }

    // Through PythonJson, which keeps lone surrogates and NaN as Python reads them (the depth limit is measured
    // on the result; only an element of a document parsed with a raised MaxDepth can exceed the parser's bound).
    private static JsonNode? FromElement(JsonElement element, Walk walk)
    {
        if (element.ValueKind == JsonValueKind.Undefined) return null;
        try
        {
            return PythonJson.Parse(element.GetRawText());
        }
        catch (JsonException ex)
        {
            throw walk.Fail($"it nests deeper than {MaxDepth} levels ({ex.Message})", ex);
        }
    }

    private static string Describe(object value) => value switch
    {
        string => "a string",
        IEnumerable => "a list",
        _ when value.GetType().IsPrimitive => $"a {value.GetType().Name}",
        _ => value.GetType().Name,
    };

    /// <summary>
    /// One conversion's state: the objects being visited (to catch cycles) and the path to the current value,
    /// kept as segments and spelled out only when an error names it (building it for every value costs more
    /// than the conversion).
    /// </summary>
    private sealed class Walk(string paramName)
    {
        private readonly List<object> _segments = [];

        public HashSet<object> Visiting { get; } = new(ReferenceEqualityComparer.Instance);

        public JsonNode? Child(object segment, object? value, int depth)
        {
            _segments.Add(segment);
            var node = Convert(value, this, depth + 1);
            _segments.RemoveAt(_segments.Count - 1);
            return node;
        }

        public ArgumentException Fail(string reason, Exception? inner = null)
        {
            var path = new System.Text.StringBuilder(paramName);
            foreach (var segment in _segments)
            {
                if (segment is int index) path.Append('[').Append(index).Append(']');
                else path.Append('.').Append(segment);
            }
            return new ArgumentException($"The {paramName} cannot be stored: at '{path}', {reason}.", paramName, inner);
        }
    }
}
