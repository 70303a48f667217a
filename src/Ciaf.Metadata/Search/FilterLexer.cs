using System.Globalization;

namespace Ciaf.Metadata.Search;

/// <summary>The kinds of token of the filter language.</summary>
internal enum TokenKind { End, Identifier, String, Number, Duration, LeftParen, RightParen, LeftBracket, RightBracket, Comma, Dot, Minus, Plus, Operator }

/// <summary>A token: its kind, text (a string's value unquoted) and 1-based column.</summary>
internal readonly record struct FilterToken(TokenKind Kind, string Text, int Column, bool DoubleQuoted = false);

/// <summary>
/// Splits a filter into tokens. Hand-written (as is the parser): the grammar is ours and small, and a hand-written
/// scanner gives exact columns for every error.
/// </summary>
internal static class FilterLexer
{
    /// <summary>The tokens of <paramref name="filter"/>, ending with <see cref="TokenKind.End"/>.</summary>
    /// <exception cref="FilterSyntaxException">An unknown character, an unterminated string, a malformed number.</exception>
    public static List<FilterToken> Tokenize(string filter)
    {
        var tokens = new List<FilterToken>();
        int i = 0;
        while (true)
        {
            while (i < filter.Length && char.IsWhiteSpace(filter[i])) i++;
            if (i >= filter.Length)
            {
                tokens.Add(new FilterToken(TokenKind.End, "", filter.Length + 1));
                return tokens;
            }
            int start = i;
            char c = filter[i];
            switch (c)
            {
                case '(': tokens.Add(new(TokenKind.LeftParen, "(", start + 1)); i++; continue;
                case ')': tokens.Add(new(TokenKind.RightParen, ")", start + 1)); i++; continue;
                case '[': tokens.Add(new(TokenKind.LeftBracket, "[", start + 1)); i++; continue;
                case ']': tokens.Add(new(TokenKind.RightBracket, "]", start + 1)); i++; continue;
                case ',': tokens.Add(new(TokenKind.Comma, ",", start + 1)); i++; continue;
                case '.' when !(i + 1 < filter.Length && char.IsAsciiDigit(filter[i + 1])): tokens.Add(new(TokenKind.Dot, ".", start + 1)); i++; continue;
                case '-' when !(i + 1 < filter.Length && (char.IsAsciiDigit(filter[i + 1]) || filter[i + 1] == '.')) || PreviousIsValue(tokens):
                    tokens.Add(new(TokenKind.Minus, "-", start + 1)); i++; continue;
                case '+': tokens.Add(new(TokenKind.Plus, "+", start + 1)); i++; continue;
                case '=': tokens.Add(new(TokenKind.Operator, "=", start + 1)); i++; continue;
                case '!' when i + 1 < filter.Length && filter[i + 1] == '=': tokens.Add(new(TokenKind.Operator, "!=", start + 1)); i += 2; continue;
                case '<' or '>':
                    string op = i + 1 < filter.Length && (filter[i + 1] == '=' || (c == '<' && filter[i + 1] == '>')) ? filter.Substring(i, 2) : c.ToString();
                    tokens.Add(new(TokenKind.Operator, op == "<>" ? "!=" : op, start + 1));
                    i += op.Length;
                    continue;
                case '\'' or '"':
                    tokens.Add(ReadString(filter, ref i));
                    continue;
            }
            if (char.IsAsciiDigit(c) || c == '-' || c == '.')
            {
                tokens.Add(ReadNumber(filter, ref i));
                continue;
            }
            if (char.IsAsciiLetter(c) || c == '_')
            {
                while (i < filter.Length && IsIdentifierChar(filter[i])) i++;
                tokens.Add(new(TokenKind.Identifier, filter[start..i], start + 1));
                continue;
            }
            throw new FilterSyntaxException(filter, start + 1, $"unexpected character {Describe(c)}");
        }
    }

    /// <summary>A path segment as the language writes it: bare when it is an identifier, else double-quoted.</summary>
    public static string QuoteSegment(string key) =>
        key.Length > 0 && (char.IsAsciiLetter(key[0]) || key[0] == '_') && key.All(IsIdentifierChar) ? key : "\"" + key.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>A string literal as the language writes it (single quotes, doubled inside).</summary>
    public static string QuoteString(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static bool IsIdentifierChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    // "a-1" after a value is a minus; elsewhere "-1" is a negative number.
    private static bool PreviousIsValue(List<FilterToken> tokens) =>
        tokens.Count > 0 && tokens[^1].Kind is TokenKind.RightParen or TokenKind.Number or TokenKind.Duration or TokenKind.String or TokenKind.RightBracket
            || (tokens.Count > 0 && tokens[^1].Kind == TokenKind.Identifier);

    private static FilterToken ReadString(string filter, ref int i)
    {
        char quote = filter[i];
        int start = i++;
        var value = new System.Text.StringBuilder();
        while (true)
        {
            if (i >= filter.Length) throw new FilterSyntaxException(filter, start + 1, "unterminated string (a quote inside a string is written twice)");
            char c = filter[i++];
            if (c != quote)
            {
                value.Append(c);
                continue;
            }
            if (i < filter.Length && filter[i] == quote)
            {
                value.Append(quote);
                i++;
                continue;
            }
            return new FilterToken(TokenKind.String, value.ToString(), start + 1, quote == '"');
        }
    }

    private static FilterToken ReadNumber(string filter, ref int i)
    {
        int start = i;
        if (filter[i] == '-') i++;
        while (i < filter.Length && char.IsAsciiDigit(filter[i])) i++;
        if (i < filter.Length && filter[i] == '.')
        {
            i++;
            while (i < filter.Length && char.IsAsciiDigit(filter[i])) i++;
        }
        if (i < filter.Length && filter[i] is 'e' or 'E' && i + 1 < filter.Length && (char.IsAsciiDigit(filter[i + 1]) || (filter[i + 1] is '+' or '-' && i + 2 < filter.Length && char.IsAsciiDigit(filter[i + 2]))))
        {
            i += 2;
            while (i < filter.Length && char.IsAsciiDigit(filter[i])) i++;
        }
        string text = filter[start..i];
        // 7d, 12h: a duration for now() arithmetic.
        if (i < filter.Length && filter[i] is 's' or 'm' or 'h' or 'd' or 'w' && (i + 1 >= filter.Length || !IsIdentifierChar(filter[i + 1]))
            && text.All(char.IsAsciiDigit))
        {
            i++;
            return new FilterToken(TokenKind.Duration, filter[start..i], start + 1);
        }
        if (i < filter.Length && IsIdentifierChar(filter[i])) throw new FilterSyntaxException(filter, i + 1, $"unexpected {Describe(filter[i])} after the number {text} (durations are written 30s, 15m, 12h, 7d, 2w)");
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value) || text is "-" or "." or "-.")
            throw new FilterSyntaxException(filter, start + 1, $"'{text}' is not a number");
        return new FilterToken(TokenKind.Number, text, start + 1);
    }

    private static string Describe(char c) =>
        char.IsControl(c) || char.IsWhiteSpace(c) || char.IsSurrogate(c) ? $"U+{(int)c:X4}" : $"'{c}'";
}
