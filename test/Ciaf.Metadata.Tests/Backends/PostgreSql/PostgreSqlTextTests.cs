using Ciaf.Metadata.PostgreSql;

namespace Ciaf.Metadata.Tests.Backends.PostgreSql;

/// <summary>Free text PostgreSQL's <c>text</c> cannot hold (U+0000, lone surrogates) round-trips through an unambiguous encoding.</summary>
public sealed class PostgreSqlTextTests
{
    [Theory]
    [InlineData("d\u0000")]
    [InlineData("\ud800 lone high")]
    [InlineData("lone low \udc00")]
    [InlineData("\u0001ciaf-utf16:looks encoded")]
    public void Encode_UnstorableOrMarkerLike_RoundTripsExactly(string value)
    {
        string stored = PostgreSqlText.Encode(value)!;

        Assert.StartsWith(PostgreSqlText.Marker, stored, StringComparison.Ordinal);
        Assert.DoesNotContain('\0', stored);
        Assert.Equal(value, PostgreSqlText.Decode(stored));
    }

    [Theory]
    [InlineData("Model training completed successfully")]
    [InlineData("emoji 🎉 is a valid pair")]
    [InlineData("")]
    [InlineData(null)]
    public void Encode_OrdinaryText_StoredAsItIs(string? value)
    {
        Assert.Equal(value, PostgreSqlText.Encode(value));
        Assert.Equal(value, PostgreSqlText.Decode(value));
    }

    [Fact]
    public void Decode_MarkerWithBadHex_IsAFormatError() =>
        Assert.Throws<FormatException>(() => PostgreSqlText.Decode(PostgreSqlText.Marker + "zz"));
}
