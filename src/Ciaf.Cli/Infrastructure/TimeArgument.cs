using System.CommandLine.Parsing;
using System.Globalization;

namespace Ciaf.Cli.Infrastructure;

/// <summary>Parses <c>--since</c>-style values: an ISO 8601 date or time, or an age such as <c>30m</c>, <c>24h</c>, <c>7d</c>, <c>2w</c>.</summary>
internal static class TimeArgument
{
    public const string Help = "An ISO 8601 date/time (2026-03-01, 2026-03-01T12:00:00Z) or an age: 30m, 24h, 7d, 2w.";

    public const string FutureHelp = "An ISO 8601 date/time (2026-12-31, 2026-12-31T12:00:00Z) or a time from now: 12h, 90d, 52w.";

    /// <summary>Parses an expiry: an ISO 8601 time, or a time from now (<c>90d</c>).</summary>
    public static DateTimeOffset? ParseAhead(ArgumentResult result) => Parse(result, ahead: true);

    public static DateTimeOffset? Parse(ArgumentResult result) => Parse(result, ahead: false);

    private static DateTimeOffset? Parse(ArgumentResult result, bool ahead)
    {
        if (result.Tokens.Count == 0) return null;
        string text = result.Tokens[0].Value;
        if (TryParse(text, TimeProvider.System.GetUtcNow(), out var value, out string? error, ahead)) return value;
        result.AddError(error);
        return null;
    }

    /// <summary>Reads an ISO 8601 time or an age before <paramref name="now"/>.</summary>
    /// <param name="text">The value as typed.</param>
    /// <param name="now">What an age counts back from.</param>
    /// <param name="value">The time.</param>
    /// <param name="error">Why the text is not a time (an age reaching before year 1 included), for a usage error.</param>
    /// <param name="ahead">Whether an age counts forward from <paramref name="now"/> (an expiry: <c>90d</c> = in 90 days).</param>
    public static bool TryParse(string text, DateTimeOffset now, out DateTimeOffset value, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error,
        bool ahead = false)
    {
        text = text.Trim();
        error = null;
        if (text.Length >= 2 && char.IsAsciiLetter(text[^1])
            && double.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out double amount) && amount >= 0)
        {
            TimeSpan? unit = char.ToLowerInvariant(text[^1]) switch
            {
                's' => TimeSpan.FromSeconds(1),
                'm' => TimeSpan.FromMinutes(1),
                'h' => TimeSpan.FromHours(1),
                'd' => TimeSpan.FromDays(1),
                'w' => TimeSpan.FromDays(7),
                _ => null,
            };
            if (unit is { } u)
            {
                // Checked in doubles first: TimeSpan.FromDays(99999999) throws an OverflowException, and a smaller
                // age can still reach before DateTimeOffset.MinValue.
                double ticks = amount * u.Ticks;
                if (ticks > (ahead ? DateTimeOffset.MaxValue - now : now - DateTimeOffset.MinValue).Ticks)
                {
                    value = default;
                    error = ahead ? $"'{text}' reaches past the year 9999. {FutureHelp}" : $"'{text}' reaches back before the year 1. {Help}";
                    return false;
                }
                value = ahead ? now + TimeSpan.FromTicks((long)ticks) : now - TimeSpan.FromTicks((long)ticks);
                return true;
            }
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value))
        {
            return true;
        }
        error = $"'{text}' is not a time. {(ahead ? FutureHelp : Help)}";
        return false;
    }
}
