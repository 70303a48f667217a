using Ciaf.Metadata.Tests.Support;
using CsCheck;

namespace Ciaf.Metadata.Tests.Search;

/// <summary>JSON, Pickle, SQLite (and SQLite with compression) agree with the reference evaluator on random stores and filters.</summary>
public sealed class SearchDifferentialTests
{
    [Fact]
    public void Search_RandomStoresAndFilters_EveryFileAndSqliteBackendAgrees()
    {
        SearchDifferential.GenEntries.Sample(entries => Run(entries).GetAwaiter().GetResult(), iter: 6, threads: 1);
    }

    private static async Task Run(MetadataEntry[] entries)
    {
        using var folder = new TempDirectory();
        var records = await SearchDifferential.RecordsOf(entries, folder.Combine("source"));
        await using var json = MetadataStorage.Create(b => b.UseJson(folder.Combine("json")));
        await using var pickle = MetadataStorage.Create(b => b.UsePickle(folder.Combine("pickle")));
        await using var sqlite = MetadataStorage.Create(b => b.UseSqlite(folder.Combine("sqlite")));
        await using var compressed = MetadataStorage.Create(b => b.UseSqlite(folder.Combine("compressed")).Configure(o => { o.EnableCompression = true; o.CompressionThresholdBytes = 40; }));
        MetadataStorage[] stores = [json, pickle, sqlite, compressed];
        foreach (var store in stores) await SearchDifferential.Load(store, records);
        // Declared indexes change the SQL (an extra indexable term), never the answer.
        foreach (var path in new[] { "metadata.a", "metadata.a.b", "metadata.c" }) await sqlite.AddSearchIndexAsync(path);
        var cases = new List<(string Filter, (string, bool) Order)>();
        Gen.Select(SearchDifferential.Filter, SearchDifferential.Order).Sample((f, o) => cases.Add((f, o)), iter: 60, threads: 1);
        foreach (var (filter, order) in cases)
        {
            var expected = SearchDifferential.Expected(records, filter, order);
            foreach (var store in stores) await SearchDifferential.Check(store, filter, order, expected);
        }
    }
}
