using System.Numerics;

namespace Ciaf.Metadata.Backends.Pickle;

// The only objects SafeUnpickler ever builds, besides null (None), bool, long and BigInteger (int), double
// (float) and string (str). Each is plain data: no type here runs code when built, compared or converted.

/// <summary>A Python list (mutable: APPEND and APPENDS extend it, and every memo reference sees it).</summary>
internal sealed class PyList(List<object?> items)
{
    public List<object?> Items { get; } = items;
}

/// <summary>A Python tuple.</summary>
internal sealed class PyTuple(object?[] items)
{
    public static readonly PyTuple Empty = new([]);

    public object?[] Items { get; } = items;
}

/// <summary>A Python <c>bytes</c> or <c>bytearray</c> (only the state of a pickled datetime needs it).</summary>
internal sealed class PyBytes(byte[] value)
{
    public byte[] Value { get; } = value;
}

/// <summary>A <c>datetime.datetime</c>, <c>datetime.date</c> or <c>datetime.time</c>, already in its <c>isoformat()</c>.</summary>
internal sealed class PyTemporal(string typeName, string isoFormat)
{
    public string TypeName { get; } = typeName;

    public string IsoFormat { get; } = isoFormat;
}

/// <summary>A <c>datetime.timedelta</c> (only as the offset of a <c>datetime.timezone</c>).</summary>
internal sealed class PyTimeDelta(BigInteger totalMicroseconds)
{
    public BigInteger TotalMicroseconds { get; } = totalMicroseconds;
}

/// <summary>A fixed-offset <c>datetime.timezone</c> (only as the tzinfo of a datetime or time).</summary>
internal sealed class PyTimeZone(long offsetMicroseconds)
{
    public long OffsetMicroseconds { get; } = offsetMicroseconds;
}

/// <summary>The globals a pickle may refer to: constructors of the datetime values above, nothing else.</summary>
internal enum SafeGlobal
{
    DateTime,
    Date,
    Time,
    TimeDelta,
    TimeZone,
    /// <summary><c>_codecs.encode(str, 'latin1')</c>: how protocols 0 to 2 write the bytes of a datetime's state.</summary>
    CodecsEncode,
}

/// <summary>A reference to one of the allowed globals; calling it runs our own code in <see cref="SafeUnpickler"/>, never Python's or .NET's.</summary>
internal sealed class PyGlobal(SafeGlobal kind, string qualifiedName)
{
    public SafeGlobal Kind { get; } = kind;

    public string QualifiedName { get; } = qualifiedName;
}

/// <summary>
/// A Python dict: insertion order kept, a key set again keeps its first position and its first key object
/// (as in Python). Keys are limited to what <c>json.dumps</c> accepts: str, int, float, bool and None.
/// </summary>
internal sealed class PyDict
{
    private static readonly object NoneKey = new();
    private readonly List<KeyValuePair<object?, object?>> _items = [];
    private readonly Dictionary<object, int> _index = new(PyKeyComparer.Instance);

    public IReadOnlyList<KeyValuePair<object?, object?>> Items => _items;

    public int Count => _items.Count;

    /// <summary>Whether <paramref name="key"/> is of a type <c>json.dumps</c> accepts as a key.</summary>
    public static bool IsSupportedKey(object? key) => key is null or string or bool or long or BigInteger or double;

    /// <summary>Sets <c>d[key] = value</c>.</summary>
    /// <exception cref="FormatException">The key is not a str, int, float, bool or None.</exception>
    public void Set(object? key, object? value)
    {
        if (!IsSupportedKey(key))
        {
            throw new FormatException($"pickle holds a dict key of type {SafeUnpickler.TypeName(key)}; only str, int, float, bool and None keys are JSON data");
        }
        object indexKey = key ?? NoneKey;
        if (_index.TryGetValue(indexKey, out int at))
        {
            _items[at] = new(_items[at].Key, value);
        }
        else
        {
            _index.Add(indexKey, _items.Count);
            _items.Add(new(key, value));
        }
    }

    // Python's key equality for these types: True == 1 == 1.0, and int and float compare by value.
    private sealed class PyKeyComparer : IEqualityComparer<object>
    {
        public static readonly PyKeyComparer Instance = new();

        public new bool Equals(object? x, object? y)
        {
            if (ReferenceEquals(x, y)) return true;
            if (x is null || y is null) return false;
            return Normalize(x).Equals(Normalize(y));
        }

        public int GetHashCode(object obj) => Normalize(obj).GetHashCode();

        // Numbers become a BigInteger when integral, else stay a double (NaN equals NaN here, unlike Python).
        private static object Normalize(object key) => key switch
        {
            bool b => b ? BigInteger.One : BigInteger.Zero,
            long l => new BigInteger(l),
            double d when double.IsFinite(d) && Math.Floor(d) == d => new BigInteger(d),
            _ => key,
        };
    }
}
