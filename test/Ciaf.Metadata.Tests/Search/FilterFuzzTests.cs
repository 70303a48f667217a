using System.Diagnostics;
using Ciaf.Metadata.Search;
using Ciaf.Metadata.Tests.Support;
using CsCheck;

namespace Ciaf.Metadata.Tests.Search;

/// <summary>Abuse: any input ends quickly in a result or a clear <see cref="FilterSyntaxException"/>, and the store is untouched.</summary>
public sealed class FilterFuzzTests : IDisposable
{
    private readonly TempDirectory _folder = new();
    private readonly MetadataStorage _storage;
    private readonly string _hash;

    public FilterFuzzTests()
    {
        _storage = MetadataStorage.Create(b => b.UseSqlite(_folder.Path));
        for (int i = 0; i < 5; i++)
            _storage.SaveMetadata("m", "training", "evt", new Dictionary<string, object?> { ["a"] = i, ["s"] = "x'; DROP TABLE metadata; --", ["q\"k"] = i });
        _hash = Snapshot();
    }

    public void Dispose()
    {
        _storage.Dispose();
        _folder.Dispose();
    }

    private string Snapshot() => string.Join(",", _storage.QueryMetadata(new Ciaf.Metadata.Storage.MetadataQuery()).Select(r => r.Id + r.MetadataHash));

    // A result, or a FilterSyntaxException whose column lies within the filter (or just past its end).
    private void Survives(string filter)
    {
        try
        {
            _storage.Search(filter, new SearchOptions { Limit = 3 });
            _storage.Count(filter);
        }
        catch (FilterSyntaxException ex)
        {
            Assert.InRange(ex.Column, 1, Math.Min(filter.Length, FilterLimits.Default.MaxLength) + 1);
            Assert.Contains("^", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Search_RandomText_ResultOrSyntaxError()
    {
        var chars = Gen.OneOf(Gen.Char, Gen.OneOfConst('\'', '"', '(', ')', '[', ']', '.', '-', '%', '_', '\\', ';', '=', '<', '>', '!', ' ', ','));
        Gen.String[chars, 0, 80].Sample(Survives, iter: 2000, threads: 1);
        Assert.Equal(_hash, Snapshot());
    }

    [Fact]
    public void Search_RandomTokens_ResultOrSyntaxError()
    {
        var token = Gen.OneOfConst("metadata", ".", "a", "\"q\"\"k\"", "[0]", "=", "!=", "<", ">=", "LIKE", "NOT", "IN", "(", ")", ",", "AND", "OR", "IS", "NULL",
            "EXISTS", "'x'';--'", "\"y\"", "1", "-2.5", "1e3", "true", "now()", "-", "7d", "timestamp", "stage", "'2026-01-01'", "ILIKE", "'%\\'");
        token.Array[1, 12].Select(t => string.Join(" ", t)).Sample(Survives, iter: 3000, threads: 1);
        Assert.Equal(_hash, Snapshot());
    }

    [Theory]
    [InlineData("metadata.s = 'x''; DROP TABLE metadata; --'", 5)]
    [InlineData("metadata.\"it's\" IS NULL", 5)]
    [InlineData("metadata.s LIKE '%DROP%'", 5)]
    [InlineData("stage = '\"; DELETE FROM metadata; --'", 0)]
    public void Search_SqlMetacharactersInLiteralsAndPaths_MatchedAsData(string filter, int expected)
    {
        Assert.Equal(expected, _storage.Count(filter));
        Assert.Equal(_hash, Snapshot());
    }

    [Fact]
    public void Search_DoubleQuoteInPathKey_ClearError() =>
        Assert.Contains("double quote", Assert.Throws<FilterSyntaxException>(() => _storage.Search("metadata.\"q\"\"k\" = 1")).Reason, StringComparison.Ordinal);

    [Fact]
    public void Search_HugeAndDeepFilters_BoundedTimeAndClearErrors()
    {
        var watch = Stopwatch.StartNew();
        Survives(new string('(', 1_000_000));
        Survives(string.Concat(Enumerable.Repeat("NOT ", 250_000)));
        Survives("metadata.a = '" + new string('x', 1_000_000) + "'");
        Survives(new string('(', 10_000) + "stage = 'a'" + new string(')', 10_000));
        Survives(string.Join(" OR ", Enumerable.Range(0, 1500).Select(i => $"id='{i}'")));
        var limits = new FilterLimits { MaxLength = 2_000_000, MaxDepth = 100_000, MaxTerms = 1_000_000, MaxInListSize = 1_000_000 };
        // Even with the limits raised, the parser itself never recurses into a stack overflow on a flat filter.
        var page = _storage.Search(string.Join(" OR ", Enumerable.Range(0, 5_000).Select(i => $"metadata.a = {i}")), new SearchOptions { Limits = limits, Limit = 0 });
        Assert.Equal(5, page.Records.Count);
        // A wide guard against a hang or a quadratic blow-up (this takes well under a second), not a speed claim.
        // A wide guard against a hang or a quadratic blow-up (this takes well under a second), not a speed claim.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"took {watch.Elapsed}");
        Assert.Equal(_hash, Snapshot());
    }
}
