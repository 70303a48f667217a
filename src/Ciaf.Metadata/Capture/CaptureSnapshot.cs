using System.Collections;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Metadata.Capture;

/// <summary>
/// A capture's fields, snapshotted when its scope ended (<see cref="CaptureSnapshot.TryFreezeField"/>), and how to render
/// them: what a buffered store's writer converts. Rendering never throws: a failure becomes the record a failed rendering on
/// the caller's thread gives (<c>execution_time</c> and <c>capture_error</c>).
/// </summary>
internal sealed class CapturedPayload(Func<Dictionary<string, object?>> plain, Func<JsonObject> nodes, double seconds)
{
    /// <summary>The record's metadata as plain values (<c>MetadataCapture.BuildMetadata</c>).</summary>
    public Dictionary<string, object?> Plain() => Safely(plain, e => new Dictionary<string, object?> { ["execution_time"] = seconds, ["capture_error"] = e.Message });

    /// <summary>The record's metadata as the nodes captures stored before the plain form (the fallback when it is refused).</summary>
    public JsonObject Nodes() => Safely(nodes, e => new JsonObject { ["execution_time"] = seconds, ["capture_error"] = e.Message });

    private static T Safely<T>(Func<T> render, Func<Exception, T> failed)
    {
        try
        {
            return render();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return failed(ex);
        }
    }
}

/// <summary>
/// Makes a capture's values safe to render and convert later, on the buffered writer's thread, instead of on the caller's
/// when the scope ends: every part the caller could still change (an array, a list, a dictionary) is copied now, and what
/// cannot change is kept by reference (strings, numbers, dates, and anonymous objects, whose members are read-only, holding
/// only such values). The copy writes exactly the text the values would have written when the scope ended. Two steps, the
/// first that applies: the fields as given (<see cref="TryFreezeField"/>: the writer then also renders them, as
/// <see cref="PlainCapturedValues"/> does), or the plain values rendered on the caller's thread (<see cref="TryFreeze(Dictionary{string, object?}, long)"/>).
/// A value of any other kind (a POCO, whose setters the caller may use; a node) is not snapshotted: the capture is then
/// converted on the caller's thread, as before.
/// </summary>
/// <remarks>
/// The snapshot also bounds the length of the canonical text, so that a capture too large for
/// <see cref="Storage.MetadataStorageOptions.MaxMetadataBytes"/> is still refused on the caller's thread (by the exact check the
/// caller's conversion makes), never accepted and then found too large by the writer.
/// </remarks>
internal static class CaptureSnapshot
{
    // Deeper than the plain form goes (PlainCapturedValues keeps 16 levels): anything deeper is not expected here.
    private const int MaxDepth = 32;

    // The most bytes a value of a fixed-size type takes in the canonical text, however it is rendered: a number (a double's
    // repr is at most 24 characters, a decimal's 30), true/false, null, a date or time (at most 35 characters), a Guid (38).
    private const int ScalarBound = 64;

    private static readonly ConcurrentDictionary<Type, Kind> Kinds = new();

    /// <summary>
    /// Replaces, in place, every value of <paramref name="data"/> (a dictionary the capture built and no one else holds) by
    /// its snapshot. False when a value cannot be snapshotted, or the canonical text could be longer than
    /// <paramref name="maxBytes"/>: the caller then converts <paramref name="data"/> itself (its values are equal either way).
    /// </summary>
    public static bool TryFreeze(Dictionary<string, object?> data, long maxBytes)
    {
        long bound = 2;
        foreach (var key in data.Keys)
        {
            // Replaced through a reference to the value: the dictionary does not change shape, so its enumeration goes on.
            ref object? value = ref CollectionsMarshal.GetValueRefOrNullRef(data, key);
            if (!TryFreeze(value, 1, ref bound, out object? frozen)) return false;
            value = frozen;
            bound += StringBound(key) + 4;
            if (bound > maxBytes) return false;
        }
        return true;
    }

    /// <summary>
    /// A captured field's value as given (<c>AddMetadata</c>, or a member of an <c>UpdateMetadata</c> object), before it is
    /// rendered: kept when it cannot change (a string, a number, a date, an enum, an anonymous object of such values); an
    /// array, <see cref="List{T}"/> or <see cref="Dictionary{TKey, TValue}"/> with string keys of such values copied into
    /// a collection of the same type (its type decides how it is rendered). False for anything else. Adds to
    /// <paramref name="bound"/> what the field can take in the canonical text.
    /// </summary>
    public static bool TryFreezeField(string key, object? value, ref long bound, out object? frozen)
    {
        frozen = value;
        bound += StringBound(key) + 4;
        switch (value)
        {
            case null:
                bound += ScalarBound;
                return true;
            case string s:
                bound += StringBound(s);
                return true;
        }
        var type = value.GetType();
        if (type.IsValueType)
        {
            bound += ScalarBound;
            return IsFixedSize(type);
        }
        var kind = KindOf(type);
        switch (kind.Shape)
        {
            case Shape.Immutable:
                bound += kind.Bound(value);
                return true;
            case Shape.Array or Shape.List or Shape.Dictionary when kind.Element is { Shape: Shape.Immutable } element:
                bound += CollectionBound(value, element);
                frozen = kind.Shape == Shape.Array ? ((Array)value).Clone() : kind.Copy!(value);
                return true;
            default:
                return false;
        }
    }

    // An array, list or dictionary of items that cannot change, in the canonical text.
    private static long CollectionBound(object collection, Kind element)
    {
        int count = ((ICollection)collection).Count;
        long bound = 2 + count * 2L + (element.Varying.Length == 0 ? count * element.Fixed : 0);
        if (collection is IDictionary dictionary)
        {
            foreach (DictionaryEntry entry in dictionary)
            {
                bound += StringBound((string)entry.Key) + 2;
                if (element.Varying.Length > 0) bound += entry.Value is { } value ? element.Bound(value) : ScalarBound;
            }
        }
        else if (element.Varying.Length > 0)
        {
            var items = (IList)collection;
            for (int i = 0; i < items.Count; i++) bound += items[i] is { } item ? element.Bound(item) : ScalarBound;
        }
        return bound;
    }

    private static bool TryFreeze(object? value, int depth, ref long bound, out object? frozen)
    {
        frozen = value;
        switch (value)
        {
            case null or bool or int or long or double:
                bound += ScalarBound;
                return true;
            case string s:
                bound += StringBound(s);
                return true;
        }
        if (depth > MaxDepth) return false;
        var type = value.GetType();
        var kind = KindOf(type);
        switch (kind.Shape)
        {
            case Shape.Immutable:
                bound += kind.Bound(value);
                return true;
            case Shape.Object:
                return TryCopyObject(value, kind.Contract!, depth, ref bound, out frozen);
            case Shape.Array when kind.Element is { Shape: Shape.Immutable } element:
                // Items that cannot change: a shallow copy of the array is its snapshot.
                bound += CollectionBound(value, element);
                frozen = ((Array)value).Clone();
                return true;
            case Shape.Array or Shape.List:
                return TryCopyList((IList)value, depth, ref bound, out frozen);
            case Shape.Dictionary:
                return TryCopyDictionary((IDictionary)value, depth, ref bound, out frozen);
            default:
                return false;
        }
    }

    // An anonymous object with a member that can change (an array): copied into a dictionary of its members in their order,
    // which the store writes as it writes the object. A member the converter skips when null (an ignore condition) is left out.
    private static bool TryCopyObject(object value, MetadataConverter.PropertyOrder contract, int depth, ref long bound, out object? frozen)
    {
        frozen = null;
        var properties = contract.Declared;
        var copy = new Dictionary<string, object?>(properties.Length, StringComparer.Ordinal);
        bound += 2;
        foreach (var property in properties)
        {
            object? member = property.Get!(value);
            if (member is null && property.ShouldSerialize is { } should && !should(value, null)) continue;
            if (!TryFreeze(member, depth + 1, ref bound, out object? memberFrozen)) return false;
            bound += StringBound(property.Name) + 4;
            copy[property.Name] = memberFrozen;
        }
        frozen = copy;
        return true;
    }

    private static bool TryCopyList(IList list, int depth, ref long bound, out object? frozen)
    {
        frozen = null;
        var copy = new object?[list.Count];
        bound += 2;
        for (int i = 0; i < copy.Length; i++)
        {
            if (!TryFreeze(list[i], depth + 1, ref bound, out copy[i])) return false;
            bound += 2;
        }
        frozen = copy;
        return true;
    }

    private static bool TryCopyDictionary(IDictionary dictionary, int depth, ref long bound, out object? frozen)
    {
        frozen = null;
        var copy = new Dictionary<string, object?>(dictionary.Count, StringComparer.Ordinal);
        bound += 2;
        foreach (DictionaryEntry entry in dictionary)
        {
            if (!TryFreeze(entry.Value, depth + 1, ref bound, out object? valueFrozen)) return false;
            var key = (string)entry.Key;
            bound += StringBound(key) + 4;
            copy[key] = valueFrozen;
        }
        frozen = copy;
        return true;
    }

    // A string in the canonical text: quoted, each UTF-16 unit at most six bytes (\uXXXX).
    private static long StringBound(string s) => 2 + 6L * s.Length;

    private enum Shape
    {
        /// <summary>Not snapshotted: the capture is converted on the caller's thread.</summary>
        Other,

        /// <summary>An anonymous object of values that cannot change, at any depth: kept by reference.</summary>
        Immutable,

        /// <summary>Another anonymous object: copied into a dictionary.</summary>
        Object,

        /// <summary>A one-dimensional array.</summary>
        Array,

        /// <summary>A <see cref="List{T}"/>.</summary>
        List,

        /// <summary>A <see cref="Dictionary{TKey, TValue}"/> with string keys.</summary>
        Dictionary,
    }

    /// <summary>What a type is to the snapshot; for an immutable anonymous type, how to bound its text.</summary>
    private sealed class Kind(Shape shape, MetadataConverter.PropertyOrder? contract = null, Kind? element = null, Func<object, object>? copy = null)
    {
        /// <summary>For a list or dictionary: a copy of the same type, same order.</summary>
        public Func<object, object>? Copy { get; } = copy;

        public Shape Shape { get; } = shape;

        public MetadataConverter.PropertyOrder? Contract { get; } = contract;

        public Kind? Element { get; } = element;

        // An immutable anonymous type: the bound of its members of fixed size, and its members whose size varies (strings,
        // nested anonymous objects), read to bound them.
        public long Fixed { get; init; }

        public (Func<object, object?> Get, Kind? Nested)[] Varying { get; init; } = [];

        public long Bound(object value)
        {
            long bound = Fixed;
            foreach (var (get, nested) in Varying)
            {
                bound += get(value) switch
                {
                    null => ScalarBound,
                    string s => StringBound(s),
                    { } member => nested!.Bound(member),
                };
            }
            return bound;
        }
    }

    private static readonly Kind Other = new(Shape.Other);

    private static Kind KindOf(Type type) => Kinds.TryGetValue(type, out var kind) ? kind : Kinds.GetOrAdd(type, Classify(type, 0));

    private static Kind Classify(Type type, int depth)
    {
        if (depth > MaxDepth) return Other;
        if (type.IsSZArray)
        {
            return new Kind(Shape.Array, element: ElementKind(type.GetElementType()!, depth));
        }
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            var t = type.GetGenericArguments()[0];
            return new Kind(Shape.List, element: ElementKind(t, depth), copy: CopyOf(nameof(CopyList), t));
        }
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>) && type.GetGenericArguments()[0] == typeof(string))
        {
            var t = type.GetGenericArguments()[1];
            return new Kind(Shape.Dictionary, element: ElementKind(t, depth), copy: CopyOf(nameof(CopyDictionary), t));
        }
        if (!MetadataConverter.IsAnonymous(type) || MetadataConverter.ObjectContract(type) is not { Stored: true } contract)
        {
            return Other;
        }
        // An anonymous type's members are read-only: it cannot change if none of its members' types can.
        long fixedBound = 2;
        var varying = new List<(Func<object, object?>, Kind?)>();
        foreach (var property in contract.Declared)
        {
            var t = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            fixedBound += StringBound(property.Name) + 4;
            if (IsFixedSize(t))
            {
                fixedBound += ScalarBound;
            }
            else if (t == typeof(string))
            {
                varying.Add((property.Get!, null));
            }
            else if (t.IsSealed && KindOf(t) is { Shape: Shape.Immutable } nested && property.ShouldSerialize is null)
            {
                varying.Add((property.Get!, nested));
            }
            else
            {
                return new Kind(Shape.Object, contract);
            }
        }
        return new Kind(Shape.Immutable, contract) { Fixed = fixedBound, Varying = [.. varying] };
    }

    // Value types that hold no reference and whose text has a fixed bound (BigInteger, unbounded, is not one of them).
    private static bool IsFixedSize(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(decimal) || type == typeof(DateTime) || type == typeof(DateTimeOffset)
            || type == typeof(DateOnly) || type == typeof(TimeOnly) || type == typeof(TimeSpan) || type == typeof(Guid) || type == typeof(Half)
            || type == typeof(Int128) || type == typeof(UInt128);
    }

    private static Func<object, object> CopyOf(string method, Type element) =>
        typeof(CaptureSnapshot).GetMethod(method, System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(element).CreateDelegate<Func<object, object>>();

    private static object CopyList<T>(object list) => new List<T>((List<T>)list);

    private static object CopyDictionary<T>(object dictionary)
    {
        var source = (Dictionary<string, T>)dictionary;
        return new Dictionary<string, T>(source, source.Comparer);
    }

    // An item type: only a type whose every value cannot change lets its collection be copied shallowly.
    private static Kind? ElementKind(Type element, int depth)
    {
        if (IsFixedSize(element))
        {
            return new Kind(Shape.Immutable) { Fixed = ScalarBound };
        }
        if (element == typeof(string))
        {
            return new Kind(Shape.Immutable) { Varying = [(static s => s, null)] };
        }
        return element.IsSealed && MetadataConverter.IsAnonymous(element) ? Classify(element, depth + 1) : null;
    }
}
