using System.Globalization;

namespace Ciaf.Metadata.Hashing;

/// <summary>
/// Timestamps as the reference writes them: <c>datetime.now(timezone.utc).isoformat()</c>, e.g.
/// <c>2026-03-01T00:00:01.234567+00:00</c>, with no fraction at all when the microseconds are 0.
/// </summary>
public static class PythonTimestamp
{
    private static readonly string[] Formats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", "yyyy-MM-dd'T'HH:mm:sszzz",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm:ss",
        "yyyy-MM-dd HH:mm:ss.FFFFFFFzzz", "yyyy-MM-dd HH:mm:sszzz",
        "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-dd HH:mm:ss",
    ];

    /// <summary>The current UTC time truncated to whole microseconds (Python's resolution), so it round-trips exactly.</summary>
    public static DateTimeOffset Now(TimeProvider? clock = null) => Truncate((clock ?? TimeProvider.System).GetUtcNow());

    /// <summary>Truncates to whole microseconds, in UTC.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset value)
    {
        var utc = value.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - utc.Ticks % 10, TimeSpan.Zero);
    }

    /// <summary>Formats as Python's <c>isoformat()</c> of an aware UTC datetime.</summary>
    public static string Format(DateTimeOffset value)
    {
        var utc = value.ToUniversalTime();
        long micros = utc.Ticks % TimeSpan.TicksPerSecond / 10;
        return micros == 0
            ? utc.ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", CultureInfo.InvariantCulture)
            : utc.ToString("yyyy-MM-dd'T'HH:mm:ss'.'ffffff'+00:00'", CultureInfo.InvariantCulture);
    }

    /// <summary>Parses an ISO 8601 timestamp (with or without fraction and offset; no offset means UTC).</summary>
    /// <exception cref="FormatException">The text is not such a timestamp.</exception>
    public static DateTimeOffset Parse(string text)
    {
        if (TryParse(text, out var value)) return value;
        throw new FormatException($"'{text}' is not an ISO 8601 timestamp.");
    }

    /// <summary>Parses an ISO 8601 timestamp; see <see cref="Parse"/>.</summary>
    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        if (text is not null && DateTimeOffset.TryParseExact(text, Formats, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value))
        {
            value = value.ToUniversalTime();
            return true;
        }
        value = default;
        return false;
    }
}
