using Ciaf.Metadata.Tests.Backends.PostgreSql;
using Ciaf.Metadata.Tests.Support;
using CsCheck;

namespace Ciaf.Metadata.Tests.Search;

/// <summary>PostgreSQL (a throwaway server) agrees with the reference evaluator, and so with every other backend, on random stores and filters.</summary>
[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlSearchDifferentialTests(PostgreSqlServer server)
{
    [Fact]
    public void Search_RandomStoresAndFilters_PostgreSqlAgrees()
    {
        SearchDifferential.GenEntries.Sample(entries => Run(entries).GetAwaiter().GetResult(), iter: 4, threads: 1);
    }

    private async Task Run(MetadataEntry[] entries)
    {
        using var folder = new TempDirectory();
        var records = await SearchDifferential.RecordsOf(entries, folder.Combine("source"));
        await using var pg = MetadataStorage.Create(b => b.UsePostgreSql(server.NewSchemaConnectionString("search")));
        await SearchDifferential.Load(pg, records);
        var cases = new List<(string Filter, (string, bool) Order)>();
        Gen.Select(SearchDifferential.Filter, SearchDifferential.Order).Sample((f, o) => cases.Add((f, o)), iter: 60, threads: 1);
        foreach (var (filter, order) in cases) await SearchDifferential.Check(pg, filter, order, SearchDifferential.Expected(records, filter, order));
    }
}
