using System.Globalization;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Metadata.Search;

/// <summary>
/// Parses and checks a filter (recursive descent over <see cref="FilterLexer"/>'s tokens; the grammar is in
/// <c>docs/search.md</c>). Every error is a <see cref="FilterSyntaxException"/> at its column; the limits bound the
/// time and the depth of any input.
/// </summary>
internal sealed class FilterParser
{
    private readonly string _filter;
    private readonly FilterSchema _schema;
    private readonly FilterLimits _limits;
    private readonly DateTimeOffset _now;
    private List<FilterToken> _tokens = [];
    private int _position;
    private int _depth;
    private int _terms;

    private FilterParser(string filter, FilterSchema schema, FilterLimits limits, DateTimeOffset now)
    {
        _filter = filter;
        _schema = schema;
        _limits = limits;
        _now = now;
    }

    /// <summary>The checked filter; <c>now()</c> is <paramref name="now"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="filter"/> is <c>null</c>.</exception>
    /// <exception cref="FilterSyntaxException">The filter is malformed, names an unknown field, mixes types, or exceeds a limit.</exception>
    public static FilterNode Parse(string filter, FilterSchema schema, FilterLimits? limits, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(filter);
        limits ??= FilterLimits.Default;
        limits.Validate();
        if (filter.Length > limits.MaxLength)
            throw new FilterSyntaxException(filter, limits.MaxLength + 1, $"the filter is {filter.Length} characters long; at most {limits.MaxLength} are allowed");
        var parser = new FilterParser(filter, schema, limits, now);
        parser._tokens = FilterLexer.Tokenize(filter);
        if (parser.Peek.Kind == TokenKind.End) throw new FilterSyntaxException(filter, 1, "the filter is empty");
        var node = parser.ParseOr();
        if (parser.Peek.Kind != TokenKind.End)
        {
            var extra = parser.Peek;
            throw parser.Error(extra, extra.Kind == TokenKind.RightParen ? "unbalanced ')'" : $"expected AND, OR or the end of the filter, found {Show(extra)}");
        }
        return node;
    }

    /// <summary>A field alone (an order-by field): a column or a metadata path.</summary>
    /// <exception cref="FilterSyntaxException">It is not one.</exception>
    public static FilterField ParseField(string text, FilterSchema schema)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > FilterLimits.Default.MaxLength) throw new FilterSyntaxException(text, 1, "the field is too long");
        var parser = new FilterParser(text, schema, FilterLimits.Default, default) { _tokens = FilterLexer.Tokenize(text) };
        var (field, _) = parser.ParseField();
        if (parser.Peek.Kind != TokenKind.End) throw parser.Error(parser.Peek, $"expected the end of the field, found {Show(parser.Peek)}");
        return field;
    }

    private FilterToken Peek => _tokens[_position];

    private FilterToken Next() => _tokens[_position++];

    private bool AtKeyword(string keyword, int offset = 0) =>
        _tokens[Math.Min(_position + offset, _tokens.Count - 1)] is { Kind: TokenKind.Identifier } t && t.Text.Equals(keyword, StringComparison.OrdinalIgnoreCase);

    private bool TakeKeyword(string keyword)
    {
        if (!AtKeyword(keyword)) return false;
        _position++;
        return true;
    }

    private FilterToken Expect(TokenKind kind, string what)
    {
        var token = Peek;
        if (token.Kind != kind) throw Error(token, $"expected {what}, found {Show(token)}");
        return Next();
    }

    private FilterSyntaxException Error(FilterToken at, string reason) => new(_filter, at.Column, reason);

    private static string Show(FilterToken token) => token.Kind switch
    {
        TokenKind.End => "the end of the filter",
        TokenKind.String => $"the string {FilterLexer.QuoteString(token.Text.Length > 40 ? token.Text[..40] + "..." : token.Text)}",
        _ => $"'{(token.Text.Length > 40 ? token.Text[..40] + "..." : token.Text)}'",
    };

    private void Enter(FilterToken at)
    {
        if (++_depth > _limits.MaxDepth) throw Error(at, $"the filter nests deeper than {_limits.MaxDepth} levels");
    }

    private FilterNode ParseOr()
    {
        var first = ParseAnd();
        if (!AtKeyword("OR")) return first;
        var operands = new List<FilterNode> { first };
        while (TakeKeyword("OR")) operands.Add(ParseAnd());
        return new OrNode(operands);
    }

    private FilterNode ParseAnd()
    {
        var first = ParseNot();
        if (!AtKeyword("AND")) return first;
        var operands = new List<FilterNode> { first };
        while (TakeKeyword("AND")) operands.Add(ParseNot());
        return new AndNode(operands);
    }

    private FilterNode ParseNot()
    {
        if (!AtKeyword("NOT")) return ParsePrimary();
        var at = Next();
        Enter(at);
        var operand = ParseNot();
        _depth--;
        return new NotNode(operand);
    }

    private FilterNode ParsePrimary()
    {
        var token = Peek;
        if (token.Kind == TokenKind.LeftParen)
        {
            Next();
            Enter(token);
            var inner = ParseOr();
            _depth--;
            if (Peek.Kind != TokenKind.RightParen) throw Error(Peek, $"expected ')' to close the '(' at column {token.Column}, found {Show(Peek)}");
            Next();
            return inner;
        }
        if (AtKeyword("EXISTS") && _tokens[_position + 1].Kind == TokenKind.LeftParen)
        {
            Next();
            Next();
            var (field, fieldToken) = ParseField();
            if (!field.IsPath) throw Error(fieldToken, $"EXISTS takes a metadata path; {field.Column} is a column (use IS NULL / IS NOT NULL)");
            Expect(TokenKind.RightParen, "')' after the EXISTS path");
            return Count(new ExistsNode(field), token);
        }
        return ParsePredicate();
    }

    private FilterNode Count(FilterNode node, FilterToken at)
    {
        if (++_terms > _limits.MaxTerms) throw Error(at, $"the filter has more than {_limits.MaxTerms} comparisons");
        return node;
    }

    private FilterNode ParsePredicate()
    {
        var (field, fieldToken) = ParseField();
        var opToken = Peek;
        if (opToken.Kind == TokenKind.Operator)
        {
            Next();
            var op = opToken.Text switch
            {
                "=" => CompareOp.Equal,
                "!=" => CompareOp.NotEqual,
                "<" => CompareOp.Less,
                "<=" => CompareOp.LessOrEqual,
                ">" => CompareOp.Greater,
                _ => CompareOp.GreaterOrEqual,
            };
            var (literal, literalToken) = ParseLiteral();
            var value = Typed(field, literal, literalToken);
            if (value.Kind == LiteralKind.Boolean && op is not (CompareOp.Equal or CompareOp.NotEqual))
                throw Error(opToken, $"booleans compare only with = and !=, not {opToken.Text}");
            return Count(new CompareNode(field, op, value), fieldToken);
        }
        if (TakeKeyword("IS"))
        {
            bool negated = TakeKeyword("NOT");
            if (!TakeKeyword("NULL")) throw Error(Peek, $"expected NULL after IS{(negated ? " NOT" : "")}, found {Show(Peek)}");
            return Count(new NullNode(field, negated), fieldToken);
        }
        bool not = false;
        if (AtKeyword("NOT") && (AtKeyword("LIKE", 1) || AtKeyword("ILIKE", 1) || AtKeyword("IN", 1)))
        {
            Next();
            not = true;
        }
        if (AtKeyword("LIKE") || AtKeyword("ILIKE"))
        {
            var like = Next();
            bool ignoreCase = like.Text.Equals("ILIKE", StringComparison.OrdinalIgnoreCase);
            if (field.Type is FieldType.Number or FieldType.Timestamp)
                throw Error(like, $"{like.Text.ToUpperInvariant()} applies to text; {field.Text} is a {(field.Type == FieldType.Number ? "number" : "timestamp")}");
            var patternToken = Peek;
            if (patternToken.Kind != TokenKind.String) throw Error(patternToken, $"{like.Text.ToUpperInvariant()} needs a string pattern, found {Show(patternToken)}");
            Next();
            try
            {
                return Count(new LikeNode(field, patternToken.Text, not, ignoreCase), fieldToken);
            }
            catch (ArgumentException ex) when (ex is not FilterSyntaxException)
            {
                throw Error(patternToken, "a LIKE pattern must not end with a lone backslash (write \\ for a backslash)");
            }
        }
        if (TakeKeyword("IN"))
        {
            Expect(TokenKind.LeftParen, "'(' after IN");
            var values = new List<FilterLiteral>();
            LiteralKind? kind = null;
            while (true)
            {
                var (literal, literalToken) = ParseLiteral();
                var value = Typed(field, literal, literalToken);
                if (kind is { } k && k != value.Kind) throw Error(literalToken, "the values of an IN list must all be of one type");
                kind = value.Kind;
                if (values.Count == _limits.MaxInListSize) throw Error(literalToken, $"an IN list may hold at most {_limits.MaxInListSize} values");
                values.Add(value);
                if (Peek.Kind == TokenKind.Comma)
                {
                    Next();
                    continue;
                }
                Expect(TokenKind.RightParen, "',' or ')' in the IN list");
                break;
            }
            return Count(new InNode(field, values, not), fieldToken);
        }
        throw Error(opToken, $"expected a comparison (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, IS NULL) after {field.Text}, found {Show(opToken)}");
    }

    private (FilterField Field, FilterToken Token) ParseField()
    {
        var token = Peek;
        if (token.Kind != TokenKind.Identifier) throw Error(token, $"expected a field, found {Show(token)}");
        Next();
        string name = token.Text;
        if (name == "metadata" && _schema.AllowsPaths)
        {
            var path = new List<PathSegment>();
            while (Peek.Kind is TokenKind.Dot or TokenKind.LeftBracket)
            {
                if (Next().Kind == TokenKind.Dot)
                {
                    var segment = Peek;
                    if (segment.Kind is not (TokenKind.Identifier or TokenKind.String)) throw Error(segment, $"expected a path segment after '.', found {Show(segment)}");
                    Next();
                    CheckKey(segment);
                    path.Add(new PathSegment(segment.Text, 0));
                }
                else
                {
                    var index = Peek;
                    if (index.Kind != TokenKind.Number || !int.TryParse(index.Text, NumberStyles.None, CultureInfo.InvariantCulture, out int i))
                        throw Error(index, $"expected an array index (0, 1, ...) inside [ ], found {Show(index)}");
                    Next();
                    Expect(TokenKind.RightBracket, "']'");
                    path.Add(new PathSegment(null, i));
                }
            }
            if (path.Count == 0) throw Error(token, "metadata needs a path, e.g. metadata.performance.accuracy");
            return (new FilterField("metadata", FieldType.Json, path), token);
        }
        if (!_schema.Columns.TryGetValue(name, out var type))
            throw Error(token, $"unknown field '{name}' for {_schema.What} (known: {_schema.Known})");
        if (Peek.Kind is TokenKind.Dot or TokenKind.LeftBracket) throw Error(Peek, $"{name} is a column and has no path");
        return (new FilterField(name, type, []), token);
    }

    private void CheckKey(FilterToken segment)
    {
        // SQLite's JSON paths have no escapes: a key holding " or \ could not be addressed the same way on every backend.
        if (segment.Text.Length == 0) throw Error(segment, "a path segment must not be empty");
        foreach (char c in segment.Text)
        {
            if (c is '"' or '\\' || char.IsControl(c)) throw Error(segment, "a path segment must not contain a double quote, a backslash or a control character");
        }
    }

    private enum RawKind { String, Number, True, False, Null, Now }

    // A literal as written, before its field gives it a type.
    private readonly record struct RawLiteral(RawKind Kind, string Text, TimeSpan Offset);

    private (RawLiteral Literal, FilterToken Token) ParseLiteral()
    {
        var token = Peek;
        return (ParseRawLiteral(token), token);
    }

    private RawLiteral ParseRawLiteral(FilterToken token)
    {
        switch (token.Kind)
        {
            case TokenKind.String:
                Next();
                return new RawLiteral(RawKind.String, token.Text, default);
            case TokenKind.Number:
                Next();
                return new RawLiteral(RawKind.Number, token.Text, default);
            case TokenKind.Identifier when token.Text.Equals("true", StringComparison.OrdinalIgnoreCase):
                Next();
                return new RawLiteral(RawKind.True, token.Text, default);
            case TokenKind.Identifier when token.Text.Equals("false", StringComparison.OrdinalIgnoreCase):
                Next();
                return new RawLiteral(RawKind.False, token.Text, default);
            case TokenKind.Identifier when token.Text.Equals("null", StringComparison.OrdinalIgnoreCase):
                Next();
                return new RawLiteral(RawKind.Null, token.Text, default);
            case TokenKind.Identifier when token.Text.Equals("now", StringComparison.OrdinalIgnoreCase):
                Next();
                Expect(TokenKind.LeftParen, "'(' after now");
                Expect(TokenKind.RightParen, "')' after now(");
                var offset = TimeSpan.Zero;
                if (Peek.Kind is TokenKind.Minus or TokenKind.Plus)
                {
                    bool minus = Next().Kind == TokenKind.Minus;
                    var duration = Peek;
                    if (duration.Kind != TokenKind.Duration) throw Error(duration, $"expected a duration (30s, 15m, 12h, 7d, 2w), found {Show(duration)}");
                    Next();
                    offset = Duration(duration);
                    if (minus) offset = -offset;
                }
                return new RawLiteral(RawKind.Now, token.Text, offset);
            default:
                throw Error(token, $"expected a value (a string, a number, true, false, now()), found {Show(token)}");
        }
    }

    private TimeSpan Duration(FilterToken token)
    {
        string digits = token.Text[..^1];
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long n) || n > 1_000_000)
            throw Error(token, $"the duration {token.Text} is too large");
        return token.Text[^1] switch
        {
            's' => TimeSpan.FromSeconds(n),
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            'd' => TimeSpan.FromDays(n),
            _ => TimeSpan.FromDays(7 * n),
        };
    }

    // The literal as the field compares it: a string becomes an instant for the timestamp, now() only goes with it.
    private FilterLiteral Typed(FilterField field, RawLiteral literal, FilterToken token)
    {
        var (kind, text, offset) = literal;
        if (kind == RawKind.Null) throw Error(token, $"nothing equals null; use {field.Text} IS NULL or IS NOT NULL");
        switch (field.Type)
        {
            case FieldType.Timestamp:
                if (kind == RawKind.Now)
                {
                    try
                    {
                        return FilterLiteral.Of(PythonTimestamp.Truncate(_now + offset));
                    }
                    catch (ArgumentOutOfRangeException)
                    {
                        throw Error(token, "now() with this duration is outside the range of dates");
                    }
                }
                if (kind == RawKind.String && TryParseInstant(text, out var instant)) return FilterLiteral.Of(instant);
                throw Error(token, $"{field.Text} compares with an ISO 8601 timestamp ('2026-03-01T12:00:00Z') or now() - 7d, not {Describe(kind, text)}");
            case FieldType.Text:
                if (kind == RawKind.String) return FilterLiteral.Of(text);
                throw Error(token, $"{field.Text} is text; compare it with a string, not {Describe(kind, text)}");
            case FieldType.Number:
                if (kind == RawKind.Number) return FilterLiteral.Of(double.Parse(text, CultureInfo.InvariantCulture));
                throw Error(token, $"{field.Text} is a number; compare it with a number, not {Describe(kind, text)}");
            default:
                return kind switch
                {
                    RawKind.String => FilterLiteral.Of(text),
                    RawKind.Number => FilterLiteral.Of(double.Parse(text, CultureInfo.InvariantCulture)),
                    RawKind.True => FilterLiteral.Of(true),
                    RawKind.False => FilterLiteral.Of(false),
                    _ => throw Error(token, $"now() compares only with the timestamp field; {field.Text} is a metadata value (compare it with an ISO 8601 string)"),
                };
        }
    }

    private static string Describe(RawKind kind, string text) => kind switch
    {
        RawKind.String => "the string " + FilterLexer.QuoteString(text.Length > 40 ? text[..40] + "..." : text),
        RawKind.Number => "the number " + text,
        RawKind.Now => "now()",
        _ => text.ToLowerInvariant(),
    };

    /// <summary>An ISO 8601 timestamp (a date alone is midnight UTC; <c>Z</c> or no offset is UTC), to whole microseconds.</summary>
    internal static bool TryParseInstant(string text, out DateTimeOffset instant)
    {
        string normalized = text.EndsWith('Z') || text.EndsWith('z') ? text[..^1] + "+00:00" : text;
        if (normalized.Length == 10) normalized += "T00:00:00";
        if (text.Length >= 10 && char.IsAsciiDigit(text[0]) && PythonTimestamp.TryParse(normalized, out instant))
        {
            instant = PythonTimestamp.Truncate(instant);
            return true;
        }
        instant = default;
        return false;
    }
}
