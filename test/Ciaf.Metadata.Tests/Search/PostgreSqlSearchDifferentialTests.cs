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
        foreach (var path in new[] { "metadata.a", "metadata.a.b", "metadata.c" }) await pg.AddSearchIndexAsync(path);
        var cases = new List<(string Filter, (string, bool) Order)>();
        Gen.Select(SearchDifferential.Filter, SearchDifferential.Order).Sample((f, o) => cases.Add((f, o)), iter: 60, threads: 1);
        foreach (var (filter, order) in cases) await SearchDifferential.Check(pg, filter, order, SearchDifferential.Expected(records, filter, order));
    }

    [Fact]
    public async Task AddSearchIndex_PostgreSql_ListedAndUsableByTheCompiledSql()
    {
        string connectionString = server.NewSchemaConnectionString("searchix");
        await using var pg = MetadataStorage.Create(b => b.UsePostgreSql(connectionString));
        await pg.SaveMetadataBatchAsync(Enumerable.Range(0, 300).Select(i =>
            new MetadataEntry("m", "validation", "evt", new Dictionary<string, object?> { ["performance"] = new Dictionary<string, object?> { ["accuracy"] = i / 300.0 } })));
        await pg.SaveMetadataAsync("m", "validation", "evt", new Dictionary<string, object?> { ["performance"] = new Dictionary<string, object?> { ["accuracy"] = "n/a" } });
        Assert.True(await pg.AddSearchIndexAsync("metadata.performance.accuracy"));
        Assert.False(await pg.AddSearchIndexAsync("metadata.performance.accuracy"));
        Assert.Equal(["metadata.performance.accuracy"], await pg.GetSearchIndexesAsync());
        Assert.Equal(2, await pg.CountAsync("metadata.performance.accuracy > 0.99"));

        // The compiled condition, as the backend builds it, can be answered by the expression index.
        var node = Metadata.Search.FilterParser.Parse("metadata.performance.accuracy > 0.99", Metadata.Search.FilterSchema.Records, null, DateTimeOffset.UtcNow);
        var compiler = new Ciaf.Metadata.PostgreSql.PostgreSqlFilterCompiler(new PositionalDialect(), new HashSet<string> { "metadata.performance.accuracy" });
        string where = compiler.Compile(node);
        await using var connection = server.OpenConnection(connectionString);
        await using (var off = new Npgsql.NpgsqlCommand("SET enable_seqscan = off", connection)) await off.ExecuteNonQueryAsync();
        await using var explain = new Npgsql.NpgsqlCommand($"EXPLAIN SELECT id FROM metadata WHERE {where}", connection);
        foreach (var arg in compiler.Args) explain.Parameters.Add(new Npgsql.NpgsqlParameter { Value = arg.Value });
        var plan = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync()) while (await reader.ReadAsync()) plan.Add(reader.GetString(0));
        Assert.Contains(plan, line => line.Contains("ix_ciaf_path_", StringComparison.Ordinal));

        Assert.True(await pg.DropSearchIndexAsync("metadata.performance.accuracy"));
        Assert.Empty(await pg.GetSearchIndexesAsync());
        Assert.Equal(2, await pg.CountAsync("metadata.performance.accuracy > 0.99"));
    }

    private sealed class PositionalDialect : Ciaf.Metadata.Backends.Sql.SqlDialect
    {
        public override string Placeholder(string name, int position) => "$" + position;
        public override System.Data.Common.DbParameter Parameter(Ciaf.Metadata.Backends.Sql.SqlArg arg) => throw new NotSupportedException();
        public override object Bound(DateTimeOffset value) => value.UtcDateTime;
        public override DateTimeOffset Timestamp(object?[] row, int column) => throw new NotSupportedException();
        protected override (string Json, string What) MetadataText(object?[] row) => throw new NotSupportedException();
        protected override void ReportCorrupt(string table, object? id, FormatException ex) => throw new NotSupportedException();
    }
}
