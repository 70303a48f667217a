using System.CommandLine.Parsing;
using System.Globalization;

namespace Ciaf.Cli.Infrastructure;

/// <summary>Parses <c>--since</c>-style values: an ISO 8601 date or time, or an age such as <c>30m</c>, <c>24h</c>, <c>7d</c>, <c>2w</c>.</summary>
internal static class TimeArgument
{
    public const string Help = "An ISO 8601 date/time (2026-03-01, 2026-03-01T12:00:00Z) or an age: 30m, 24h, 7d, 2w.";

    public static DateTimeOffset? Parse(ArgumentResult result)
    {
        if (result.Tokens.Count == 0) return null;
        string text = result.Tokens[0].Value;
        if (TryParse(text, TimeProvider.System.GetUtcNow(), out var value)) return value;
        result.AddError($"'{text}' is not a time. {Help}");
        return null;
    }

    public static bool TryParse(string text, DateTimeOffset now, out DateTimeOffset value)
    {
        text = text.Trim();
        if (text.Length >= 2 && char.IsAsciiLetter(text[^1])
            && double.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out double amount) && amount >= 0)
        {
            TimeSpan? age = char.ToLowerInvariant(text[^1]) switch
            {
                's' => TimeSpan.FromSeconds(amount),
                'm' => TimeSpan.FromMinutes(amount),
                'h' => TimeSpan.FromHours(amount),
                'd' => TimeSpan.FromDays(amount),
                'w' => TimeSpan.FromDays(7 * amount),
                _ => null,
            };
            if (age is { } a)
            {
                value = now - a;
                return true;
            }
        }
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);
    }
}
