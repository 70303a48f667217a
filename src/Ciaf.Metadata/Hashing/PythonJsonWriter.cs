using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ciaf.Metadata.Hashing;

/// <summary>
/// Writes a JSON node as Python's <c>json.dumps</c> does (see <see cref="PythonJson"/>) into a reusable byte buffer.
/// With <c>ensure_ascii</c> every output character is ASCII, so the bytes are at once the UTF-8 the hash is taken of
/// and the text a string is made of, without a <see cref="StringBuilder"/> or an encoding pass. One writer is kept
/// per thread (<see cref="Rent"/>): the save path serializes every record at least twice.
/// </summary>
internal sealed class PythonJsonWriter
{
    // Characters written as they are: printable ASCII except the quote and the backslash.
    private static readonly SearchValues<char> Plain = SearchValues.Create(
        " !#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    // A buffer past this size is not kept for the next use (one 50 KB record should not pin 50 KB per thread forever).
    private const int KeptCapacity = 64 * 1024;

    // Two per thread: the save path's fast lane holds one for the compact text and one for the canonical text.
    [ThreadStatic]
    private static PythonJsonWriter? t_cached;

    [ThreadStatic]
    private static PythonJsonWriter? t_cachedSecond;

    private byte[] _buffer = new byte[1024];
    private int _length;

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    /// <summary>This thread's writer, emptied; hand it back with <see cref="Return"/>.</summary>
    public static PythonJsonWriter Rent()
    {
        var writer = t_cached ?? t_cachedSecond ?? new PythonJsonWriter();
        if (ReferenceEquals(writer, t_cached)) t_cached = null;
        else t_cachedSecond = null;
        writer._length = 0;
        return writer;
    }

    /// <summary>Keeps the writer for this thread's next <see cref="Rent"/>.</summary>
    public void Return()
    {
        if (_buffer.Length > KeptCapacity) return;
        if (t_cached is null) t_cached = this;
        else t_cachedSecond ??= this;
    }

    /// <summary>Empties the buffer for another document.</summary>
    public void Clear() => _length = 0;

    /// <summary>
    /// Appends <paramref name="canonical"/> (a <see cref="PythonJsonStyle.Canonical"/> text) as
    /// <see cref="PythonJsonStyle.SortedMinimal"/>: the space after each <c>,</c> and <c>:</c> outside strings dropped.
    /// The two styles differ in nothing else, so the ledger need not walk the payload again.
    /// </summary>
    public void WriteMinimal(ReadOnlySpan<byte> canonical)
    {
        // Outside strings the canonical text's only spaces are the separators' (", " and ": "), so every one is
        // dropped; strings are copied whole, found by their closing quote (a backslash escapes the byte after it).
        var span = Reserve(canonical.Length);
        int n = 0;
        while (!canonical.IsEmpty)
        {
            int stop = canonical.IndexOfAny((byte)' ', (byte)'"');
            if (stop < 0) stop = canonical.Length;
            canonical[..stop].CopyTo(span[n..]);
            n += stop;
            if (stop == canonical.Length) break;
            if (canonical[stop] == (byte)' ')
            {
                canonical = canonical[(stop + 1)..];
                continue;
            }
            int end = stop + 1;
            while (end < canonical.Length)
            {
                int next = canonical[end..].IndexOfAny((byte)'"', (byte)'\\');
                if (next < 0)
                {
                    end = canonical.Length;
                    break;
                }
                end += next + 1;
                if (canonical[end - 1] == (byte)'"') break;
                end++; // the escaped byte
            }
            end = Math.Min(end, canonical.Length);
            canonical[stop..end].CopyTo(span[n..]);
            n += end - stop;
            canonical = canonical[end..];
        }
        _length += n;
    }

    /// <summary>
    /// Writes compact text this writer produced (<see cref="PythonJsonStyle.Compact"/>: <c>", "</c> and <c>": "</c>
    /// between members, ASCII) in the <see cref="PythonJsonStyle.Indented"/> layout at <paramref name="depth"/>: the same
    /// bytes <see cref="WriteNode"/> writes for the nodes parsed from it, without parsing it. Strings and numbers are
    /// copied as they are.
    /// </summary>
    public void WriteIndentedCompact(ReadOnlySpan<byte> compact, int depth)
    {
        int i = 0;
        IndentValue(compact, ref i, depth);
    }

    private void IndentValue(ReadOnlySpan<byte> compact, ref int i, int depth)
    {
        byte open = compact[i];
        if (open == (byte)'"')
        {
            int end = StringEnd(compact, i);
            Append(compact[i..end]);
            i = end;
            return;
        }
        if (open is not ((byte)'{' or (byte)'['))
        {
            int length = compact[i..].IndexOfAny(",]}"u8);
            if (length < 0) length = compact.Length - i;
            Append(compact.Slice(i, length));
            i += length;
            return;
        }
        byte close = open == (byte)'{' ? (byte)'}' : (byte)']';
        if (compact[i + 1] == close)
        {
            Append(compact.Slice(i, 2));
            i += 2;
            return;
        }
        Append(open);
        i++;
        for (bool first = true; ; first = false)
        {
            Separator(PythonJsonStyle.Indented, depth + 1, first);
            if (open == (byte)'{')
            {
                int end = StringEnd(compact, i);
                Append(compact[i..end]);
                Append(": "u8);
                i = end + 2; // past ": "
            }
            IndentValue(compact, ref i, depth + 1);
            if (compact[i] == close) break;
            i += 2; // past ", "
        }
        i++;
        Close(PythonJsonStyle.Indented, depth);
        Append(close);
    }

    // The index after the closing quote of the string literal starting at start (a backslash escapes the byte after it).
    private static int StringEnd(ReadOnlySpan<byte> text, int start)
    {
        int j = start + 1;
        while (true)
        {
            int k = text[j..].IndexOfAny((byte)'"', (byte)'\\');
            if (text[j + k] == (byte)'"') return j + k + 1;
            j += k + 2;
        }
    }

    /// <summary>Bytes written as they are (punctuation, literals).</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes) => Append(bytes);

    /// <summary>The output as a string (ASCII, so one char per byte).</summary>
    public override string ToString() => Encoding.Latin1.GetString(Written);

    public void WriteNode(JsonNode? node, PythonJsonStyle style, int depth)
    {
        switch (node)
        {
            case null:
                Append("null"u8);
                break;
            case JsonObject obj:
                WriteObject(obj, style, depth);
                break;
            case JsonArray arr:
                WriteArray(arr, style, depth);
                break;
            case JsonValue value:
                WriteValue(value);
                break;
        }
    }

    private void WriteObject(JsonObject obj, PythonJsonStyle style, int depth)
    {
        int count = obj.Count;
        if (count == 0)
        {
            Append("{}"u8);
            return;
        }
        Append((byte)'{');
        if (style is not (PythonJsonStyle.Canonical or PythonJsonStyle.SortedMinimal) || IsSorted(obj))
        {
            bool first = true;
            foreach (var (key, child) in obj)
            {
                WriteMember(key, child, style, depth, first);
                first = false;
            }
        }
        else
        {
            var sorted = ArrayPool<KeyValuePair<string, JsonNode?>>.Shared.Rent(count);
            try
            {
                int n = 0;
                foreach (var member in obj) sorted[n++] = member;
                sorted.AsSpan(0, n).Sort(static (a, b) => PythonJson.CodePointComparer.Compare(a.Key, b.Key));
                for (int i = 0; i < n; i++) WriteMember(sorted[i].Key, sorted[i].Value, style, depth, i == 0);
            }
            finally
            {
                ArrayPool<KeyValuePair<string, JsonNode?>>.Shared.Return(sorted, clearArray: true);
            }
        }
        Close(style, depth);
        Append((byte)'}');
    }

    // Many payloads are built with their keys in order already; checking costs less than sorting.
    private static bool IsSorted(JsonObject obj)
    {
        string? previous = null;
        foreach (var (key, _) in obj)
        {
            if (previous is not null && PythonJson.CodePointComparer.Compare(previous, key) > 0) return false;
            previous = key;
        }
        return true;
    }

    private void WriteMember(string key, JsonNode? child, PythonJsonStyle style, int depth, bool first)
    {
        Separator(style, depth + 1, first);
        WriteString(key);
        if (style == PythonJsonStyle.SortedMinimal) Append((byte)':');
        else Append(": "u8);
        WriteNode(child, style, depth + 1);
    }

    private void WriteArray(JsonArray arr, PythonJsonStyle style, int depth)
    {
        if (arr.Count == 0)
        {
            Append("[]"u8);
            return;
        }
        Append((byte)'[');
        for (int i = 0; i < arr.Count; i++)
        {
            Separator(style, depth + 1, i == 0);
            WriteNode(arr[i], style, depth + 1);
        }
        Close(style, depth);
        Append((byte)']');
    }

    private void Separator(PythonJsonStyle style, int depth, bool first)
    {
        if (style == PythonJsonStyle.Indented)
        {
            if (!first) Append((byte)',');
            NewLine(depth);
        }
        else if (!first)
        {
            if (style == PythonJsonStyle.SortedMinimal) Append((byte)',');
            else Append(", "u8);
        }
    }

    private void Close(PythonJsonStyle style, int depth)
    {
        if (style == PythonJsonStyle.Indented) NewLine(depth);
    }

    private void NewLine(int depth)
    {
        var span = Grow(1 + depth * 2);
        span[0] = (byte)'\n';
        span[1..].Fill((byte)' ');
    }

    /// <summary>
    /// Writes a parsed document's value as <see cref="WriteNode"/> writes the nodes <c>JsonNode.Parse</c> would make of it,
    /// without making them (a server checks and stores many records of one request document this way).
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// A string holds a lone surrogate, or an object repeats a key: the node path keeps the first and refuses the second;
    /// the caller takes it.
    /// </exception>
    public void WriteDocument(JsonElement element, PythonJsonStyle style, int depth)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                WriteDocumentObject(element, style, depth);
                break;
            case JsonValueKind.Array:
                int i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (i == 0) Append((byte)'[');
                    Separator(style, depth + 1, i++ == 0);
                    WriteDocument(item, style, depth + 1);
                }
                if (i == 0)
                {
                    Append("[]"u8);
                    return;
                }
                Close(style, depth);
                Append((byte)']');
                break;
            default:
                WriteElement(element);
                break;
        }
    }

    private void WriteDocumentObject(JsonElement obj, PythonJsonStyle style, int depth)
    {
        int count = obj.GetPropertyCount();
        if (count == 0)
        {
            Append("{}"u8);
            return;
        }
        var members = ArrayPool<(string Key, JsonElement Value)>.Shared.Rent(count);
        try
        {
            int n = 0;
            foreach (var property in obj.EnumerateObject()) members[n++] = (property.Name, property.Value);
            var span = members.AsSpan(0, n);
            bool sort = style is PythonJsonStyle.Canonical or PythonJsonStyle.SortedMinimal;
            // Repeated keys are found in key order: sorted for the canonical styles, a sorted copy of the keys otherwise.
            var keys = sort ? null : ArrayPool<string>.Shared.Rent(n);
            try
            {
                if (sort) span.Sort(static (a, b) => PythonJson.CodePointComparer.Compare(a.Key, b.Key));
                else
                {
                    for (int i = 0; i < n; i++) keys![i] = span[i].Key;
                    keys.AsSpan(0, n).Sort(StringComparer.Ordinal);
                }
                for (int i = 1; i < n; i++)
                {
                    if (string.Equals(sort ? span[i].Key : keys![i], sort ? span[i - 1].Key : keys![i - 1], StringComparison.Ordinal))
                        throw new InvalidOperationException($"The object repeats the key '{(sort ? span[i].Key : keys![i])}'.");
                }
            }
            finally
            {
                if (keys is not null) ArrayPool<string>.Shared.Return(keys, clearArray: true);
            }
            Append((byte)'{');
            for (int i = 0; i < n; i++)
            {
                Separator(style, depth + 1, i == 0);
                WriteString(span[i].Key);
                if (style == PythonJsonStyle.SortedMinimal) Append((byte)':');
                else Append(": "u8);
                WriteDocument(span[i].Value, style, depth + 1);
            }
            Close(style, depth);
            Append((byte)'}');
        }
        finally
        {
            ArrayPool<(string Key, JsonElement Value)>.Shared.Return(members, clearArray: true);
        }
    }

    private void WriteValue(JsonValue value)
    {
        if (value.TryGetValue(out JsonElement element))
        {
            WriteElement(element);
            return;
        }
        object raw = value.GetValue<object>();
        switch (raw)
        {
            case string s: WriteString(s); break;
            case bool b: Append(b ? "true"u8 : "false"u8); break;
            case double d: WriteFloat(d); break;
            case float f: WriteFloat(f); break;
            case decimal m: WriteFloat((double)m); break;
            case Half h: WriteFloat((double)h); break;
            case char c: WriteString(c.ToString()); break;
            case long l: WriteInteger(l); break;
            case int i: WriteInteger(i); break;
            case BigInteger big: WriteAscii(big.ToString(CultureInfo.InvariantCulture)); break;
            case IFormattable integer when IsInteger(raw): WriteAscii(integer.ToString(null, CultureInfo.InvariantCulture)); break;
            case JsonElement el: WriteElement(el); break;
            default:
                // The converter never stores other CLR types; fall back to their text as a string.
                WriteString(Convert.ToString(raw, CultureInfo.InvariantCulture) ?? string.Empty);
                break;
        }
    }

    private static bool IsInteger(object o) => o is byte or sbyte or short or ushort or int or uint or long or ulong or Int128 or UInt128 or nint or nuint;

    private void WriteElement(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String: WriteString(element.GetString()!); break;
            case JsonValueKind.True: Append("true"u8); break;
            case JsonValueKind.False: Append("false"u8); break;
            case JsonValueKind.Null: Append("null"u8); break;
            case JsonValueKind.Number: WriteNumber(JsonMarshal.GetRawUtf8Value(element)); break;
            case JsonValueKind.Object: WriteNode(JsonObject.Create(element), PythonJsonStyle.Compact, 0); break;
            case JsonValueKind.Array: WriteNode(JsonArray.Create(element), PythonJsonStyle.Compact, 0); break;
            default: Append("null"u8); break;
        }
    }

    /// <summary>A JSON number token as Python re-serializes what <c>json.loads</c> made of it (float repr, or the integer's digits).</summary>
    public void WriteNumber(ReadOnlySpan<byte> raw)
    {
        if (raw.IndexOfAny((byte)'.', (byte)'e', (byte)'E') >= 0)
        {
            WriteFloat(double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture));
        }
        else if (long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l))
        {
            WriteInteger(l);
        }
        else
        {
            WriteAscii(BigInteger.Parse(Encoding.ASCII.GetString(raw), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture));
        }
    }

    public void WriteInteger(long value)
    {
        var span = Reserve(20);
        Utf8Formatter.TryFormat(value, span, out int written);
        _length += written;
    }

    /// <summary>
    /// Python's <c>repr(float)</c>. A value of at most six decimals (a metric rounded, the usual case) is written from
    /// its digits directly (<see cref="TryWriteShortDecimal"/>). Otherwise, inside the fixed-notation range
    /// (1e-4 ≤ |x| &lt; 1e16), when .NET's shortest round-trip form has no exponent either, Python's repr has the same
    /// digits in the same layout, plus <c>.0</c> for a whole number; anything else takes
    /// <see cref="PythonJson.FormatFloat"/>'s full path.
    /// </summary>
    public void WriteFloat(double value)
    {
        double magnitude = Math.Abs(value);
        var span = Reserve(32);
        if (magnitude >= 1e-4 && magnitude < ShortDecimalLimit && TryWriteShortDecimal(value, span, out int length))
        {
            _length += length;
            return;
        }
        if (magnitude >= 1e-4 && magnitude < 1e16 && value.TryFormat(span, out int written, "R", CultureInfo.InvariantCulture))
        {
            // One pass over the few digits (a vectorized search costs more than it saves on 20 bytes).
            bool whole = true, exponent = false;
            foreach (byte b in span[..written])
            {
                if (b == (byte)'.') whole = false;
                else if ((b | 0x20) == (byte)'e') exponent = true;
            }
            if (!exponent)
            {
                _length += written;
                if (whole) Append(".0"u8);
                return;
            }
        }
        WriteAscii(PythonJson.FormatFloat(value));
    }

    // Below this, a double's spacing (at most 2^-23) is finer than a millionth, so two different six-decimal numbers
    // are never the same double; and a millionth count stays an exact integer.
    private const double ShortDecimalLimit = 1e9;

    /// <summary>
    /// Writes x as m / 10^6 when that decimal is x: m = round(x · 10^6), and the correctly rounded quotient m / 10^6
    /// (both operands exact) equals x, so the decimal reads back as x. Below <see cref="ShortDecimalLimit"/> no other
    /// decimal of six places or fewer does (the spacing), and one with fewer digits would have fewer places, so this
    /// one, trailing zeros dropped, is the shortest that reads back: Python's repr, in fixed notation for
    /// |x| ≥ 1e-4, with <c>.0</c> for a whole number. False (nothing written) when x has more than six decimals.
    /// Hand-written because it must be byte-exact with Python; 10–20 ns where the shortest round-trip search takes ~100.
    /// </summary>
    private static bool TryWriteShortDecimal(double value, Span<byte> span, out int length)
    {
        double millionths = Math.Round(Math.Abs(value) * 1e6);
        length = 0;
        if (millionths / 1e6 != Math.Abs(value)) return false;
        long count = (long)millionths;
        long whole = count / 1_000_000;
        int fraction = (int)(count - whole * 1_000_000);
        if (value < 0) span[length++] = (byte)'-';
        Utf8Formatter.TryFormat(whole, span[length..], out int written);
        length += written;
        span[length++] = (byte)'.';
        if (fraction == 0)
        {
            span[length++] = (byte)'0';
            return true;
        }
        int places = 6;
        while (fraction % 10 == 0)
        {
            fraction /= 10;
            places--;
        }
        for (int i = places - 1; i >= 0; i--)
        {
            span[length + i] = (byte)('0' + fraction % 10);
            fraction /= 10;
        }
        length += places;
        return true;
    }

    /// <summary>A string literal with <c>ensure_ascii</c> escapes (<c>\uXXXX</c> in lowercase hex per UTF-16 unit).</summary>
    public void WriteString(string s)
    {
        Append((byte)'"');
        var rest = s.AsSpan();
        while (true)
        {
            int plain = rest.IndexOfAnyExcept(Plain);
            WriteAscii(plain < 0 ? rest : rest[..plain]);
            if (plain < 0) break;
            char c = rest[plain];
            switch (c)
            {
                case '"': Append("\\\""u8); break;
                case '\\': Append("\\\\"u8); break;
                case '\n': Append("\\n"u8); break;
                case '\r': Append("\\r"u8); break;
                case '\t': Append("\\t"u8); break;
                case '\b': Append("\\b"u8); break;
                case '\f': Append("\\f"u8); break;
                default:
                    var span = Grow(6);
                    span[0] = (byte)'\\';
                    span[1] = (byte)'u';
                    ((ushort)c).TryFormat(span[2..], out _, "x4", CultureInfo.InvariantCulture);
                    break;
            }
            rest = rest[(plain + 1)..];
        }
        Append((byte)'"');
    }

    /// <summary>Text known to be ASCII (digits, escapes already applied).</summary>
    private void WriteAscii(ReadOnlySpan<char> ascii)
    {
        if (ascii.IsEmpty) return;
        Ascii.FromUtf16(ascii, Grow(ascii.Length), out _);
    }

    private void Append(byte b) => Grow(1)[0] = b;

    private void Append(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Grow(bytes.Length));

    /// <summary>Claims <paramref name="count"/> bytes at the end and returns them.</summary>
    private Span<byte> Grow(int count)
    {
        var span = Reserve(count)[..count];
        _length += count;
        return span;
    }

    /// <summary>Room for at least <paramref name="count"/> more bytes, not yet claimed.</summary>
    private Span<byte> Reserve(int count)
    {
        if (_length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        }
        return _buffer.AsSpan(_length);
    }
}
