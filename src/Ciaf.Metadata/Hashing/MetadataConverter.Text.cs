using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Ciaf.Metadata.Hashing;

// The save path's fast lane: a payload of dictionaries, lists, anonymous objects and POCOs of plain values is written
// straight to its canonical text (hashed) and its compact text (stored), with no JsonObject built. Anything it does not
// handle exactly as ToJsonObject + PythonJson would (JSON nodes and elements, duplicate keys once converted to strings,
// converters of their own, getters that throw, cycles, too deep, values that cannot be stored) makes it give up, and
// the caller takes the node path, which also produces the error messages.
public static partial class MetadataConverter
{
    /// <summary>
    /// Writes <paramref name="payload"/> as <c>json.dumps(payload, sort_keys=True)</c> (hashed) and as
    /// <c>json.dumps(payload)</c> without building nodes; <c>false</c> when the payload needs <see cref="ToJsonObject"/>.
    /// </summary>
    /// <param name="payload">The caller's payload (not <c>null</c>).</param>
    /// <param name="compact">The compact text, keys in the payload's order.</param>
    /// <param name="canonicalLength">The length of the canonical text, in bytes (ASCII).</param>
    /// <param name="hash">SHA-256 (lowercase hex) of the canonical text.</param>
    internal static bool TryWriteText(object payload, out string compact, out int canonicalLength, out string hash)
    {
        compact = hash = string.Empty;
        canonicalLength = 0;
        if (payload is IEnumerable and not IDictionary || payload is ITuple || IsScalar(payload)) return false; // not an object
        var writer = PythonJsonWriter.Rent();
        try
        {
            // Canonical first: its sorting is where duplicate keys show.
            if (!TryWrite(writer, payload, sorted: true, level: 1)) return false;
            canonicalLength = writer.Written.Length;
            hash = PythonJson.HashOf(writer.Written);
            writer.Clear();
            if (!TryWrite(writer, payload, sorted: false, level: 1)) return false;
            compact = writer.ToString();
            return true;
        }
        finally
        {
            writer.Return();
        }
    }

    // The plain values Convert turns into one JsonValue (written through it, so the text is the same by construction).
    private static bool IsScalar(object value) => value is string or bool or char or byte or sbyte or short or ushort or int or uint
        or long or ulong or BigInteger or Int128 or UInt128 or nint or nuint or double or float or Half or decimal or DateTimeOffset
        or DateTime or DateOnly or TimeOnly or TimeSpan or Guid or Enum or Uri or Version or byte[];

    private static bool TryWrite(PythonJsonWriter writer, object? value, bool sorted, int level)
    {
        switch (value)
        {
            case null: writer.WriteRaw("null"u8); return true;
            case string s: writer.WriteString(s); return true;
            case bool b: writer.WriteRaw(b ? "true"u8 : "false"u8); return true;
            case int i: writer.WriteInteger(i); return true;
            case long l: writer.WriteInteger(l); return true;
            case double d: writer.WriteFloat(d); return true;
            case float f: writer.WriteFloat(f); return true;
            case JsonNode or JsonElement or JsonDocument: return false;
        }
        if (IsScalar(value))
        {
            writer.WriteNode(ToJsonNode(value), PythonJsonStyle.Compact, 0);
            return true;
        }
        if (level > MaxDepth) return false;
        switch (value)
        {
            case IDictionary dictionary: return TryWriteDictionary(writer, dictionary, sorted, level);
            case ITuple tuple:
            {
                writer.WriteRaw("["u8);
                for (int i = 0; i < tuple.Length; i++)
                {
                    if (i > 0) writer.WriteRaw(", "u8);
                    if (!TryWrite(writer, tuple[i], sorted, level + 1)) return false;
                }
                writer.WriteRaw("]"u8);
                return true;
            }
            // Each pass reads the payload once, so only what reads the same twice: a stored collection, not a lazy sequence.
            case IEnumerable when IsPairSequence(value.GetType()) || value is not ICollection: return false;
            case IEnumerable enumerable:
            {
                writer.WriteRaw("["u8);
                bool first = true;
                foreach (var item in enumerable)
                {
                    if (!first) writer.WriteRaw(", "u8);
                    first = false;
                    if (!TryWrite(writer, item, sorted, level + 1)) return false;
                }
                writer.WriteRaw("]"u8);
                return true;
            }
            case Delegate or Stream or System.Reflection.MemberInfo or System.Reflection.Assembly or Task or ValueTask
                or CancellationToken or WaitHandle or Thread:
                return false;
            default:
                return TryWriteObject(writer, value, sorted, level);
        }
    }

    private static bool TryWriteDictionary(PythonJsonWriter writer, IDictionary dictionary, bool sorted, int level)
    {
        int count = dictionary.Count;
        var members = ArrayPool<KeyValuePair<string, object?>>.Shared.Rent(Math.Max(count, 1));
        try
        {
            int n = 0;
            foreach (DictionaryEntry entry in dictionary)
            {
                if (n == members.Length) return false; // changed while read
                string key = entry.Key as string ?? System.Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty;
                members[n++] = KeyValuePair.Create(key, entry.Value);
            }
            var span = members.AsSpan(0, n);
            if (sorted)
            {
                span.Sort(static (a, b) => PythonJson.CodePointComparer.Compare(a.Key, b.Key));
                for (int i = 1; i < span.Length; i++)
                {
                    if (string.Equals(span[i - 1].Key, span[i].Key, StringComparison.Ordinal)) return false; // 1 and "1": the node path merges them
                }
            }
            writer.WriteRaw("{"u8);
            for (int i = 0; i < span.Length; i++)
            {
                if (i > 0) writer.WriteRaw(", "u8);
                writer.WriteString(span[i].Key);
                writer.WriteRaw(": "u8);
                if (!TryWrite(writer, span[i].Value, sorted, level + 1)) return false;
            }
            writer.WriteRaw("}"u8);
            return true;
        }
        finally
        {
            ArrayPool<KeyValuePair<string, object?>>.Shared.Return(members, clearArray: true);
        }
    }

    private static bool TryWriteObject(PythonJsonWriter writer, object value, bool sorted, int level)
    {
        JsonTypeInfo info;
        try
        {
            info = ContractOptions.GetTypeInfo(value.GetType());
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or ArgumentException)
        {
            return false;
        }
        if (info.Kind != JsonTypeInfoKind.Object) return false;
        var properties = PropertyOrders.GetValue(info, static i => new PropertyOrder(i));
        if (!properties.Stored) return false;
        writer.WriteRaw("{"u8);
        bool first = true;
        foreach (var property in sorted ? properties.Sorted : properties.Declared)
        {
            object? propertyValue;
            try
            {
                propertyValue = property.Get!(value);
            }
            catch (Exception)
            {
                return false;
            }
            if (propertyValue is null && property.ShouldSerialize is { } should && !should(value, null)) continue;
            if (!first) writer.WriteRaw(", "u8);
            first = false;
            writer.WriteString(property.Name);
            writer.WriteRaw(": "u8);
            if (!TryWrite(writer, propertyValue, sorted, level + 1)) return false;
        }
        writer.WriteRaw("}"u8);
        return true;
    }

    private static readonly ConditionalWeakTable<JsonTypeInfo, PropertyOrder> PropertyOrders = new();

    private static bool IsStored(JsonPropertyInfo property) => property.AttributeProvider switch
    {
        System.Reflection.FieldInfo => true,
        System.Reflection.PropertyInfo p => p.DeclaringType?.GetField($"<{p.Name}>k__BackingField",
            System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic) is not null,
        _ => false,
    };

    /// <summary>A type's readable properties in declaration order and in Python's key order, worked out once.</summary>
    private sealed class PropertyOrder(JsonTypeInfo info)
    {
        /// <summary>
        /// Whether every member is a stored value (a field, an auto-property, an anonymous type's member), so the two passes
        /// read the same values; a computed property (<c>DateTime.UtcNow</c>, a counter) could differ between them.
        /// </summary>
        public bool Stored { get; } = IsAnonymous(info.Type) || info.Properties.All(p => p.Get is null || IsStored(p));

        public JsonPropertyInfo[] Declared { get; } = [.. info.Properties.Where(p => p.Get is not null)];

        public JsonPropertyInfo[] Sorted { get; } =
            [.. info.Properties.Where(p => p.Get is not null).OrderBy(p => p.Name, PythonJson.CodePointComparer)];
    }
}
