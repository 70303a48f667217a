using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace Ciaf.Metadata.Backends.Pickle;

/// <summary>
/// A pickle virtual machine (protocols 0 to 5) that can only build plain data: dict, list, tuple, str, bytes,
/// int of any size, float, bool, None, and the values of <c>datetime.datetime</c>, <c>date</c> and <c>time</c>
/// (with fixed-offset <c>timezone</c>s). It refuses every other global the moment the opcode naming it is read,
/// before anything is constructed or called, and it refuses the opcodes that exist to build or reach objects
/// (<c>BUILD</c>, <c>PERSID</c>, <c>BINPERSID</c>, <c>EXT1/2/4</c>, <c>NEXT_BUFFER</c>, <c>READONLY_BUFFER</c>).
/// </summary>
/// <remarks>
/// Why not Razorvine.Pickle's <c>Unpickler</c>: it builds dicts as <c>Hashtable</c> (key order lost; the
/// reference's records keep theirs), its global lookup is not overridable (an internal class consults the
/// process-wide, publicly mutable <c>Unpickler.objectConstructors</c> registry, and unknown globals become a
/// <c>ClassDictConstructor</c> rather than an error), <c>BUILD</c> calls <c>__setstate__</c> by reflection on
/// whatever object is on the stack, and malformed input surfaces as <c>InvalidCastException</c> and friends.
/// Here no code path reaches reflection, <c>Activator</c> or any callback: the only "calls" are the few
/// constructors in <see cref="Call"/>, written out below, which validate their arguments and return a string.
/// Every malformed input raises <see cref="FormatException"/>.
/// </remarks>
internal ref struct SafeUnpickler
{
    /// <summary>Python 3.11 refuses to convert integers of more than 4300 digits from or to text (<c>sys.int_info.default_max_str_digits</c>).</summary>
    public const int MaxIntDigits = 4300;

    // A LONG4 of more bytes cannot have 4300 digits or fewer; refuse it before decoding.
    private const int MaxLongBytes = 1800;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly Dictionary<string, SafeGlobal> AllowedGlobals = new(StringComparer.Ordinal)
    {
        ["datetime.datetime"] = SafeGlobal.DateTime,
        ["datetime.date"] = SafeGlobal.Date,
        ["datetime.time"] = SafeGlobal.Time,
        ["datetime.timedelta"] = SafeGlobal.TimeDelta,
        ["datetime.timezone"] = SafeGlobal.TimeZone,
        ["_codecs.encode"] = SafeGlobal.CodecsEncode,
    };

    private const string PlainDataOnly = "only plain data is allowed (dict, list, tuple, str, int, float, bool, None and datetime values)";

    private readonly ReadOnlySpan<byte> _data;
    private readonly List<object?> _stack = [];
    private readonly List<int> _marks = [];
    private readonly Dictionary<long, object?> _memo = [];
    private int _pos;
    private int _opcodeStart;
    private byte _opcode;

    private SafeUnpickler(ReadOnlySpan<byte> data)
    {
        _data = data;
    }

    /// <summary>Runs the pickle and returns its value (a <see cref="PyDict"/>, <see cref="PyList"/>, string, ...).</summary>
    /// <exception cref="UnsafePickleException">The pickle asks for more than plain data.</exception>
    /// <exception cref="FormatException">The bytes are not a valid pickle.</exception>
    public static object? Load(ReadOnlySpan<byte> data)
    {
        var unpickler = new SafeUnpickler(data);
        return unpickler.Run();
    }

    /// <summary>Python's name of a loaded value's type, for messages.</summary>
    public static string TypeName(object? value) => value switch
    {
        null => "NoneType",
        string => "str",
        bool => "bool",
        long or BigInteger => "int",
        double => "float",
        PyList => "list",
        PyTuple => "tuple",
        PyDict => "dict",
        PyBytes => "bytes",
        PyTemporal t => t.TypeName,
        PyTimeDelta => "datetime.timedelta",
        PyTimeZone => "datetime.timezone",
        PyGlobal g => g.QualifiedName,
        _ => value.GetType().Name,
    };

    private object? Run()
    {
        if (_data.IsEmpty) throw new FormatException("the pickle is empty");
        while (true)
        {
            _opcodeStart = _pos;
            _opcode = ReadByte();
            switch (_opcode)
            {
                case PickleOpcodes.Stop:
                    // As pickle.load: the value on top of the stack; bytes after STOP are not read.
                    return Pop();
                case PickleOpcodes.Proto:
                    byte protocol = ReadByte();
                    if (protocol > 5) throw Corrupt($"unsupported pickle protocol {protocol}");
                    break;
                case PickleOpcodes.Frame:
                    ulong frameLength = BinaryPrimitives.ReadUInt64LittleEndian(Read(8));
                    if (frameLength > (ulong)(_data.Length - _pos)) throw Corrupt("the pickle ends before the end of its frame");
                    break;

                // Stack and memo
                case PickleOpcodes.Mark: _marks.Add(_stack.Count); break;
                case PickleOpcodes.Pop:
                    if (_stack.Count > Fence) _stack.RemoveAt(_stack.Count - 1);
                    else PopMark();
                    break;
                case PickleOpcodes.PopMark: PopMark(); break;
                case PickleOpcodes.Dup: Push(Peek()); break;
                case PickleOpcodes.Put: MemoPut(ParseMemoIndex(ReadLine())); break;
                case PickleOpcodes.BinPut: MemoPut(ReadByte()); break;
                case PickleOpcodes.LongBinPut: MemoPut(BinaryPrimitives.ReadUInt32LittleEndian(Read(4))); break;
                case PickleOpcodes.Memoize: MemoPut(_memo.Count); break;
                case PickleOpcodes.Get: Push(MemoGet(ParseMemoIndex(ReadLine()))); break;
                case PickleOpcodes.BinGet: Push(MemoGet(ReadByte())); break;
                case PickleOpcodes.LongBinGet: Push(MemoGet(BinaryPrimitives.ReadUInt32LittleEndian(Read(4)))); break;

                // Scalars
                case PickleOpcodes.None: Push(null); break;
                case PickleOpcodes.NewTrue: Push(true); break;
                case PickleOpcodes.NewFalse: Push(false); break;
                case PickleOpcodes.Int: Push(ParseTextInt(ReadLine(), allowBool: true)); break;
                case PickleOpcodes.Long: Push(ParseTextInt(TrimLongSuffix(ReadLine()), allowBool: false)); break;
                case PickleOpcodes.BinInt: Push((long)BinaryPrimitives.ReadInt32LittleEndian(Read(4))); break;
                case PickleOpcodes.BinInt1: Push((long)ReadByte()); break;
                case PickleOpcodes.BinInt2: Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Read(2))); break;
                case PickleOpcodes.Long1: Push(DecodeLong(Read(ReadByte()))); break;
                case PickleOpcodes.Long4:
                    int longLength = BinaryPrimitives.ReadInt32LittleEndian(Read(4));
                    if (longLength < 0) throw Corrupt("LONG4 has a negative byte count");
                    if (longLength > MaxLongBytes) throw Corrupt($"an integer of {longLength} bytes exceeds Python's {MaxIntDigits}-digit limit for JSON");
                    Push(DecodeLong(Read((ulong)longLength)));
                    break;
                case PickleOpcodes.Float: Push(ParseTextFloat(ReadLine())); break;
                case PickleOpcodes.BinFloat: Push(BinaryPrimitives.ReadDoubleBigEndian(Read(8))); break;

                // Strings and bytes
                case PickleOpcodes.ShortBinUnicode: Push(DecodeUtf8(Read(ReadByte()))); break;
                case PickleOpcodes.BinUnicode: Push(DecodeUtf8(Read(BinaryPrimitives.ReadUInt32LittleEndian(Read(4))))); break;
                case PickleOpcodes.BinUnicode8: Push(DecodeUtf8(Read(BinaryPrimitives.ReadUInt64LittleEndian(Read(8))))); break;
                case PickleOpcodes.Unicode: Push(DecodeRawUnicodeEscape(ReadLine())); break;
                case PickleOpcodes.String: Push(DecodeAscii(DecodeEscapedString(ReadLine()))); break;
                case PickleOpcodes.BinString: Push(DecodeAscii(Read((ulong)ReadInt32Length()))); break;
                case PickleOpcodes.ShortBinString: Push(DecodeAscii(Read(ReadByte()))); break;
                case PickleOpcodes.ShortBinBytes: Push(new PyBytes(Read(ReadByte()).ToArray())); break;
                case PickleOpcodes.BinBytes: Push(new PyBytes(Read(BinaryPrimitives.ReadUInt32LittleEndian(Read(4))).ToArray())); break;
                case PickleOpcodes.BinBytes8:
                case PickleOpcodes.ByteArray8:
                    Push(new PyBytes(Read(BinaryPrimitives.ReadUInt64LittleEndian(Read(8))).ToArray()));
                    break;

                // Containers
                case PickleOpcodes.EmptyTuple: Push(PyTuple.Empty); break;
                case PickleOpcodes.Tuple: Push(new PyTuple(PopMark())); break;
                case PickleOpcodes.Tuple1: Push(new PyTuple([Pop()])); break;
                case PickleOpcodes.Tuple2:
                {
                    object? b = Pop(), a = Pop();
                    Push(new PyTuple([a, b]));
                    break;
                }
                case PickleOpcodes.Tuple3:
                {
                    object? c = Pop(), b = Pop(), a = Pop();
                    Push(new PyTuple([a, b, c]));
                    break;
                }
                case PickleOpcodes.EmptyList: Push(new PyList([])); break;
                case PickleOpcodes.List: Push(new PyList([.. PopMark()])); break;
                case PickleOpcodes.Append:
                {
                    object? item = Pop();
                    PeekList().Items.Add(item);
                    break;
                }
                case PickleOpcodes.Appends:
                {
                    object?[] items = PopMark();
                    PeekList().Items.AddRange(items);
                    break;
                }
                case PickleOpcodes.EmptyDict: Push(new PyDict()); break;
                case PickleOpcodes.Dict:
                {
                    var dict = new PyDict();
                    SetItems(dict, PopMark());
                    Push(dict);
                    break;
                }
                case PickleOpcodes.SetItem:
                {
                    object? value = Pop(), key = Pop();
                    PeekDict().Set(key, value);
                    break;
                }
                case PickleOpcodes.SetItems:
                {
                    object?[] items = PopMark();
                    SetItems(PeekDict(), items);
                    break;
                }
                case PickleOpcodes.EmptySet:
                case PickleOpcodes.AddItems:
                case PickleOpcodes.FrozenSet:
                    throw Corrupt($"the pickle holds a set ({PickleOpcodes.Name(_opcode)}); sets are not JSON data");

                // Globals and calls: only the allowed globals, checked when the opcode naming them is read.
                case PickleOpcodes.Global:
                {
                    string module = DecodeUtf8(ReadLine());
                    string name = DecodeUtf8(ReadLine());
                    Push(ResolveGlobal(module, name));
                    break;
                }
                case PickleOpcodes.StackGlobal:
                {
                    object? name = Pop(), module = Pop();
                    if (module is not string m || name is not string n) throw Corrupt("STACK_GLOBAL expects two strings");
                    Push(ResolveGlobal(m, n));
                    break;
                }
                case PickleOpcodes.Inst:
                {
                    string module = DecodeUtf8(ReadLine());
                    string name = DecodeUtf8(ReadLine());
                    var callable = ResolveGlobal(module, name);
                    Push(Call(callable, new PyTuple(PopMark())));
                    break;
                }
                case PickleOpcodes.Obj:
                {
                    object?[] items = PopMark();
                    if (items.Length == 0) throw Corrupt("OBJ without a class");
                    Push(Call(items[0], new PyTuple(items[1..])));
                    break;
                }
                case PickleOpcodes.Reduce:
                case PickleOpcodes.NewObj:
                {
                    object? args = Pop(), callable = Pop();
                    Push(Call(callable, args));
                    break;
                }
                case PickleOpcodes.NewObjEx:
                {
                    object? kwargs = Pop(), args = Pop(), callable = Pop();
                    if (kwargs is not PyDict { Count: 0 }) throw Corrupt("NEWOBJ_EX with keyword arguments is not supported");
                    Push(Call(callable, args));
                    break;
                }

                // Refused outright: these exist to build objects or to reach outside the pickle.
                case PickleOpcodes.Build:
                    throw Refuse("pickle uses opcode BUILD (sets an object's state)");
                case PickleOpcodes.PersId:
                case PickleOpcodes.BinPersId:
                    throw Refuse($"pickle uses a persistent id (opcode {PickleOpcodes.Name(_opcode)})");
                case PickleOpcodes.Ext1:
                case PickleOpcodes.Ext2:
                case PickleOpcodes.Ext4:
                    throw Refuse($"pickle uses an extension code (opcode {PickleOpcodes.Name(_opcode)}, the copyreg registry)");
                case PickleOpcodes.NextBuffer:
                case PickleOpcodes.ReadOnlyBuffer:
                    throw Refuse($"pickle uses out-of-band buffers (opcode {PickleOpcodes.Name(_opcode)})");

                default:
                    throw Corrupt($"invalid opcode 0x{_opcode:x2}");
            }
        }
    }

    // ---- stack ----

    private readonly int Fence => _marks.Count > 0 ? _marks[^1] : 0;

    private readonly void Push(object? value) => _stack.Add(value);

    private readonly object? Pop()
    {
        if (_stack.Count <= Fence) throw Corrupt("stack underflow");
        object? value = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private readonly object? Peek()
    {
        if (_stack.Count <= Fence) throw Corrupt("stack underflow");
        return _stack[^1];
    }

    private readonly object?[] PopMark()
    {
        if (_marks.Count == 0) throw Corrupt("no MARK on the stack");
        int mark = _marks[^1];
        _marks.RemoveAt(_marks.Count - 1);
        object?[] items = _stack.GetRange(mark, _stack.Count - mark).ToArray();
        _stack.RemoveRange(mark, _stack.Count - mark);
        return items;
    }

    private readonly PyList PeekList() =>
        Peek() as PyList ?? throw Corrupt($"{PickleOpcodes.Name(_opcode)} applies to a {TypeName(_stack[^1])}, not a list");

    private readonly PyDict PeekDict() =>
        Peek() as PyDict ?? throw Corrupt($"{PickleOpcodes.Name(_opcode)} applies to a {TypeName(_stack[^1])}, not a dict");

    private readonly void SetItems(PyDict dict, object?[] items)
    {
        if (items.Length % 2 != 0) throw Corrupt("odd number of items for a dict");
        for (int i = 0; i < items.Length; i += 2) dict.Set(items[i], items[i + 1]);
    }

    private readonly void MemoPut(long index)
    {
        _memo[index] = Peek();
    }

    private readonly object? MemoGet(long index) =>
        _memo.TryGetValue(index, out var value) ? value : throw Corrupt($"memo key {index} was never stored");

    private readonly long ParseMemoIndex(ReadOnlySpan<byte> line)
    {
        if (!long.TryParse(Encoding.ASCII.GetString(line), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long index) || index < 0)
        {
            throw Corrupt("invalid memo index");
        }
        return index;
    }

    // ---- reading ----

    private byte ReadByte()
    {
        if (_pos >= _data.Length) throw Truncated();
        return _data[_pos++];
    }

    private ReadOnlySpan<byte> Read(ulong length)
    {
        if (length > (ulong)(_data.Length - _pos)) throw Truncated();
        var span = _data.Slice(_pos, (int)length);
        _pos += (int)length;
        return span;
    }

    private int ReadInt32Length()
    {
        int length = BinaryPrimitives.ReadInt32LittleEndian(Read(4));
        if (length < 0) throw Corrupt("negative byte count");
        return length;
    }

    private ReadOnlySpan<byte> ReadLine()
    {
        int end = _data[_pos..].IndexOf((byte)'\n');
        if (end < 0) throw Truncated();
        var line = _data.Slice(_pos, end);
        _pos += end + 1;
        return line;
    }

    // ---- scalars ----

    private readonly object ParseTextInt(ReadOnlySpan<byte> line, bool allowBool)
    {
        if (allowBool && line.SequenceEqual("00"u8)) return false;
        if (allowBool && line.SequenceEqual("01"u8)) return true;
        string text = Encoding.ASCII.GetString(line).Trim();
        string digits = text.TrimStart('+', '-');
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit) || text.Length - digits.Length > 1)
        {
            throw Corrupt($"invalid integer '{Printable(text)}'");
        }
        if (digits.Length > MaxIntDigits) throw Corrupt($"an integer of {digits.Length} digits exceeds Python's {MaxIntDigits}-digit limit");
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l)) return l;
        return BigInteger.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
    }

    private static ReadOnlySpan<byte> TrimLongSuffix(ReadOnlySpan<byte> line) =>
        line.Length > 0 && line[^1] == (byte)'L' ? line[..^1] : line;

    private static object DecodeLong(ReadOnlySpan<byte> bytes)
    {
        var value = new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
        return value >= long.MinValue && value <= long.MaxValue ? (long)value : value;
    }

    private readonly double ParseTextFloat(ReadOnlySpan<byte> line)
    {
        string text = Encoding.ASCII.GetString(line).Trim();
        string lower = text.ToLowerInvariant();
        string unsigned = lower.TrimStart('+', '-');
        bool negative = lower.StartsWith('-');
        if (unsigned is "nan") return double.NaN;
        if (unsigned is "inf" or "infinity") return negative ? double.NegativeInfinity : double.PositiveInfinity;
        if (text.Length > 0 && (char.IsAsciiDigit(text[^1]) || text[^1] == '.')
            && double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                CultureInfo.InvariantCulture, out double d))
        {
            return d;
        }
        throw Corrupt($"invalid float '{Printable(text)}'");
    }

    // ---- strings ----

    /// <summary>UTF-8 as Python decodes pickled str: <c>str(data, 'utf-8', 'surrogatepass')</c>.</summary>
    private readonly string DecodeUtf8(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return DecodeUtf8SurrogatePass(bytes) ?? throw Corrupt("a string is not valid UTF-8");
        }
    }

    // A lone surrogate is written by Python as its three-byte form (ED A0..BF xx), which strict UTF-8 refuses.
    private static string? DecodeUtf8SurrogatePass(ReadOnlySpan<byte> b)
    {
        var sb = new StringBuilder(b.Length);
        int i = 0;
        while (i < b.Length)
        {
            int c = b[i];
            int cp, need, min;
            if (c < 0x80) { cp = c; need = 0; min = 0; }
            else if (c >= 0xC2 && c <= 0xDF) { cp = c & 0x1F; need = 1; min = 0x80; }
            else if (c >= 0xE0 && c <= 0xEF) { cp = c & 0x0F; need = 2; min = 0x800; }
            else if (c >= 0xF0 && c <= 0xF4) { cp = c & 0x07; need = 3; min = 0x10000; }
            else return null;
            if (i + need >= b.Length) return null;
            for (int k = 1; k <= need; k++)
            {
                int cc = b[i + k];
                if ((cc & 0xC0) != 0x80) return null;
                cp = (cp << 6) | (cc & 0x3F);
            }
            if (cp < min || cp > 0x10FFFF) return null;
            if (cp >= 0x10000) sb.Append(char.ConvertFromUtf32(cp));
            else sb.Append((char)cp);
            i += need + 1;
        }
        return sb.ToString();
    }

    /// <summary>Python 3's default for protocol 0 to 2 <c>str</c> of Python 2: <c>encoding='ASCII'</c>, strict.</summary>
    private readonly string DecodeAscii(ReadOnlySpan<byte> bytes)
    {
        if (System.Text.Ascii.IsValid(bytes)) return Encoding.ASCII.GetString(bytes);
        throw Corrupt("a Python 2 str is not ASCII (Python 3 would need encoding='latin1' to read it)");
    }

    /// <summary>The <c>raw-unicode-escape</c> codec: bytes are Latin-1, except <c>\uXXXX</c> and <c>\UXXXXXXXX</c> after an odd number of backslashes.</summary>
    private readonly string DecodeRawUnicodeEscape(ReadOnlySpan<byte> b)
    {
        var sb = new StringBuilder(b.Length);
        int i = 0;
        while (i < b.Length)
        {
            if (b[i] != (byte)'\\')
            {
                sb.Append((char)b[i++]);
                continue;
            }
            int start = i;
            while (i < b.Length && b[i] == (byte)'\\') sb.Append((char)b[i++]);
            if (((i - start) & 1) == 0 || i >= b.Length || (b[i] != (byte)'u' && b[i] != (byte)'U')) continue;
            sb.Length--; // the escaping backslash
            int count = b[i] == (byte)'u' ? 4 : 8;
            i++;
            if (i + count > b.Length || !int.TryParse(Encoding.ASCII.GetString(b.Slice(i, count)), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int cp)
                || cp < 0 || cp > 0x10FFFF)
            {
                throw Corrupt("invalid \\u escape in a UNICODE string");
            }
            i += count;
            if (cp >= 0x10000) sb.Append(char.ConvertFromUtf32(cp));
            else sb.Append((char)cp);
        }
        return sb.ToString();
    }

    /// <summary>The argument of STRING: a quoted Python 2 <c>repr</c>, decoded as <c>codecs.escape_decode</c> does.</summary>
    private readonly byte[] DecodeEscapedString(ReadOnlySpan<byte> line)
    {
        if (line.Length < 2 || (line[0] != (byte)'"' && line[0] != (byte)'\'') || line[^1] != line[0])
        {
            throw Corrupt("the STRING opcode argument must be quoted");
        }
        var s = line[1..^1];
        var result = new List<byte>(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] != (byte)'\\' || i + 1 >= s.Length)
            {
                if (s[i] == (byte)'\\') throw Corrupt("trailing backslash in a STRING");
                result.Add(s[i]);
                continue;
            }
            byte e = s[++i];
            switch (e)
            {
                case (byte)'\n': break;
                case (byte)'\\': result.Add((byte)'\\'); break;
                case (byte)'\'': result.Add((byte)'\''); break;
                case (byte)'"': result.Add((byte)'"'); break;
                case (byte)'a': result.Add(7); break;
                case (byte)'b': result.Add(8); break;
                case (byte)'f': result.Add(12); break;
                case (byte)'n': result.Add(10); break;
                case (byte)'r': result.Add(13); break;
                case (byte)'t': result.Add(9); break;
                case (byte)'v': result.Add(11); break;
                case (byte)'x':
                    if (i + 2 >= s.Length || !byte.TryParse(Encoding.ASCII.GetString(s.Slice(i + 1, 2)), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out byte hex))
                    {
                        throw Corrupt("invalid \\x escape in a STRING");
                    }
                    result.Add(hex);
                    i += 2;
                    break;
                case >= (byte)'0' and <= (byte)'7':
                    int octal = e - '0';
                    for (int k = 0; k < 2 && i + 1 < s.Length && s[i + 1] >= (byte)'0' && s[i + 1] <= (byte)'7'; k++)
                    {
                        octal = octal * 8 + (s[++i] - '0');
                    }
                    result.Add((byte)octal);
                    break;
                default:
                    result.Add((byte)'\\');
                    result.Add(e);
                    break;
            }
        }
        return [.. result];
    }

    private readonly string DecodeAscii(byte[] bytes) => DecodeAscii(bytes.AsSpan());

    // ---- globals and the allowed constructors ----

    private readonly PyGlobal ResolveGlobal(string module, string name)
    {
        string qualified = module + "." + name;
        if (AllowedGlobals.TryGetValue(qualified, out var kind)) return new PyGlobal(kind, qualified);
        throw new UnsafePickleException(
            $"pickle refers to '{Printable(qualified)}' (opcode {PickleOpcodes.Name(_opcode)} at byte {_opcodeStart}); {PlainDataOnly}",
            qualified, PickleOpcodes.Name(_opcode), _opcodeStart);
    }

    private readonly object Call(object? callable, object? args)
    {
        if (callable is not PyGlobal global) throw Corrupt($"{PickleOpcodes.Name(_opcode)} expects a class, got a {TypeName(callable)}");
        if (args is not PyTuple tuple) throw Corrupt($"{PickleOpcodes.Name(_opcode)} expects a tuple of arguments, got a {TypeName(args)}");
        object?[] a = tuple.Items;
        return global.Kind switch
        {
            SafeGlobal.DateTime => NewDateTime(a),
            SafeGlobal.Date => NewDate(a),
            SafeGlobal.Time => NewTime(a),
            SafeGlobal.TimeDelta => NewTimeDelta(a),
            SafeGlobal.TimeZone => NewTimeZone(a),
            SafeGlobal.CodecsEncode => CodecsEncode(a),
            _ => throw Corrupt("unknown global"),
        };
    }

    private readonly PyTemporal NewDateTime(object?[] a)
    {
        int year, month, day, hour = 0, minute = 0, second = 0, micro = 0;
        object? tz = null;
        if (a.Length is 1 or 2 && StateBytes(a[0]) is { Length: 10 } s && (s[2] & 0x7F) is >= 1 and <= 12)
        {
            // datetime.__reduce_ex__: (year hi, year lo, month | fold << 7, day, hour, minute, second, microsecond (3 bytes, big-endian))
            year = (s[0] << 8) | s[1];
            month = s[2] & 0x7F;
            day = s[3];
            hour = s[4];
            minute = s[5];
            second = s[6];
            micro = (s[7] << 16) | (s[8] << 8) | s[9];
            if (a.Length == 2) tz = a[1];
        }
        else if (a.Length is >= 3 and <= 8)
        {
            year = IntArg(a, 0);
            month = IntArg(a, 1);
            day = IntArg(a, 2);
            if (a.Length > 3) hour = IntArg(a, 3);
            if (a.Length > 4) minute = IntArg(a, 4);
            if (a.Length > 5) second = IntArg(a, 5);
            if (a.Length > 6) micro = IntArg(a, 6);
            if (a.Length > 7) tz = a[7];
        }
        else
        {
            throw Corrupt("invalid arguments for datetime.datetime");
        }
        CheckDate(year, month, day);
        CheckTime(hour, minute, second, micro);
        string iso = FormatDate(year, month, day) + "T" + FormatTime(hour, minute, second, micro) + FormatOffset(TzInfo(tz));
        return new PyTemporal("datetime.datetime", iso);
    }

    private readonly PyTemporal NewDate(object?[] a)
    {
        int year, month, day;
        if (a.Length == 1 && StateBytes(a[0]) is { Length: 4 } s && s[2] is >= 1 and <= 12)
        {
            year = (s[0] << 8) | s[1];
            month = s[2];
            day = s[3];
        }
        else if (a.Length == 3)
        {
            year = IntArg(a, 0);
            month = IntArg(a, 1);
            day = IntArg(a, 2);
        }
        else
        {
            throw Corrupt("invalid arguments for datetime.date");
        }
        CheckDate(year, month, day);
        return new PyTemporal("datetime.date", FormatDate(year, month, day));
    }

    private readonly PyTemporal NewTime(object?[] a)
    {
        int hour = 0, minute = 0, second = 0, micro = 0;
        object? tz = null;
        if (a.Length is 1 or 2 && StateBytes(a[0]) is { Length: 6 } s && (s[0] & 0x7F) < 24)
        {
            // time.__reduce_ex__: (hour | fold << 7, minute, second, microsecond (3 bytes, big-endian))
            hour = s[0] & 0x7F;
            minute = s[1];
            second = s[2];
            micro = (s[3] << 16) | (s[4] << 8) | s[5];
            if (a.Length == 2) tz = a[1];
        }
        else if (a.Length <= 5)
        {
            if (a.Length > 0) hour = IntArg(a, 0);
            if (a.Length > 1) minute = IntArg(a, 1);
            if (a.Length > 2) second = IntArg(a, 2);
            if (a.Length > 3) micro = IntArg(a, 3);
            if (a.Length > 4) tz = a[4];
        }
        else
        {
            throw Corrupt("invalid arguments for datetime.time");
        }
        CheckTime(hour, minute, second, micro);
        return new PyTemporal("datetime.time", FormatTime(hour, minute, second, micro) + FormatOffset(TzInfo(tz)));
    }

    private readonly PyTimeDelta NewTimeDelta(object?[] a)
    {
        if (a.Length > 3) throw Corrupt("invalid arguments for datetime.timedelta");
        BigInteger days = a.Length > 0 ? BigIntArg(a, 0) : 0;
        BigInteger seconds = a.Length > 1 ? BigIntArg(a, 1) : 0;
        BigInteger micros = a.Length > 2 ? BigIntArg(a, 2) : 0;
        BigInteger total = ((days * 86_400) + seconds) * 1_000_000 + micros;
        // Python: |days| <= 999999999 after normalisation, else OverflowError.
        BigInteger normalizedDays = BigInteger.Divide(total - (total.Sign < 0 ? 86_400_000_000 - 1 : 0), 86_400_000_000);
        if (BigInteger.Abs(normalizedDays) > 999_999_999) throw Corrupt("datetime.timedelta out of range");
        return new PyTimeDelta(total);
    }

    private readonly PyTimeZone NewTimeZone(object?[] a)
    {
        if (a.Length is < 1 or > 2 || a[0] is not PyTimeDelta offset || (a.Length == 2 && a[1] is not string))
        {
            throw Corrupt("invalid arguments for datetime.timezone");
        }
        // Python: the offset must be strictly between -timedelta(hours=24) and timedelta(hours=24).
        if (BigInteger.Abs(offset.TotalMicroseconds) >= 86_400_000_000) throw Corrupt("datetime.timezone offset out of range");
        return new PyTimeZone((long)offset.TotalMicroseconds);
    }

    private readonly PyBytes CodecsEncode(object?[] a)
    {
        // Only the call protocols 0 to 2 write for bytes: _codecs.encode(<str of chars below 256>, 'latin1').
        if (a.Length != 2 || a[0] is not string text || a[1] is not string encoding
            || encoding.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal).ToLowerInvariant() is not ("latin1" or "iso88591"))
        {
            throw Corrupt("_codecs.encode is only allowed as encode(str, 'latin1')");
        }
        var bytes = new byte[text.Length];
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] > 0xFF) throw Corrupt("_codecs.encode: a character is not Latin-1");
            bytes[i] = (byte)text[i];
        }
        return new PyBytes(bytes);
    }

    private static byte[]? StateBytes(object? value) => value switch
    {
        PyBytes b => b.Value,
        // Python 2 pickles hold the state as a str (Python 3 reads it with encoding='latin1').
        string s when s.All(c => c <= 0xFF) => [.. s.Select(c => (byte)c)],
        _ => null,
    };

    private readonly int IntArg(object?[] a, int i) => a[i] switch
    {
        long l when l >= int.MinValue && l <= int.MaxValue => (int)l,
        bool b => b ? 1 : 0,
        _ => throw Corrupt($"argument {i + 1} of a datetime constructor is not an integer in range"),
    };

    private readonly BigInteger BigIntArg(object?[] a, int i) => a[i] switch
    {
        long l => l,
        BigInteger big => big,
        bool b => b ? 1 : 0,
        _ => throw Corrupt($"argument {i + 1} of datetime.timedelta is not an integer"),
    };

    private readonly long? TzInfo(object? tz) => tz switch
    {
        null => null,
        PyTimeZone zone => zone.OffsetMicroseconds,
        _ => throw Corrupt($"a tzinfo must be a datetime.timezone, got a {TypeName(tz)}"),
    };

    private readonly void CheckDate(int year, int month, int day)
    {
        if (year is < 1 or > 9999 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            throw Corrupt("a datetime value is out of range");
        }
    }

    private readonly void CheckTime(int hour, int minute, int second, int micro)
    {
        if (hour is < 0 or > 23 || minute is < 0 or > 59 || second is < 0 or > 59 || micro is < 0 or > 999_999)
        {
            throw Corrupt("a time value is out of range");
        }
    }

    private static string FormatDate(int year, int month, int day) =>
        string.Create(CultureInfo.InvariantCulture, $"{year:D4}-{month:D2}-{day:D2}");

    // isoformat(): HH:MM:SS, plus .ffffff only when the microseconds are not 0.
    private static string FormatTime(int hour, int minute, int second, int micro) => micro == 0
        ? string.Create(CultureInfo.InvariantCulture, $"{hour:D2}:{minute:D2}:{second:D2}")
        : string.Create(CultureInfo.InvariantCulture, $"{hour:D2}:{minute:D2}:{second:D2}.{micro:D6}");

    // datetime._format_offset: +HH:MM, plus :SS and .ffffff when present; nothing for a naive value.
    private static string FormatOffset(long? offsetMicroseconds)
    {
        if (offsetMicroseconds is not { } off) return string.Empty;
        char sign = off < 0 ? '-' : '+';
        long abs = Math.Abs(off);
        long hours = abs / 3_600_000_000, rest = abs % 3_600_000_000;
        long minutes = rest / 60_000_000;
        rest %= 60_000_000;
        long seconds = rest / 1_000_000, micros = rest % 1_000_000;
        var sb = new StringBuilder();
        sb.Append(sign).Append(CultureInfo.InvariantCulture, $"{hours:D2}:{minutes:D2}");
        if (seconds != 0 || micros != 0) sb.Append(CultureInfo.InvariantCulture, $":{seconds:D2}");
        if (micros != 0) sb.Append(CultureInfo.InvariantCulture, $".{micros:D6}");
        return sb.ToString();
    }

    // ---- errors ----

    private readonly FormatException Corrupt(string message) =>
        new($"not a valid pickle: {message} (opcode {PickleOpcodes.Name(_opcode)} at byte {_opcodeStart})");

    private readonly FormatException Truncated() =>
        new($"not a valid pickle: the data ends in the middle of opcode {PickleOpcodes.Name(_opcode)} at byte {_opcodeStart} (truncated?)");

    private readonly UnsafePickleException Refuse(string what) =>
        new($"{what} at byte {_opcodeStart}; {PlainDataOnly}", null, PickleOpcodes.Name(_opcode), _opcodeStart);

    // Messages quote names from the pickle: keep them short and free of control characters.
    private static string Printable(string text)
    {
        var sb = new StringBuilder(Math.Min(text.Length, 200));
        foreach (char c in text.Length > 200 ? text[..200] + "..." : text)
        {
            sb.Append(char.IsControl(c) ? '?' : c);
        }
        return sb.ToString();
    }
}
