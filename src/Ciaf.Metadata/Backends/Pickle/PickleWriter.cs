using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;

namespace Ciaf.Metadata.Backends.Pickle;

/// <summary>
/// Writes a JSON document as a protocol 4 pickle, byte for byte as CPython 3.11's <c>pickle.dumps(obj, 4)</c>
/// writes the object that <c>json.loads</c> makes of that document.
/// </summary>
/// <remarks>
/// Razorvine.Pickle's <c>Pickler</c> cannot do this, so this small writer does: it always writes protocol 2
/// (<c>PROTO 2</c>, no frames, <c>BINUNICODE</c> only), has no <see cref="BigInteger"/> support (a
/// <see cref="BigInteger"/> falls through to its reflection-based object pickling and fails with
/// "recursion too deep"), writes integers beyond 64 bits as text, and pickles dictionaries in their
/// <see cref="System.Collections.IDictionary"/> enumeration order, which <c>Hashtable</c> does not keep.
/// <para>
/// The layout mirrors CPython's C pickler (<c>Modules/_pickle.c</c>): frames of at least 64 KiB committed at
/// the start of each <c>save</c>, strings of 64 KiB or more written outside frames, <c>MEMOIZE</c> after every
/// str, dict and list, dicts in batches of 1000 (<c>SETITEM</c> for a one-item dict, otherwise
/// <c>MARK ... SETITEMS</c>, including the empty batch the C pickler writes after a full one), lists likewise
/// (<c>APPEND</c> for one item). Python memoizes by object identity; <c>json.loads</c> shares one str object
/// per distinct key and CPython keeps <c>''</c> and one-character Latin-1 strings as singletons, so those are
/// memoized by value (a repeat is a <c>BINGET</c>) and other string values never are. Python reads the
/// result the same either way; matching it byte for byte makes the output easy to verify.
/// </para>
/// </remarks>
internal sealed class PickleWriter
{
    /// <summary>How deep metadata may nest (Python's default recursion limit is 1000).</summary>
    public const int MaxDepth = 1000;

    private const int FrameSizeTarget = 64 * 1024;
    private const int FrameSizeMin = 4;
    private const int FrameHeaderSize = 9;
    private const int BatchSize = 1000;

    private readonly ArrayBufferWriter<byte> _output = new(1024);
    private readonly ArrayBufferWriter<byte> _frame = new(1024);
    private readonly Dictionary<string, int> _memoizedStrings = new(StringComparer.Ordinal);
    private int _memoCount;

    private PickleWriter()
    {
    }

    /// <summary>Pickles <paramref name="root"/> with protocol 4.</summary>
    /// <exception cref="ArgumentException">The document nests deeper than <see cref="MaxDepth"/>.</exception>
    public static byte[] Write(JsonNode? root)
    {
        var writer = new PickleWriter();
        writer._output.Write<byte>([PickleOpcodes.Proto, 4]);
        writer.Save(root, 0);
        return writer.Finish();
    }

    /// <summary>
    /// Pickles a dict given as its items, in order, with protocol 4. The values may belong to other JSON
    /// documents (a node has one parent, so a record's metadata can be written without copying it).
    /// </summary>
    /// <exception cref="ArgumentException">A value nests deeper than <see cref="MaxDepth"/>.</exception>
    public static byte[] WriteDict(ICollection<KeyValuePair<string, JsonNode?>> items)
    {
        var writer = new PickleWriter();
        writer._output.Write<byte>([PickleOpcodes.Proto, 4]);
        writer.SaveDict(items, 0);
        return writer.Finish();
    }

    private byte[] Finish()
    {
        Emit(PickleOpcodes.Stop);
        CommitFrame();
        return _output.WrittenSpan.ToArray();
    }

    private void Save(JsonNode? node, int depth)
    {
        if (depth > MaxDepth) throw new ArgumentException($"The metadata nests deeper than {MaxDepth} levels.", "record");
        // Python's framer commits a frame at the start of each save() once it has reached the target size.
        if (_frame.WrittenCount >= FrameSizeTarget) CommitFrame();
        switch (node)
        {
            case null:
                Emit(PickleOpcodes.None);
                break;
            case JsonObject obj:
                SaveDict(obj, depth);
                break;
            case JsonArray arr:
                SaveList(arr, depth);
                break;
            case JsonValue value:
                SaveValue(value, depth);
                break;
        }
    }

    private void SaveDict(ICollection<KeyValuePair<string, JsonNode?>> obj, int depth)
    {
        Emit(PickleOpcodes.EmptyDict);
        Memoize();
        int count = obj.Count;
        if (count == 0) return;
        if (count == 1)
        {
            var (key, value) = obj.First();
            SaveKey(key);
            Save(value, depth + 1);
            Emit(PickleOpcodes.SetItem);
            return;
        }
        // The C pickler's batch_dict_exact: MARK, up to 1000 pairs, SETITEMS, repeated while a batch was full.
        using var items = obj.GetEnumerator();
        int inBatch;
        do
        {
            inBatch = 0;
            Emit(PickleOpcodes.Mark);
            while (items.MoveNext())
            {
                SaveKey(items.Current.Key);
                Save(items.Current.Value, depth + 1);
                if (++inBatch == BatchSize) break;
            }
            Emit(PickleOpcodes.SetItems);
        }
        while (inBatch == BatchSize);
    }

    private void SaveList(JsonArray arr, int depth)
    {
        Emit(PickleOpcodes.EmptyList);
        Memoize();
        int count = arr.Count;
        if (count == 0) return;
        if (count == 1)
        {
            Save(arr[0], depth + 1);
            Emit(PickleOpcodes.Append);
            return;
        }
        // The C pickler's batch_list_exact: MARK, up to 1000 items, APPENDS, until all are written.
        int written = 0;
        while (written < count)
        {
            Emit(PickleOpcodes.Mark);
            int end = Math.Min(count, written + BatchSize);
            for (; written < end; written++) Save(arr[written], depth + 1);
            Emit(PickleOpcodes.Appends);
        }
    }

    private void SaveKey(string key)
    {
        if (_frame.WrittenCount >= FrameSizeTarget) CommitFrame();
        SaveSharedString(key);
    }

    // A str Python holds once: every dict key (json.loads dedupes them), and the strings CPython keeps as
    // singletons ('' and the one-character Latin-1 strings). A second occurrence is a BINGET, as in Python.
    private void SaveSharedString(string s)
    {
        if (_memoizedStrings.TryGetValue(s, out int index))
        {
            EmitGet(index);
            return;
        }
        SaveString(s);
        _memoizedStrings[s] = _memoCount - 1;
    }

    private static bool IsSingleton(string s) => s.Length == 0 || (s.Length == 1 && s[0] < 256);

    private void SaveValueString(string s)
    {
        if (IsSingleton(s)) SaveSharedString(s);
        else SaveString(s);
    }

    // Mirrors PythonJson's value handling, so that Python's json.dumps of what it loads from the pickle is
    // the canonical JSON our hash was computed over.
    private void SaveValue(JsonValue value, int depth)
    {
        if (value.TryGetValue(out JsonElement element))
        {
            SaveElement(element, depth);
            return;
        }
        object raw = value.GetValue<object>();
        switch (raw)
        {
            case string s: SaveValueString(s); break;
            case bool b: Emit(b ? PickleOpcodes.NewTrue : PickleOpcodes.NewFalse); break;
            case double d: SaveFloat(d); break;
            case float f: SaveFloat(f); break;
            case decimal m: SaveFloat((double)m); break;
            case Half h: SaveFloat((double)h); break;
            case char c: SaveValueString(c.ToString()); break;
            case BigInteger big: SaveInt(big); break;
            case long l: SaveInt(l); break;
            case int i: SaveInt(i); break;
            case short i: SaveInt(i); break;
            case sbyte i: SaveInt(i); break;
            case byte i: SaveInt(i); break;
            case ushort i: SaveInt(i); break;
            case uint i: SaveInt(i); break;
            case nint i: SaveInt(i); break;
            case ulong u: SaveInt(new BigInteger(u)); break;
            case nuint u: SaveInt(new BigInteger(u)); break;
            case Int128 i: SaveInt((BigInteger)i); break;
            case UInt128 u: SaveInt((BigInteger)u); break;
            case JsonElement el: SaveElement(el, depth); break;
            default:
                // PythonJson writes other CLR types as their invariant string form; so do we.
                SaveValueString(Convert.ToString(raw, CultureInfo.InvariantCulture) ?? string.Empty);
                break;
        }
    }

    private void SaveElement(JsonElement element, int depth)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String: SaveValueString(element.GetString()!); break;
            case JsonValueKind.True: Emit(PickleOpcodes.NewTrue); break;
            case JsonValueKind.False: Emit(PickleOpcodes.NewFalse); break;
            case JsonValueKind.Number: SaveNumberText(element.GetRawText()); break;
            case JsonValueKind.Object: SaveDict(JsonObject.Create(element)!, depth); break;
            case JsonValueKind.Array: SaveList(JsonArray.Create(element)!, depth); break;
            default: Emit(PickleOpcodes.None); break;
        }
    }

    // As json.loads reads a number token: a float when it has a fraction or an exponent, else an int of any size.
    private void SaveNumberText(string raw)
    {
        if (raw.AsSpan().IndexOfAny('.', 'e', 'E') >= 0)
        {
            SaveFloat(double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture));
        }
        else if (long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l))
        {
            SaveInt(l);
        }
        else
        {
            SaveInt(BigInteger.Parse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
        }
    }

    private void SaveInt(long v)
    {
        if (v >= 0 && v <= 0xff)
        {
            Emit(PickleOpcodes.BinInt1, (byte)v);
        }
        else if (v >= 0 && v <= 0xffff)
        {
            Span<byte> buf = [PickleOpcodes.BinInt2, 0, 0];
            BinaryPrimitives.WriteUInt16LittleEndian(buf[1..], (ushort)v);
            Emit(buf);
        }
        else if (v >= int.MinValue && v <= int.MaxValue)
        {
            Span<byte> buf = [PickleOpcodes.BinInt, 0, 0, 0, 0];
            BinaryPrimitives.WriteInt32LittleEndian(buf[1..], (int)v);
            Emit(buf);
        }
        else
        {
            SaveInt(new BigInteger(v));
        }
    }

    private void SaveInt(BigInteger v)
    {
        if (v >= int.MinValue && v <= int.MaxValue)
        {
            SaveInt((long)v);
            return;
        }
        // pickle.encode_long: minimal little-endian two's complement, which is what ToByteArray() produces.
        byte[] bytes = v.ToByteArray(isUnsigned: false, isBigEndian: false);
        if (bytes.Length < 256)
        {
            Emit(PickleOpcodes.Long1, (byte)bytes.Length);
        }
        else
        {
            Span<byte> header = [PickleOpcodes.Long4, 0, 0, 0, 0];
            BinaryPrimitives.WriteInt32LittleEndian(header[1..], bytes.Length);
            Emit(header);
        }
        Emit(bytes);
    }

    private void SaveFloat(double d)
    {
        Span<byte> buf = [PickleOpcodes.BinFloat, 0, 0, 0, 0, 0, 0, 0, 0];
        // .NET's double.NaN has the sign bit set (0xFFF8...); Python's float('nan'), which json.loads makes of NaN, does not.
        if (double.IsNaN(d)) d = BitConverter.Int64BitsToDouble(0x7FF8_0000_0000_0000);
        BinaryPrimitives.WriteDoubleBigEndian(buf[1..], d);
        Emit(buf);
    }

    private void SaveString(string s)
    {
        byte[] utf8 = EncodeSurrogatePass(s);
        long n = utf8.Length;
        if (n <= 0xff)
        {
            Emit(PickleOpcodes.ShortBinUnicode, (byte)n);
            Emit(utf8);
        }
        else
        {
            Span<byte> header = [PickleOpcodes.BinUnicode, 0, 0, 0, 0];
            BinaryPrimitives.WriteUInt32LittleEndian(header[1..], (uint)n);
            if (n >= FrameSizeTarget)
            {
                // Large payloads bypass the frame: the current frame is committed and the string written unframed.
                CommitFrame();
                _output.Write(header);
                _output.Write(utf8);
            }
            else
            {
                Emit(header);
                Emit(utf8);
            }
        }
        Memoize();
    }

    private void Memoize()
    {
        Emit(PickleOpcodes.Memoize);
        _memoCount++;
    }

    private void EmitGet(int index)
    {
        if (index < 256)
        {
            Emit(PickleOpcodes.BinGet, (byte)index);
        }
        else
        {
            Span<byte> buf = [PickleOpcodes.LongBinGet, 0, 0, 0, 0];
            BinaryPrimitives.WriteInt32LittleEndian(buf[1..], index);
            Emit(buf);
        }
    }

    private void Emit(byte opcode) => _frame.Write<byte>([opcode]);

    private void Emit(byte opcode, byte argument) => _frame.Write<byte>([opcode, argument]);

    private void Emit(ReadOnlySpan<byte> bytes) => _frame.Write(bytes);

    private void CommitFrame()
    {
        int length = _frame.WrittenCount;
        if (length == 0) return;
        if (length >= FrameSizeMin)
        {
            Span<byte> header = stackalloc byte[FrameHeaderSize];
            header[0] = PickleOpcodes.Frame;
            BinaryPrimitives.WriteUInt64LittleEndian(header[1..], (ulong)length);
            _output.Write(header);
        }
        _output.Write(_frame.WrittenSpan);
        _frame.ResetWrittenCount();
    }

    /// <summary>UTF-8 as Python's <c>str.encode('utf-8', 'surrogatepass')</c>: a lone surrogate becomes its three-byte form.</summary>
    internal static byte[] EncodeSurrogatePass(string s)
    {
        byte[] buffer = new byte[Encoding.UTF8.GetMaxByteCount(s.Length)];
        var status = Utf8.FromUtf16(s, buffer, out _, out int written, replaceInvalidSequences: false);
        if (status == OperationStatus.Done) return buffer.AsSpan(0, written).ToArray();

        // A lone surrogate: encode code point by code point.
        var result = new List<byte>(s.Length * 3);
        for (int i = 0; i < s.Length; i++)
        {
            int cp = s[i];
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                cp = char.ConvertToUtf32(s[i], s[i + 1]);
                i++;
            }
            if (cp < 0x80)
            {
                result.Add((byte)cp);
            }
            else if (cp < 0x800)
            {
                result.Add((byte)(0xC0 | (cp >> 6)));
                result.Add((byte)(0x80 | (cp & 0x3F)));
            }
            else if (cp < 0x10000)
            {
                result.Add((byte)(0xE0 | (cp >> 12)));
                result.Add((byte)(0x80 | ((cp >> 6) & 0x3F)));
                result.Add((byte)(0x80 | (cp & 0x3F)));
            }
            else
            {
                result.Add((byte)(0xF0 | (cp >> 18)));
                result.Add((byte)(0x80 | ((cp >> 12) & 0x3F)));
                result.Add((byte)(0x80 | ((cp >> 6) & 0x3F)));
                result.Add((byte)(0x80 | (cp & 0x3F)));
            }
        }
        return [.. result];
    }
}
