using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Metadata.Backends.Pickle;

/// <summary>
/// Reads and writes records as the Python reference's Pickle backend stores them: <c>pickle.dump(record_dict)</c>
/// with protocol 4, the dict's keys <c>id, model_name, model_version, stage, event_type, timestamp,
/// metadata_hash, details, metadata</c> in that order and the timestamp as its <c>isoformat()</c> string.
/// </summary>
/// <remarks>
/// <para>
/// Writing: the bytes are those CPython 3.11's <c>pickle.dumps(json.loads(text), 4)</c> produces for the
/// record's JSON text, so JSON objects become dicts (insertion order), arrays lists, numbers int (any size)
/// or float (NaN and infinities included), and Python's <c>json.dumps(metadata, sort_keys=True)</c> of what it
/// loads hashes to <see cref="MetadataRecord.MetadataHash"/>.
/// </para>
/// <para>
/// Reading is safe by construction: the loader is a pickle virtual machine that can only build plain data
/// (dict, list, tuple, str, int, float, bool, None, and <c>datetime</c>, <c>date</c> and <c>time</c> values,
/// which become their <c>isoformat()</c> strings). A pickle that names any other global (a class or function,
/// e.g. <c>os.system</c>) or uses an opcode that builds or reaches objects (<c>BUILD</c>, persistent ids,
/// extension codes, out-of-band buffers) is refused with <see cref="UnsafePickleException"/> at the opcode
/// that names it, before anything is constructed or called. It never loads .NET types, reflects or calls back.
/// </para>
/// </remarks>
public static class PickleRecordCodec
{
    /// <summary>How deep a loaded value may nest (Python's default recursion limit).</summary>
    public const int MaxDepth = PickleWriter.MaxDepth;

    // A pickle can share one subtree many times through the memo (2 bytes per reference), which JSON must
    // copy; this bounds the copies so that a few kilobytes cannot expand into gigabytes.
    private const int MinValueBudget = 1_000_000;
    private const int ValuesPerByte = 16;

    /// <summary>The record as the reference pickles it (protocol 4).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="record"/> is <c>null</c>.</exception>
    /// <exception cref="ArgumentException">The metadata nests deeper than <see cref="MaxDepth"/> levels.</exception>
    public static byte[] Serialize(MetadataRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(record.Metadata, nameof(record));
        // RecordJson gives the fields and their order; the metadata is written from the record itself rather
        // than from the deep copy ToJsonObject makes (JsonNode.DeepClone turns a CLR BigInteger value into an
        // object of its properties, and copying is wasted work here).
        var fields = RecordJson.ToJsonObject(record with { Metadata = [] })
            .Select(field => field.Key == "metadata" ? KeyValuePair.Create(field.Key, (JsonNode?)record.Metadata) : field)
            .ToList();
        return PickleWriter.WriteDict(fields);
    }

    /// <summary>Reads a record from a pickle written by the reference (any protocol, 0 to 5) or by <see cref="Serialize"/>.</summary>
    /// <exception cref="UnsafePickleException">The pickle asks for more than plain data (its message names the refused global or opcode). Nothing was constructed or run.</exception>
    /// <exception cref="FormatException">The bytes are not a pickle of a record (truncated, corrupt, not a dict, a required field missing, values that are not JSON data).</exception>
    public static MetadataRecord Deserialize(ReadOnlySpan<byte> data) =>
        RecordJson.FromOwnedJsonObject(LoadJson(data) as JsonObject
            ?? throw new FormatException("the pickle does not hold a record dict"));

    /// <summary>Loads a pickle of plain data as the JSON document <c>json.dumps</c> would make of it.</summary>
    /// <exception cref="UnsafePickleException">The pickle asks for more than plain data.</exception>
    /// <exception cref="FormatException">The bytes are not a pickle, or hold values that are not JSON data.</exception>
    internal static JsonNode? LoadJson(ReadOnlySpan<byte> data)
    {
        object? value;
        try
        {
            value = SafeUnpickler.Load(data);
        }
        catch (Exception ex) when (ex is InvalidCastException or IndexOutOfRangeException or ArgumentException
                                       or OverflowException or InvalidOperationException or KeyNotFoundException)
        {
            // The loader reports malformed input as FormatException itself; this is the safety net.
            throw new FormatException("not a valid pickle: " + ex.Message, ex);
        }
        long budget = Math.Max(MinValueBudget, (long)data.Length * ValuesPerByte);
        return ToJson(value, 0, ref budget);
    }

    private static JsonNode? ToJson(object? value, int depth, ref long budget)
    {
        if (--budget < 0) throw new FormatException("the pickle expands to too many values (a shared value is referenced too often)");
        if (depth > MaxDepth) throw new FormatException($"the pickle nests deeper than {MaxDepth} levels (or refers to itself)");
        switch (value)
        {
            case null: return null;
            case string s: return JsonValue.Create(s);
            case bool b: return JsonValue.Create(b);
            // Numbers as JsonElement-backed values, like every other backend reads them, so GetValue<int>() etc. work alike.
            case long l: return JsonNode.Parse(l.ToString(CultureInfo.InvariantCulture));
            case double d: return double.IsFinite(d) ? JsonNode.Parse(PythonJson.FormatFloat(d)) : JsonValue.Create(d);
            case BigInteger big:
                // Beyond 64 bits: a JsonElement-backed number keeps every digit (PythonJson writes its raw text).
                string digits = big.ToString(CultureInfo.InvariantCulture);
                if (digits.Length - (big.Sign < 0 ? 1 : 0) > SafeUnpickler.MaxIntDigits)
                {
                    throw new FormatException($"an integer exceeds Python's {SafeUnpickler.MaxIntDigits}-digit limit for JSON");
                }
                return JsonNode.Parse(digits);
            case PyTemporal t: return JsonValue.Create(t.IsoFormat);
            case PyList list: return ToJsonArray(list.Items, depth, ref budget);
            case PyTuple tuple: return ToJsonArray(tuple.Items, depth, ref budget);
            case PyDict dict:
                var obj = new JsonObject();
                foreach (var (key, item) in dict.Items)
                {
                    string name = KeyToString(key);
                    if (obj.ContainsKey(name)) throw new FormatException($"the dict key '{name}' occurs twice once keys are converted to JSON strings");
                    obj.Add(name, ToJson(item, depth + 1, ref budget));
                }
                return obj;
            default:
                throw new FormatException($"the pickle holds a {SafeUnpickler.TypeName(value)} value, which is not JSON data");
        }
    }

    private static JsonArray ToJsonArray(IEnumerable<object?> items, int depth, ref long budget)
    {
        var arr = new JsonArray();
        foreach (var item in items) arr.Add(ToJson(item, depth + 1, ref budget));
        return arr;
    }

    // json.dumps converts these keys to strings: True -> "true", None -> "null", 1 -> "1", 1.5 -> "1.5".
    private static string KeyToString(object? key) => key switch
    {
        string s => s,
        null => "null",
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        BigInteger big => big.ToString(CultureInfo.InvariantCulture),
        double d => PythonJson.FormatFloat(d),
        _ => throw new FormatException($"a dict key of type {SafeUnpickler.TypeName(key)} is not JSON data"),
    };
}
