using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ciaf.Metadata.Hashing;

/// <summary>
/// Reads and writes JSON exactly as Python's <c>json</c> module does, so that hashes match the
/// reference byte for byte and Python reads our files unchanged. System.Text.Json cannot do this:
/// Python sorts keys by code point, escapes every non-ASCII character, writes floats as <c>repr</c>
/// (<c>1e-05</c>, <c>100.0</c>) and accepts and writes the bare literals <c>NaN</c> and <c>Infinity</c>.
/// </summary>
public static class PythonJson
{
    /// <summary>The canonical form hashed by the reference: <c>json.dumps(value, sort_keys=True)</c>.</summary>
    public static string Canonical(JsonNode? value) => Serialize(value, PythonJsonStyle.Canonical);

    /// <summary><c>sha256(utf8(json.dumps(metadata, sort_keys=True))).hexdigest()</c>.</summary>
    public static string Hash(JsonNode? metadata)
    {
        var writer = PythonJsonWriter.Rent();
        writer.WriteNode(metadata, PythonJsonStyle.Canonical, 0);
        string hash = HashOf(writer.Written);
        writer.Return();
        return hash;
    }

    /// <summary>SHA-256 (lowercase hex) of <paramref name="value"/> written in <paramref name="style"/>.</summary>
    internal static string Hash(JsonNode? value, PythonJsonStyle style)
    {
        var writer = PythonJsonWriter.Rent();
        writer.WriteNode(value, style, 0);
        string hash = HashOf(writer.Written);
        writer.Return();
        return hash;
    }

    /// <summary>SHA-256 (lowercase hex) of a canonical text produced by <see cref="Canonical"/>.</summary>
    public static string HashCanonical(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        // ensure_ascii output is pure ASCII: one byte per char.
        byte[] rented = System.Buffers.ArrayPool<byte>.Shared.Rent(text.Length);
        try
        {
            int n = Encoding.ASCII.GetBytes(text, rented);
            return HashOf(rented.AsSpan(0, n));
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    internal static string HashOf(ReadOnlySpan<byte> canonical)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        Sha256.Hash(canonical, digest);
        return Convert.ToHexStringLower(digest);
    }

    /// <summary>
    /// An upper bound of the length of <see cref="Canonical"/>'s output, computed without serializing (every
    /// string counted as if each character needed a 6-character escape), so a size limit costs nothing for the
    /// payloads far below it.
    /// </summary>
    public static long MaxCanonicalLength(JsonNode? value)
    {
        switch (value)
        {
            case null: return 4;
            case JsonObject obj:
            {
                long n = 2;
                foreach (var (key, child) in obj) n += 6L * key.Length + 6 + MaxCanonicalLength(child);
                return n;
            }
            case JsonArray arr:
            {
                long n = 2;
                foreach (var child in arr) n += 2 + MaxCanonicalLength(child);
                return n;
            }
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                return 6L * (v.TryGetValue(out string? s) ? s.Length : v.GetValue<JsonElement>().GetString()!.Length) + 2;
            case JsonValue v when v.TryGetValue(out JsonElement e) && e.ValueKind == JsonValueKind.Number:
                return e.GetRawText().Length + 32;
            default:
                return 32; // numbers (floats at most 24 characters, 64-bit integers 20), booleans, NaN
        }
    }

    /// <summary>Serializes <paramref name="value"/> in the given Python layout.</summary>
    public static string Serialize(JsonNode? value, PythonJsonStyle style)
    {
        var writer = PythonJsonWriter.Rent();
        writer.WriteNode(value, style, 0);
        string text = writer.ToString();
        writer.Return();
        return text;
    }

    /// <summary><see cref="Serialize"/> as bytes (ASCII, hence UTF-8), without the string.</summary>
    public static byte[] SerializeToUtf8Bytes(JsonNode? value, PythonJsonStyle style)
    {
        var writer = PythonJsonWriter.Rent();
        writer.WriteNode(value, style, 0);
        byte[] bytes = writer.Written.ToArray();
        writer.Return();
        return bytes;
    }

    /// <summary>Appends <paramref name="value"/> in the given Python layout to <paramref name="sb"/>.</summary>
    public static void Write(StringBuilder sb, JsonNode? value, PythonJsonStyle style)
    {
        ArgumentNullException.ThrowIfNull(sb);
        sb.Append(Serialize(value, style));
    }

    /// <summary>
    /// Parses JSON text, accepting Python's extensions (<c>NaN</c>, <c>Infinity</c>, <c>-Infinity</c>).
    /// Integers of any size keep their exact digits.
    /// </summary>
    /// <exception cref="JsonException">The text is not JSON.</exception>
    public static JsonNode? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (HasLoneSurrogateEscape(text.AsSpan())) return new PythonJsonReader(text).ReadDocument();
        try
        {
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException) when (text.Contains("NaN", StringComparison.Ordinal) || text.Contains("Infinity", StringComparison.Ordinal))
        {
            return new PythonJsonReader(text).ReadDocument();
        }
    }

    /// <summary>Parses UTF-8 JSON bytes; see <see cref="Parse(string)"/>.</summary>
    public static JsonNode? Parse(ReadOnlySpan<byte> utf8)
    {
        if (HasLoneSurrogateEscape(utf8)) return new PythonJsonReader(Encoding.UTF8.GetString(utf8)).ReadDocument();
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 256 });
            return JsonNode.Parse(ref reader);
        }
        catch (JsonException) when (utf8.IndexOf("NaN"u8) >= 0 || utf8.IndexOf("Infinity"u8) >= 0)
        {
            return new PythonJsonReader(Encoding.UTF8.GetString(utf8)).ReadDocument();
        }
    }

    /// <summary>
    /// Whether the JSON text escapes a lone UTF-16 surrogate (<c>\ud800</c> not followed by a low surrogate's escape,
    /// or a low one on its own), as Python's <c>json.dumps</c> writes a <c>str</c> holding one. System.Text.Json reads
    /// such a string but throws when its value is asked for, so those documents take <see cref="PythonJsonReader"/>,
    /// which keeps every UTF-16 unit as escaped. A false alarm (an escaped backslash before <c>ud800</c> text) only
    /// costs the slower reader.
    /// </summary>
    private static bool HasLoneSurrogateEscape<T>(ReadOnlySpan<T> text) where T : unmanaged, IBinaryInteger<T>
    {
        T backslash = T.CreateTruncating('\\');
        int i = text.IndexOf(backslash);
        while (i >= 0)
        {
            int unit = EscapedUnit(text, i);
            if (unit is >= 0xD800 and <= 0xDBFF && EscapedUnit(text, i + 6) is >= 0xDC00 and <= 0xDFFF) i += 12;
            else if (unit is >= 0xD800 and <= 0xDFFF) return true;
            else i += 2;
            if (i >= text.Length) return false;
            int next = text[i..].IndexOf(backslash);
            i = next < 0 ? -1 : i + next;
        }
        return false;
    }

    /// <summary>The UTF-16 unit of a <c>\uXXXX</c> escape at <paramref name="at"/>, or -1 when there is none.</summary>
    private static int EscapedUnit<T>(ReadOnlySpan<T> text, int at) where T : unmanaged, IBinaryInteger<T>
    {
        if (at + 6 > text.Length || int.CreateTruncating(text[at]) != '\\' || int.CreateTruncating(text[at + 1]) != 'u') return -1;
        int unit = 0;
        for (int k = at + 2; k < at + 6; k++)
        {
            int c = int.CreateTruncating(text[k]);
            if (c > 127 || !char.IsAsciiHexDigit((char)c)) return -1;
            unit = unit * 16 + (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
        }
        return unit;
    }

    /// <summary>Python's <c>repr(float)</c>: shortest round-trip digits, <c>1e-05</c>, <c>1e+16</c>, <c>100.0</c>, <c>-0.0</c>, <c>NaN</c>.</summary>
    public static string FormatFloat(double value)
    {
        if (double.IsNaN(value)) return "NaN";
        if (double.IsPositiveInfinity(value)) return "Infinity";
        if (double.IsNegativeInfinity(value)) return "-Infinity";
        if (value == 0) return double.IsNegative(value) ? "-0.0" : "0.0";

        // .NET's "R" gives the shortest round-trip digits (since .NET Core 3.0); only the layout differs.
        string r = value.ToString("R", CultureInfo.InvariantCulture);
        bool negative = r[0] == '-';
        if (negative) r = r[1..];
        int exp = 0;
        int e = r.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exp = int.Parse(r.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            r = r[..e];
        }
        int point = r.IndexOf('.');
        string digits = point < 0 ? r : string.Concat(r.AsSpan(0, point), r.AsSpan(point + 1));
        int intDigits = point < 0 ? r.Length : point;
        int lead = 0;
        while (lead < digits.Length - 1 && digits[lead] == '0') lead++;
        digits = digits[lead..].TrimEnd('0');
        // decimal exponent of the first significant digit
        int e10 = intDigits - lead - 1 + exp;

        var sb = new StringBuilder(24);
        if (negative) sb.Append('-');
        if (e10 < -4 || e10 >= 16)
        {
            sb.Append(digits[0]);
            if (digits.Length > 1) sb.Append('.').Append(digits, 1, digits.Length - 1);
            sb.Append('e').Append(e10 < 0 ? '-' : '+');
            sb.Append(Math.Abs(e10).ToString("00", CultureInfo.InvariantCulture));
        }
        else if (e10 >= 0)
        {
            if (digits.Length <= e10 + 1)
            {
                sb.Append(digits).Append('0', e10 + 1 - digits.Length).Append(".0");
            }
            else
            {
                sb.Append(digits, 0, e10 + 1).Append('.').Append(digits, e10 + 1, digits.Length - e10 - 1);
            }
        }
        else
        {
            sb.Append("0.").Append('0', -e10 - 1).Append(digits);
        }
        return sb.ToString();
    }

    /// <summary>Orders strings by Unicode code point, as Python sorts <c>str</c> (ordinal UTF-16 order differs above U+D7FF).</summary>
    public static readonly IComparer<string> CodePointComparer = new CodePointOrder();

    private sealed class CodePointOrder : IComparer<string>
    {
        public int Compare(string? x, string? y)
        {
            if (ReferenceEquals(x, y)) return 0;
            if (x is null) return -1;
            if (y is null) return 1;
            int n = Math.Min(x.Length, y.Length);
            for (int i = 0; i < n; i++)
            {
                char a = x[i], b = y[i];
                if (a == b) continue;
                return Fix(a) - Fix(b);
            }
            return x.Length - y.Length;
        }

        // Surrogates (U+D800..U+DFFF) encode code points above U+FFFF, so they must sort after U+E000..U+FFFF.
        private static int Fix(char c) => c >= 0xD800 ? (c <= 0xDFFF ? c + 0x2000 : c - 0x800) : c;
    }
}
