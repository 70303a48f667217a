using System.Globalization;
using Ciaf.Metadata.Backends.Files;

namespace Ciaf.Metadata.Tests.Backends.Files;

/// <summary>The file name's date, read digit by digit, against the .NET parser it replaced.</summary>
public sealed class FileDateTests
{
    [Theory]
    [InlineData("2026-12-01")]
    [InlineData("0001-01-01")]
    [InlineData("9999-12-31")]
    [InlineData("2024-02-29")]
    [InlineData("2023-02-29")]
    [InlineData("1900-02-29")]
    [InlineData("2000-02-29")]
    [InlineData("0000-01-01")]
    [InlineData("2024-13-01")]
    [InlineData("2024-00-10")]
    [InlineData("2024-04-31")]
    [InlineData("2024-04-00")]
    [InlineData("2024-1-011")]
    [InlineData("2024/01/01")]
    [InlineData("20240-1-01")]
    [InlineData(" 2024-01-0")]
    [InlineData("abcd-ef-gh")]
    [InlineData("２０２４-01-01")]
    [InlineData("2024-01-0١")]
    [InlineData("2024-01-01 ")]
    [InlineData("2024-01")]
    [InlineData("")]
    public void TryParseFileDate_AgreesWithTryParseExact(string text)
    {
        bool expected = DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var expectedDate);
        bool actual = FileMetadataBackend.TryParseFileDate(text, out var date);
        Assert.Equal(expected, actual);
        Assert.Equal(expectedDate, date);
    }

    [Fact]
    public void TryParseFileDate_EveryDayOfFourHundredYears_RoundTrips()
    {
        for (var day = new DateOnly(1800, 1, 1); day < new DateOnly(2200, 1, 1); day = day.AddDays(1))
        {
            string text = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            Assert.True(FileMetadataBackend.TryParseFileDate(text, out var parsed), text);
            Assert.Equal(day, parsed);
        }
    }
}
