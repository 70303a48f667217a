using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ciaf.Metadata.Hashing;

/// <summary>
/// A reader for the JSON dialect Python writes, used only when System.Text.Json refuses a document
/// because it holds the bare literals <c>NaN</c>, <c>Infinity</c> or <c>-Infinity</c> (which Python's
/// <c>json.dump</c> writes for non-finite floats and System.Text.Json cannot read as numbers).
/// </summary>
internal sealed class PythonJsonReader(string text)
{
    private const int MaxDepth = 256;
    private int _pos;

    public JsonNode? ReadDocument()
    {
        var node = ReadValue(0);
        SkipWhitespace();
        if (_pos != text.Length) throw Error("unexpected trailing characters");
        return node;
    }

    private JsonNode? ReadValue(int depth)
    {
        if (depth > MaxDepth) throw Error("nesting too deep");
        SkipWhitespace();
        if (_pos >= text.Length) throw Error("unexpected end of document");
        char c = text[_pos];
        switch (c)
        {
            case '{': return ReadObject(depth);
            case '[': return ReadArray(depth);
            case '"': return JsonValue.Create(ReadString());
            case 't': Expect("true"); return JsonValue.Create(true);
            case 'f': Expect("false"); return JsonValue.Create(false);
            case 'n': Expect("null"); return null;
            case 'N': Expect("NaN"); return JsonValue.Create(double.NaN);
            case 'I': Expect("Infinity"); return JsonValue.Create(double.PositiveInfinity);
            default:
                if (c == '-' && string.CompareOrdinal(text, _pos, "-Infinity", 0, 9) == 0)
                {
                    _pos += 9;
                    return JsonValue.Create(double.NegativeInfinity);
                }
                if (c == '-' || char.IsAsciiDigit(c)) return ReadNumber();
                throw Error($"unexpected character '{c}'");
        }
    }

    private JsonObject ReadObject(int depth)
    {
        _pos++; // {
        var obj = new JsonObject();
        SkipWhitespace();
        if (Peek() == '}') { _pos++; return obj; }
        while (true)
        {
            SkipWhitespace();
            if (Peek() != '"') throw Error("expected a property name");
            string key = ReadString();
            SkipWhitespace();
            if (Peek() != ':') throw Error("expected ':'");
            _pos++;
            obj[key] = ReadValue(depth + 1);
            SkipWhitespace();
            char c = Peek();
            _pos++;
            if (c == '}') return obj;
            if (c != ',') throw Error("expected ',' or '}'");
        }
    }

    private JsonArray ReadArray(int depth)
    {
        _pos++; // [
        var arr = new JsonArray();
        SkipWhitespace();
        if (Peek() == ']') { _pos++; return arr; }
        while (true)
        {
            arr.Add(ReadValue(depth + 1));
            SkipWhitespace();
            char c = Peek();
            _pos++;
            if (c == ']') return arr;
            if (c != ',') throw Error("expected ',' or ']'");
        }
    }

    private JsonNode ReadNumber()
    {
        int start = _pos;
        if (text[_pos] == '-') _pos++;
        while (_pos < text.Length && "0123456789.eE+-".Contains(text[_pos], StringComparison.Ordinal)) _pos++;
        string raw = text[start.._pos];
        // Re-parse the token with System.Text.Json so numbers keep their exact text (big integers included).
        try
        {
            return JsonNode.Parse(raw)!;
        }
        catch (JsonException)
        {
            throw Error($"invalid number '{raw}'");
        }
    }

    private string ReadString()
    {
        _pos++; // opening quote
        var sb = new StringBuilder();
        while (true)
        {
            if (_pos >= text.Length) throw Error("unterminated string");
            char c = text[_pos++];
            if (c == '"') return sb.ToString();
            if (c != '\\') { sb.Append(c); continue; }
            if (_pos >= text.Length) throw Error("unterminated escape");
            char e = text[_pos++];
            switch (e)
            {
                case '"': sb.Append('"'); break;
                case '\\': sb.Append('\\'); break;
                case '/': sb.Append('/'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'u':
                    if (_pos + 4 > text.Length || !int.TryParse(text.AsSpan(_pos, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int code))
                        throw Error("invalid \\u escape");
                    sb.Append((char)code);
                    _pos += 4;
                    break;
                default: throw Error($"invalid escape '\\{e}'");
            }
        }
    }

    private void Expect(string word)
    {
        if (string.CompareOrdinal(text, _pos, word, 0, word.Length) != 0) throw Error($"expected '{word}'");
        _pos += word.Length;
    }

    private char Peek() => _pos < text.Length ? text[_pos] : throw Error("unexpected end of document");

    private void SkipWhitespace()
    {
        while (_pos < text.Length && text[_pos] is ' ' or '\t' or '\n' or '\r') _pos++;
    }

    private JsonException Error(string message) => new($"Invalid JSON at offset {_pos}: {message}.");
}
