using System.Globalization;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Metadata.Tests.Hashing;

/// <summary>
/// Timestamps are written and read digit by digit on the save and read paths; what they write and read must be what
/// the general .NET formatter and parser give for Python's <c>isoformat()</c>.
/// </summary>
public class PythonTimestampTests
{
    [Fact]
    public void Format_IsWhatTheCustomFormatWrites_AndParsesBackExactly()
    {
        var rng = new Random(7);
        long min = new DateTime(1, 1, 1).Ticks, max = new DateTime(9999, 12, 31, 23, 59, 59).Ticks;
        for (int i = 0; i < 20_000; i++)
        {
            long ticks = min + (long)(rng.NextDouble() * (max - min));
            if (i % 4 == 0) ticks -= ticks % TimeSpan.TicksPerSecond; // no fraction: Python omits it
            var value = PythonTimestamp.Truncate(new DateTimeOffset(ticks, TimeSpan.Zero));
            string expected = value.Ticks % TimeSpan.TicksPerSecond == 0
                ? value.ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", CultureInfo.InvariantCulture)
                : value.ToString("yyyy-MM-dd'T'HH:mm:ss'.'ffffff'+00:00'", CultureInfo.InvariantCulture);

            string text = PythonTimestamp.Format(value);

            Assert.Equal(expected, text);
            Assert.Equal(value, PythonTimestamp.Parse(text));
        }
    }

    [Theory]
    [InlineData("2026-03-01T00:00:01.234567+00:00", "2026-03-01T00:00:01.2345670+00:00")]
    [InlineData("2026-03-01T00:00:01+00:00", "2026-03-01T00:00:01.0000000+00:00")]
    [InlineData("2024-02-29T23:59:59.000001+00:00", "2024-02-29T23:59:59.0000010+00:00")]
    [InlineData("2026-03-01T02:00:01.5+02:00", "2026-03-01T00:00:01.5000000+00:00")] // another offset: the general parser
    [InlineData("2026-03-01 00:00:01.234567", "2026-03-01T00:00:01.2345670+00:00")] // a space, no offset: UTC
    public void Parse_ReadsTheReferencesForms(string text, string expected) =>
        Assert.Equal(DateTimeOffset.Parse(expected, CultureInfo.InvariantCulture), PythonTimestamp.Parse(text));

    [Theory]
    [InlineData("2026-02-29T00:00:01+00:00")] // not a leap year
    [InlineData("2026-13-01T00:00:01+00:00")]
    [InlineData("2026-03-01T24:00:01+00:00")]
    [InlineData("2026-03-01T00:60:01+00:00")]
    [InlineData("2026-03-01T00:00:61.000000+00:00")]
    [InlineData("2026-03-01T00:00:01.2345x7+00:00")]
    [InlineData("2026-03-01T00:00:01 234567+00:00")]
    [InlineData("0000-03-01T00:00:01+00:00")]
    [InlineData("2026-3-01T00:00:01.234567+00:00")]
    public void Parse_RefusesWhatIsNotATimestamp(string text)
    {
        Assert.False(PythonTimestamp.TryParse(text, out _));
        Assert.Throws<FormatException>(() => PythonTimestamp.Parse(text));
    }
}
