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
        // Written digit by digit: every record and leaf carries one, and a custom format string costs several times this.
        var utc = value.UtcDateTime;
        int micros = (int)(utc.Ticks % TimeSpan.TicksPerSecond / 10);
        return string.Create(micros == 0 ? ShortLength : LongLength, (utc, micros), static (span, state) =>
        {
            var (t, us) = state;
            Digits(span[..4], t.Year);
            span[4] = '-';
            Digits(span.Slice(5, 2), t.Month);
            span[7] = '-';
            Digits(span.Slice(8, 2), t.Day);
            span[10] = 'T';
            Digits(span.Slice(11, 2), t.Hour);
            span[13] = ':';
            Digits(span.Slice(14, 2), t.Minute);
            span[16] = ':';
            Digits(span.Slice(17, 2), t.Second);
            if (us != 0)
            {
                span[19] = '.';
                Digits(span.Slice(20, 6), us);
            }
            "+00:00".CopyTo(span[^6..]);
        });
    }

    // "2026-03-01T00:00:01+00:00" and "2026-03-01T00:00:01.234567+00:00".
    private const int ShortLength = 25, LongLength = 32;

    private static void Digits(Span<char> destination, int value)
    {
        for (int i = destination.Length - 1; i >= 0; i--, value /= 10) destination[i] = (char)('0' + value % 10);
    }

    // The form Format writes (and the reference writes for UTC), read without the general parser; anything else (other
    // offsets, a space for the T, fewer fraction digits) goes to TryParseExact.
    private static bool TryParseOwn(string text, out DateTimeOffset value)
    {
        value = default;
        if (text.Length is not (ShortLength or LongLength) || !text.EndsWith("+00:00", StringComparison.Ordinal)
            || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':'
            || (text.Length == LongLength && text[19] != '.'))
        {
            return false;
        }
        int year = Number(text, 0, 4), month = Number(text, 5, 2), day = Number(text, 8, 2);
        int hour = Number(text, 11, 2), minute = Number(text, 14, 2), second = Number(text, 17, 2);
        int micros = text.Length == LongLength ? Number(text, 20, 6) : 0;
        if (year < 1 || month is < 1 or > 12 || micros < 0 || hour is < 0 or > 23 || minute is < 0 or > 59 || second is < 0 or > 59
            || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }
        value = new DateTimeOffset(new DateTime(year, month, day, hour, minute, second).Ticks + micros * 10L, TimeSpan.Zero);
        return true;
    }

    // The decimal number in text[start..start+length], or -1 if a character is not an ASCII digit.
    private static int Number(string text, int start, int length)
    {
        int n = 0;
        for (int i = start; i < start + length; i++)
        {
            int d = text[i] - '0';
            if ((uint)d > 9) return -1;
            n = n * 10 + d;
        }
        return n;
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
        if (text is not null && TryParseOwn(text, out value)) return true;
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
