using Ciaf.Metadata.Search;

namespace Ciaf.Metadata.Tests.Search;

public sealed class FilterParserTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

    private static FilterNode Parse(string filter, FilterLimits? limits = null) => FilterParser.Parse(filter, FilterSchema.Records, limits, Now);

    private static FilterSyntaxException Fails(string filter, FilterLimits? limits = null) => Assert.Throws<FilterSyntaxException>(() => Parse(filter, limits));

    [Fact]
    public void Parse_Precedence_NotBindsTighterThanAndThanOr()
    {
        var node = Parse("stage = 'a' OR NOT stage = 'b' AND model_name = 'm'");
        var or = Assert.IsType<OrNode>(node);
        Assert.IsType<CompareNode>(or.Operands[0]);
        var and = Assert.IsType<AndNode>(or.Operands[1]);
        Assert.IsType<NotNode>(and.Operands[0]);
    }

    [Fact]
    public void Parse_KeywordsAnyCase_SameTree()
    {
        Assert.Equal(
            Parse("stage IN ('a', 'b') AND details IS NOT NULL AND metadata.x LIKE 'a%'").ToString(),
            Parse("stage in ('a', 'b') and details is not null and metadata.x like 'a%'").ToString());
    }

    [Fact]
    public void Parse_PathWithQuotedSegmentAndIndex_SegmentsInOrder()
    {
        var compare = Assert.IsType<CompareNode>(Parse("metadata.\"feature-importance\".items[2].name = 'x'"));
        Assert.Equal(["feature-importance", "items", null, "name"], compare.Field.Path.Select(s => s.Key));
        Assert.Equal(2, compare.Field.Path[2].Index);
        Assert.Equal("$.\"feature-importance\".\"items\"[2].\"name\"", compare.Field.JsonPath);
        Assert.Equal("metadata.\"feature-importance\".items[2].name", compare.Field.Text);
    }

    [Theory]
    [InlineData("metadata.a = 'it''s'", "it's")]
    [InlineData("metadata.a = \"say \"\"hi\"\"\"", "say \"hi\"")]
    [InlineData("metadata.a = '; DROP TABLE metadata; --'", "; DROP TABLE metadata; --")]
    public void Parse_QuotedStrings_DoubledQuoteEscapes(string filter, string expected)
    {
        var compare = Assert.IsType<CompareNode>(Parse(filter));
        Assert.Equal(expected, compare.Value.String);
    }

    [Fact]
    public void Parse_RelativeTime_ResolvedAgainstNow()
    {
        var compare = Assert.IsType<CompareNode>(Parse("timestamp >= now() - 7d"));
        Assert.Equal(Now.AddDays(-7), compare.Value.Instant);
        compare = Assert.IsType<CompareNode>(Parse("timestamp < now() + 90m"));
        Assert.Equal(Now.AddMinutes(90), compare.Value.Instant);
    }

    [Fact]
    public void Parse_TimestampWithOffset_SameInstant()
    {
        var a = Assert.IsType<CompareNode>(Parse("timestamp > '2026-03-01T02:00:00+02:00'"));
        var b = Assert.IsType<CompareNode>(Parse("timestamp > '2026-03-01T00:00:00Z'"));
        Assert.Equal(a.Value.Instant.UtcTicks, b.Value.Instant.UtcTicks);
    }

    [Theory]
    [InlineData("stage = ", 9, "expected a value")]
    [InlineData("(stage = 'a'", 13, "expected ')'")]
    [InlineData("stage = 'a')", 12, "unbalanced ')'")]
    [InlineData("stage = 'a' AND colour = 'red'", 17, "unknown field 'colour'")]
    [InlineData("metadata.x = 1 AND timestamp LIKE '2026%'", 30, "LIKE applies to text")]
    [InlineData("stage = 3", 9, "stage is text")]
    [InlineData("metadata.x = 'abc", 14, "unterminated string")]
    [InlineData("metadata.x = null", 14, "IS NULL")]
    [InlineData("metadata.flag > true", 15, "booleans compare only")]
    [InlineData("metadata.x IN (1, 'a')", 19, "one type")]
    [InlineData("timestamp > 'yesterday'", 13, "ISO 8601")]
    [InlineData("metadata.x = now()", 14, "now() compares only")]
    [InlineData("stage = 'a' # comment", 13, "unexpected character '#'")]
    [InlineData("metadata = 1", 1, "metadata needs a path")]
    [InlineData("metadata.x LIKE 'a\\'", 17, "lone backslash")]
    [InlineData("metadata.\"a\\b\" = 1", 10, "backslash")]
    [InlineData("timestamp > now() - 7y", 22, "unexpected 'y'")]
    [InlineData("", 1, "empty")]
    public void Parse_BadFilter_ErrorAtColumnWithCaret(string filter, int column, string reason)
    {
        var ex = Fails(filter);
        Assert.Equal(column, ex.Column);
        Assert.Contains(reason, ex.Reason, StringComparison.Ordinal);
        Assert.Equal("filter", ex.ParamName);
        // The caret sits under the column, two spaces of indent on both lines.
        var lines = ex.Caret.Split(Environment.NewLine);
        Assert.Equal("  " + filter, lines[0]);
        Assert.Equal(new string(' ', 2 + column - 1) + "^", lines[1]);
        Assert.Contains(ex.Caret, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TooLong_ClearErrorBeforeScanning()
    {
        var ex = Fails(new string('(', 1_000_000));
        Assert.Contains("at most 16384", ex.Reason, StringComparison.Ordinal);
        Assert.True(ex.Message.Length < 400, "the message shows a window of the filter, not all of it");
    }

    [Fact]
    public void Parse_DeepNesting_DepthLimitError()
    {
        var ex = Fails(new string('(', 100) + "stage = 'a'" + new string(')', 100));
        Assert.Contains("deeper than 64", ex.Reason, StringComparison.Ordinal);
        Assert.Equal(65, ex.Column);
        Assert.Contains("deeper than 64", Fails(string.Concat(Enumerable.Repeat("NOT ", 100)) + "stage = 'a'").Reason, StringComparison.Ordinal);
        Assert.IsType<NotNode>(Parse(string.Concat(Enumerable.Repeat("NOT ", 10)) + "stage = 'a'", new FilterLimits { MaxDepth = 10 }));
    }

    [Fact]
    public void Parse_LongInList_LimitError()
    {
        string list = string.Join(", ", Enumerable.Range(0, 1001));
        Assert.Contains("at most 1000 values", Fails($"metadata.x IN ({list})").Reason, StringComparison.Ordinal);
        Assert.IsType<InNode>(Parse($"metadata.x IN ({list})", new FilterLimits { MaxInListSize = 2000 }));
    }

    [Fact]
    public void Parse_ManyTerms_TermLimitError()
    {
        string filter = string.Join(" OR ", Enumerable.Range(0, 1001).Select(i => $"id='{i}'"));
        Assert.Contains("more than 1000 comparisons", Fails(filter).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ComplianceEventSchema_KnowsItsFieldsOnly()
    {
        var node = FilterParser.Parse("framework = 'GDPR' AND compliance_score < 0.5", FilterSchema.ComplianceEvents, null, Now);
        Assert.IsType<AndNode>(node);
        var ex = Assert.Throws<FilterSyntaxException>(() => FilterParser.Parse("metadata.x = 1", FilterSchema.ComplianceEvents, null, Now));
        Assert.Contains("unknown field 'metadata'", ex.Reason, StringComparison.Ordinal);
        ex = Assert.Throws<FilterSyntaxException>(() => FilterParser.Parse("compliance_score LIKE '0%'", FilterSchema.ComplianceEvents, null, Now));
        Assert.Contains("is a number", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseField_OrderByPath_Parsed()
    {
        var field = FilterParser.ParseField("metadata.performance.accuracy", FilterSchema.Records);
        Assert.Equal("metadata.performance.accuracy", field.Text);
        Assert.Throws<FilterSyntaxException>(() => FilterParser.ParseField("colour", FilterSchema.Records));
        Assert.Throws<FilterSyntaxException>(() => FilterParser.ParseField("stage desc", FilterSchema.Records));
    }
}
