using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Metadata.Capture;

/// <summary>
/// Captured values as the plain object graph the store's fast lane writes straight to text (dictionaries, arrays, strings,
/// numbers, and the caller's own anonymous objects and POCOs, passed by reference), so that a capture is saved without a
/// <see cref="JsonObject"/>. The stored JSON is byte for byte what <see cref="CapturedValues"/>' nodes store.
/// </summary>
/// <remarks>
/// Those nodes are <c>JsonSerializer</c>'s rendering, which differs from the store's converter in places: a whole double
/// is an integer (<c>1.0</c> → <c>1</c>), NaN and infinities are strings, enums are numbers, dates and times have its
/// formats, a lone surrogate inside an object becomes U+FFFD, a member declared as a base type is written with the base
/// type's members. A value is passed as it is where the two agree; a part where they may not is replaced by the
/// serializer's own rendering of that part (read back from its nodes); a value this class does not recognise takes
/// <see cref="CapturedValues"/>' node, converted back to plain values where that is exact and kept as a node otherwise
/// (the store then takes its node path for the record, as every capture did before).
/// </remarks>
internal static class PlainCapturedValues
{
    // Deeper values are left to CapturedValues, whose serializer refuses more than 32 levels (and summarizes instead).
    private const int MaxPlainDepth = 16;

    private static readonly ConcurrentDictionary<Type, Shape> Shapes = new();

    /// <summary><see cref="CapturedValues.Storable"/> of <paramref name="value"/> as a plain value (a value given to <c>AddMetadata</c>).</summary>
    public static object? Storable(object? value)
    {
        switch (value)
        {
            case null or string or bool or int or long:
                return value; // Storable keeps a string whole, whatever its length; integers have the same digits either way
            case double d when IsPlainDouble(d):
                return value;
            case JsonNode node:
                return FromNode(node);
            case Stream or Delegate or Task or Type or CancellationToken or CapturedValues.UnreadableValue:
                return FromNode(CapturedValues.Storable(value));
        }
        // A value of a converter of its own (dates, enums, other numbers, JsonElement) has forms of Storable's own; an
        // object or a collection is what the serializer writes.
        var type = value.GetType();
        if (ShapeOf(type).Kind != ShapeKind.Converted && TryPlain(value, type, 0, out object? plain))
        {
            return plain;
        }
        return FromNode(CapturedValues.Storable(value));
    }

    /// <summary><see cref="CapturedValues.Member"/> of <paramref name="value"/> as a plain value (a member of an object given to <c>UpdateMetadata</c>).</summary>
    public static object? Member(object? value, Type declared)
    {
        return TryPlain(value, declared, 0, out object? plain) ? plain : FromNode(CapturedValues.Member(value, declared));
    }

    /// <summary>Whether <paramref name="value"/> is a graph the fast lane walks: an object, a list or array, a dictionary (not a scalar, not a node).</summary>
    public static bool IsObjectGraph(object? value) => value is not (null or string or bool or int or long or double or JsonNode)
        && ShapeOf(value.GetType()).Kind is ShapeKind.Object or ShapeKind.List or ShapeKind.Dictionary;

    /// <summary>
    /// A node as the plain value the fast lane writes as the store would write the node; a part that has no exact plain form
    /// stays a node (a string whose escape holds a lone surrogate, an integer beyond 64 bits, a value of another CLR type).
    /// </summary>
    public static object? FromNode(JsonNode? node)
    {
        try
        {
            return Plain(node);
        }
        catch (InvalidOperationException)
        {
            // A property name holding a lone surrogate's escape cannot be read: the store's node path refuses it, as before.
            return node;
        }
    }

    private static object? Plain(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonObject obj:
            {
                var members = new Dictionary<string, object?>(obj.Count, StringComparer.Ordinal);
                foreach (var (key, child) in obj) members[key] = Plain(child);
                return members;
            }
            case JsonArray arr:
            {
                var items = new object?[arr.Count];
                for (int i = 0; i < items.Length; i++) items[i] = Plain(arr[i]);
                return items;
            }
            case JsonValue value when value.TryGetValue(out JsonElement element):
                return FromElement(element) ?? node;
            case JsonValue value:
                // The CLR values PythonJsonWriter writes as the converter writes them (decimal and Half as doubles, char as a string).
                object raw = value.GetValue<object>();
                return raw switch
                {
                    string or bool or double or float or long or int or short or sbyte or byte or ushort or uint or ulong
                        or System.Numerics.BigInteger or Int128 or UInt128 => raw,
                    decimal m => (double)m,
                    Half h => (double)h,
                    char c => c.ToString(),
                    _ => node,
                };
            default:
                return node;
        }
    }

    // A leaf element as PythonJsonWriter.WriteElement writes it; null (meaning: keep the node) where it has no exact plain form.
    private static object? FromElement(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                try
                {
                    return element.GetString();
                }
                catch (InvalidOperationException)
                {
                    return null; // a lone surrogate's escape: the store's node path decodes it as Python does
                }
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            case JsonValueKind.Number:
            {
                // PythonJsonWriter.WriteNumber: a token with a fraction or an exponent is a float, else an integer.
                var raw = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(element);
                if (raw.IndexOfAny((byte)'.', (byte)'e', (byte)'E') >= 0) return double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture);
                if (long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l)) return l;
                return System.Numerics.BigInteger.Parse(System.Text.Encoding.ASCII.GetString(raw), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            }
            default:
                return null; // null, objects and arrays held in one value: rare, left to the node path
        }
    }

    // A finite double with a fraction: the serializer's shortest round-trip token reads back as the same double, which the
    // store writes as Python's repr either way. A whole double is an integer token (1.0 → 1), NaN and infinities strings.
    private static bool IsPlainDouble(double d) => double.IsFinite(d) && d != Math.Floor(d);

    /// <summary>
    /// <paramref name="value"/>, written by the serializer as a value declared <paramref name="declared"/>, as a plain value:
    /// the value itself when the fast lane writes the same text, a copy with the differing parts replaced otherwise; false
    /// when the value holds something this walk does not follow (the caller takes the serializer's nodes).
    /// </summary>
    private static bool TryPlain(object? value, Type declared, int depth, out object? plain)
    {
        plain = value;
        var type = value?.GetType();
        // The serializer writes a value through its declared type's contract (an int declared as IComparable is "{}", a
        // Dog declared as Animal has Animal's members); the fast lane always uses the runtime type.
        if (value is null || !(declared == typeof(object) || declared == type || Nullable.GetUnderlyingType(declared) == type))
        {
            return value is null;
        }
        switch (value)
        {
            case string s:
                return !HasLoneSurrogate(s) || TryWithSerializer(value, depth, out plain); // the serializer writes U+FFFD for it
            case bool or int or long:
                return true;
            case double d when IsPlainDouble(d):
                return true;
        }
        if (depth > MaxPlainDepth)
        {
            return false;
        }
        var shape = ShapeOf(type!);
        return shape.Kind switch
        {
            ShapeKind.Converted => TryWithSerializer(value, depth, out plain),
            ShapeKind.Object => TryObject(value, shape.Contract!, depth, out plain),
            ShapeKind.List => TryList((IList)value, shape.Element!, depth, out plain),
            ShapeKind.Dictionary => TryDictionary((IDictionary)value, shape.Element!, depth, out plain),
            _ => false,
        };
    }

    // A value of a converter of its own, written by the serializer alone: the same converter writes it inside an object.
    // What it writes may nest (a JsonElement, a JsonNode): the whole must stay within the serializer's depth as before.
    private static bool TryWithSerializer(object value, int depth, out object? plain)
    {
        try
        {
            var node = JsonSerializer.SerializeToNode(value, value.GetType(), CapturedValues.SerializerOptions);
            plain = FromNode(node);
            return node is not (JsonObject or JsonArray) || depth + Levels(node) <= MaxPlainDepth;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            plain = null;
            return false;
        }
    }

    private static bool TryObject(object value, MetadataConverter.PropertyOrder contract, int depth, out object? plain)
    {
        plain = value;
        // Stored members only (fields, auto-properties, an anonymous type's): a copy re-reads the members before a change.
        if (!contract.Stored || !contract.SerializedAsDeclared)
        {
            return false;
        }
        var properties = contract.Declared;
        // A tuple is an object to the serializer (its properties, or none: it does not write fields) and an array to the
        // converter, so it is always copied.
        var copy = value is System.Runtime.CompilerServices.ITuple ? new Dictionary<string, object?>(properties.Length, StringComparer.Ordinal) : null;
        var readers = contract.Readers;
        for (int i = 0; i < properties.Length; i++)
        {
            var property = properties[i];
            if (copy is null && property.ShouldSerialize is null && Agrees(readers[i].Typed, value))
            {
                continue; // a number or boolean the serializer writes as the converter does, read without boxing it
            }
            if (!TryRead(property, value, out object? member, out bool skipped))
            {
                return false;
            }
            object? memberPlain = null;
            if (!skipped && !TryPlain(member, property.PropertyType, depth + 1, out memberPlain))
            {
                return false;
            }
            // The converter writes a member the serializer skips unless it is null; a copy leaves it out.
            if (copy is null && ((skipped && member is not null) || (!skipped && !ReferenceEquals(memberPlain, member))))
            {
                copy = new Dictionary<string, object?>(properties.Length, StringComparer.Ordinal);
                for (int j = 0; j < i; j++)
                {
                    if (!TryRead(properties[j], value, out object? earlier, out bool earlierSkipped)) return false;
                    if (!earlierSkipped) copy[properties[j].Name] = earlier;
                }
            }
            if (copy is not null && !skipped)
            {
                copy[property.Name] = memberPlain;
            }
        }
        plain = (object?)copy ?? value;
        return true;
    }

    // A member read through its typed reader (a double, an int or long, a bool) that the serializer writes as the fast lane
    // does: every integer and boolean, a double with a fraction. False when there is no such reader or the value differs.
    private static bool Agrees(Delegate? typed, object value)
    {
        try
        {
            return typed switch
            {
                Func<object, long> or Func<object, bool> => true,
                Func<object, double> d => IsPlainDouble(d(value)),
                _ => false,
            };
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return false; // read again below, where a throwing getter is handled
        }
    }

    private static bool TryRead(JsonPropertyInfo property, object value, out object? member, out bool skipped)
    {
        try
        {
            member = property.Get!(value);
            skipped = property.ShouldSerialize is { } should && !should(value, member);
            return true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            member = null;
            skipped = false;
            return false;
        }
    }

    private static bool TryList(IList list, Type element, int depth, out object? plain)
    {
        plain = list;
        object?[]? copy = null;
        int count = list.Count;
        for (int i = 0; i < count; i++)
        {
            object? item = list[i];
            if (!TryPlain(item, element, depth + 1, out object? itemPlain))
            {
                return false;
            }
            if (copy is null && !ReferenceEquals(itemPlain, item))
            {
                copy = new object?[count];
                for (int j = 0; j < i; j++) copy[j] = list[j];
            }
            if (copy is not null)
            {
                copy[i] = itemPlain;
            }
        }
        plain = (object?)copy ?? list;
        return true;
    }

    private static bool TryDictionary(IDictionary dictionary, Type element, int depth, out object? plain)
    {
        plain = dictionary;
        Dictionary<string, object?>? copy = null;
        int i = 0;
        foreach (DictionaryEntry entry in dictionary)
        {
            if (!TryPlain(entry.Value, element, depth + 1, out object? valuePlain))
            {
                return false;
            }
            if (copy is null && !ReferenceEquals(valuePlain, entry.Value))
            {
                copy = new Dictionary<string, object?>(dictionary.Count, StringComparer.Ordinal);
                int j = 0;
                foreach (DictionaryEntry earlier in dictionary)
                {
                    if (j++ == i) break;
                    copy[(string)earlier.Key] = earlier.Value;
                }
            }
            if (copy is not null)
            {
                copy[(string)entry.Key] = valuePlain;
            }
            i++;
        }
        plain = (object?)copy ?? dictionary;
        return true;
    }

    // Objects and arrays nested in a node, itself included.
    private static int Levels(JsonNode? node) => node switch
    {
        JsonObject obj => 1 + obj.Select(p => Levels(p.Value)).DefaultIfEmpty(0).Max(),
        JsonArray arr => 1 + arr.Select(Levels).DefaultIfEmpty(0).Max(),
        _ => 0,
    };

    private static bool HasLoneSurrogate(string s)
    {
        var span = s.AsSpan();
        int at = span.IndexOfAnyInRange('\uD800', '\uDFFF');
        if (at < 0)
        {
            return false;
        }
        for (int i = at; i < span.Length; i++)
        {
            char c = span[i];
            if (char.IsHighSurrogate(c) && i + 1 < span.Length && char.IsLowSurrogate(span[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return true;
            }
        }
        return false;
    }

    private enum ShapeKind
    {
        /// <summary>Not followed: the serializer's nodes decide.</summary>
        Other,

        /// <summary>Written by a converter of its own (numbers, dates, enums, JsonElement, byte[]).</summary>
        Converted,

        /// <summary>An object written member by member through the converter's cached contract.</summary>
        Object,

        /// <summary>A one-dimensional array or a <see cref="List{T}"/>: written item by item, in order.</summary>
        List,

        /// <summary>A <see cref="Dictionary{TKey, TValue}"/> with string keys: written entry by entry, in its order.</summary>
        Dictionary,
    }

    private sealed record Shape(ShapeKind Kind, MetadataConverter.PropertyOrder? Contract = null, Type? Element = null);

    private static Shape ShapeOf(Type type) => Shapes.GetOrAdd(type, static t =>
    {
        switch (MetadataConverter.ContractKind(t))
        {
            case JsonTypeInfoKind.None:
                return new Shape(ShapeKind.Converted);
            case JsonTypeInfoKind.Object when MetadataConverter.ObjectContract(t) is { } contract:
                return new Shape(ShapeKind.Object, contract);
            case JsonTypeInfoKind.Enumerable when t.IsSZArray:
                return new Shape(ShapeKind.List, Element: t.GetElementType());
            case JsonTypeInfoKind.Enumerable when t.IsGenericType && t.GetGenericTypeDefinition() == typeof(List<>):
                return new Shape(ShapeKind.List, Element: t.GetGenericArguments()[0]);
            case JsonTypeInfoKind.Dictionary when t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Dictionary<,>)
                && t.GetGenericArguments()[0] == typeof(string):
                return new Shape(ShapeKind.Dictionary, Element: t.GetGenericArguments()[1]);
            default:
                return new Shape(ShapeKind.Other);
        }
    });
}
