using System.Text.Json.Nodes;
using Ciaf.Metadata.Search;

namespace Ciaf.Metadata.Tests.Search;

public sealed class FilterEvaluatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

    private static readonly MetadataRecord Record = new("r1", "credit_scoring", "1.0.0", "training", "model_trained",
        new DateTimeOffset(2026, 3, 5, 8, 30, 0, TimeSpan.Zero), "abc", null,
        JsonNode.Parse("""
            {"performance": {"accuracy": 0.87, "epochs": 10, "f1": 1.0},
             "name": "Élan", "flag": true, "nothing": null, "tags": ["a", "b"],
             "items": [{"name": "x"}, {"name": "y"}], "feature-importance": {"age": 0.4},
             "count": "10", "trained_at": "2026-03-05T08:00:00Z"}
            """)!.AsObject());

    private static bool Matches(string filter) => FilterEvaluator.Matches(FilterParser.Parse(filter, FilterSchema.Records, null, Now), Record);

    [Theory]
    [InlineData("metadata.performance.accuracy < 0.9", true)]
    [InlineData("metadata.performance.epochs = 10.0", true)]
    [InlineData("metadata.performance.f1 = 1", true)]
    [InlineData("metadata.performance.epochs >= 1e1", true)]
    [InlineData("metadata.count = 10", false)]
    [InlineData("metadata.count = '10'", true)]
    [InlineData("metadata.count > 9", false)]
    [InlineData("metadata.count != 10", false)]
    [InlineData("metadata.performance.epochs != '10'", false)]
    [InlineData("metadata.missing = 1", false)]
    [InlineData("metadata.missing != 1", false)]
    [InlineData("NOT metadata.missing = 1", true)]
    [InlineData("metadata.missing IS NULL", true)]
    [InlineData("metadata.nothing IS NULL", true)]
    [InlineData("metadata.nothing = 'x'", false)]
    [InlineData("EXISTS(metadata.nothing)", true)]
    [InlineData("EXISTS(metadata.missing)", false)]
    [InlineData("EXISTS(metadata.nothing.deeper)", false)]
    [InlineData("metadata.tags IS NOT NULL", true)]
    [InlineData("metadata.tags = 'a'", false)]
    [InlineData("metadata.tags[1] = 'b'", true)]
    [InlineData("metadata.tags[2] IS NULL", true)]
    [InlineData("metadata.items[1].name = 'y'", true)]
    [InlineData("metadata.items.name = 'y'", false)]
    [InlineData("metadata.performance[0] IS NULL", true)]
    [InlineData("metadata.\"feature-importance\".age > 0.3", true)]
    [InlineData("metadata.flag = true", true)]
    [InlineData("metadata.flag != false", true)]
    [InlineData("metadata.flag = 1", false)]
    [InlineData("metadata.name LIKE 'É%'", true)]
    [InlineData("metadata.name LIKE 'é%'", false)]
    [InlineData("metadata.name ILIKE 'éLAN'", false)]
    [InlineData("metadata.name ILIKE '_LAN'", true)]
    [InlineData("metadata.name LIKE '_lan'", true)]
    [InlineData("metadata.name NOT LIKE 'x%'", true)]
    [InlineData("metadata.performance.accuracy NOT LIKE 'x%'", false)]
    [InlineData("metadata.performance.accuracy IN (0.5, 0.87)", true)]
    [InlineData("metadata.performance.accuracy NOT IN (0.5, 0.6)", true)]
    [InlineData("metadata.name NOT IN (0.5, 0.6)", false)]
    [InlineData("metadata.missing NOT IN (0.5)", false)]
    [InlineData("model_name = 'credit_scoring' AND (stage = 'inference' OR metadata.flag = true)", true)]
    [InlineData("details IS NULL", true)]
    [InlineData("details = 'x' OR details != 'x'", false)]
    [InlineData("stage > 'inference'", true)]
    [InlineData("timestamp > '2026-03-05T10:00:00+02:00'", true)]
    [InlineData("timestamp = '2026-03-05T08:30:00Z'", true)]
    [InlineData("timestamp >= now() - 7d", true)]
    [InlineData("timestamp >= now() - 4d", false)]
    [InlineData("metadata.trained_at < '2026-03-06'", true)]
    public void Matches_Semantics(string filter, bool expected) => Assert.Equal(expected, Matches(filter));

    [Theory]
    [InlineData("abc", "a%", true)]
    [InlineData("abc", "%c", true)]
    [InlineData("abc", "a_c", true)]
    [InlineData("abc", "a\\_c", false)]
    [InlineData("a_c", "a\\_c", true)]
    [InlineData("50%", "50\\%", true)]
    [InlineData("abc", "%%%", true)]
    [InlineData("", "%", true)]
    [InlineData("", "_", false)]
    [InlineData("aXbXc", "a%b%c", true)]
    [InlineData("ab", "a%b%c", false)]
    [InlineData("😀x", "_x", true)]
    [InlineData("[*?]", "[*?]", true)]
    public void LikePattern_Matches(string text, string pattern, bool expected) =>
        Assert.Equal(expected, LikePattern.Parse(pattern, ignoreCase: false).Matches(text));

    [Fact]
    public void LikePattern_ToGlob_EscapesGlobMetacharacters() =>
        Assert.Equal("[[]x[*]y[?]*?%_", LikePattern.Parse("[x*y?%_\\%\\_", ignoreCase: false).ToGlob());

    [Fact]
    public void CompareText_CodePointOrder_SurrogatesAfterPrivateUse()
    {
        Assert.True(FilterEvaluator.CompareText("\uFF5E", "😀") < 0);
        Assert.True(string.CompareOrdinal("\uFF5E", "😀") > 0, "UTF-16 order differs; the evaluator must not use it");
        Assert.True(FilterEvaluator.CompareText("a", "ab") < 0);
        Assert.True(FilterEvaluator.CompareText("B", "a") < 0);
    }
}
