using Ciaf.Metadata.PostgreSql;

namespace Ciaf.Metadata.Tests.Backends.PostgreSql;

/// <summary>Free text PostgreSQL's <c>text</c> cannot hold (U+0000, lone surrogates) round-trips through an unambiguous encoding.</summary>
public sealed class PostgreSqlTextTests
{
    // Built in code: a lone surrogate in an attribute argument would be stored as U+FFFD in the assembly.
    private static readonly string[] Unstorable =
        ["d\u0000", "\ud800 lone high", "lone low \udc00", "\u0001ciaf-utf16:looks encoded"];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Encode_UnstorableOrMarkerLike_RoundTripsExactly(int index)
    {
        string value = Unstorable[index];
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
