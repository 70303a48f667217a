using Ciaf.Metadata.Storage;

namespace Ciaf.Metadata.Tests.Storage;

/// <summary>
/// The save path's own ids (<see cref="Uuid7"/>, random bits drawn from a buffered CSPRNG) and the name rules' fast path
/// for plain names: each must give what the general code gives.
/// </summary>
public sealed class IdsAndNamesTests
{
    [Fact]
    public void Uuid7_IsAVersion7UuidOfItsMillisecond_UniqueAndOrderedByTime()
    {
        var start = new DateTimeOffset(2026, 12, 1, 18, 0, 0, 123, TimeSpan.Zero);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? previous = null;
        for (int i = 0; i < 3_000; i++) // the per-thread buffer (256 ids) is refilled several times
        {
            var at = start.AddMilliseconds(i / 10);
            var id = Uuid7.New(at);
            string text = id.ToString();
            Assert.Equal(7, id.Version);
            Assert.Equal(0b10, id.Variant >> 2); // RFC 9562 variant: 10xx
            Assert.Equal(at.ToUnixTimeMilliseconds(), Convert.ToInt64(text[..8] + text[9..13], 16));
            Assert.True(seen.Add(text), "duplicate id " + text);
            // The same layout as Guid.CreateVersion7 for the same instant: time prefix, version and variant positions.
            string reference = Guid.CreateVersion7(at).ToString();
            Assert.Equal(reference[..13], text[..13]);
            Assert.Equal(reference[14], text[14]);
            Assert.Contains(text[19], "89ab");
            if (previous is not null && i % 10 == 0) Assert.True(string.CompareOrdinal(previous, text) < 0);
            previous = text;
        }
        // 74 random bits: across 3,000 ids every hex digit of the random part takes many values.
        Assert.True(seen.Select(s => s[^12..]).Distinct().Count() == seen.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => Uuid7.New(new DateTimeOffset(1969, 12, 31, 0, 0, 0, TimeSpan.Zero)));
    }

    public static TheoryData<string> Names() =>
    [
        "credit_scoring", "model-v1.2", "a", "A.b.C", ".", "..", "a..b", ".hidden", "trailing.", "-x", "exports", "EXPORTS", "Audit",
        "compliance_events", "backups", "ledger", "a/b", "a\\b", " a", "a ", "a b", "", "   ", "mo\u0301dele", "modèle", "a\u202Eb", "a\u0001",
        "x\u200F", new string('n', 255), new string('n', 256), "9", "_", "a.-_b",
    ];

    [Theory]
    [MemberData(nameof(Names))]
    public void NameRulesCheck_PlainNameFastPath_AgreesWithTheFullRules(string name)
    {
        Assert.Equal(FullRules(name), NameRules.Check(name));
    }

    // The rules as written before the fast path for plain names.
    private static string? FullRules(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return "it must not be empty or whitespace";
        if (value.Length > NameRules.MaxLength) return $"it is {value.Length} characters long; at most {NameRules.MaxLength} are allowed";
        if (value.Contains('/') || value.Contains('\\')) return "it must not contain '/' or '\\'";
        if (value.Contains("..", StringComparison.Ordinal)) return "it must not contain '..'";
        if (value == ".") return "it must not be '.'";
        foreach (char c in value)
        {
            if (char.IsControl(c)) return $"it must not contain control characters (found U+{(int)c:X4})";
            if (c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069') or '\u200E' or '\u200F' or '\u061C')
                return $"it must not contain bidirectional control characters (found U+{(int)c:X4})";
        }
        if (value.Trim() != value) return "it must not start or end with whitespace";
        foreach (var reserved in NameRules.ReservedNames)
        {
            if (string.Equals(value, reserved, StringComparison.OrdinalIgnoreCase)) return $"'{reserved}' is reserved for the store's own folder";
        }
        return null;
    }
}
