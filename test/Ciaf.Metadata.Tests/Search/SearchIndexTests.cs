using Ciaf.Metadata.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Ciaf.Metadata.Tests.Search;

/// <summary>Declared indexes: created, listed, dropped, and used by the compiled SQL (SQLite's query plan shows it).</summary>
public sealed class SearchIndexTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void AddSearchIndex_Sqlite_ListedAndUsedByTheQueryPlan()
    {
        using var storage = MetadataStorage.Create(b => b.UseSqlite(_folder.Path));
        // Enough rows that an index beats a scan.
        storage.SaveMetadataBatch(Enumerable.Range(0, 2000).Select(i =>
            new MetadataEntry("m", "validation", "evt", new Dictionary<string, object?> { ["performance"] = new Dictionary<string, object?> { ["accuracy"] = i / 2000.0 } })));
        storage.SaveMetadata("m", "validation", "evt", new Dictionary<string, object?> { ["performance"] = new Dictionary<string, object?> { ["accuracy"] = "n/a" } });
        string filter = "metadata.performance.accuracy > 0.998";
        Assert.DoesNotContain("ix_ciaf_path_", Plan(storage, filter), StringComparison.Ordinal);

        Assert.True(storage.AddSearchIndex("metadata.performance.accuracy"));
        Assert.False(storage.AddSearchIndex("metadata.performance.accuracy"));
        Assert.Equal(["metadata.performance.accuracy"], storage.GetSearchIndexes());
        // Covering: the page's ids come from the index alone (value, type guard, timestamp, id); only their rows are read.
        Assert.Contains("USING COVERING INDEX ix_ciaf_path_", Plan(storage, filter), StringComparison.Ordinal);
        // Same answer as without the index: the string "n/a" (greater than any number in SQLite) is still excluded.
        Assert.Equal(3, storage.Count(filter));
        Assert.Equal(3, storage.Search(filter, new Ciaf.Metadata.Search.SearchOptions { Limit = 0 }).Records.Count);

        Assert.True(storage.DropSearchIndex("metadata.performance.accuracy"));
        Assert.False(storage.DropSearchIndex("metadata.performance.accuracy"));
        Assert.Empty(storage.GetSearchIndexes());
        Assert.Equal(3, storage.Count(filter));
    }

    [Theory]
    [InlineData("stage", "is a column")]
    [InlineData("metadata.items[0].name", "array index")]
    [InlineData("metadata.\"feature-importance\"", "\"feature-importance\"")]
    public void AddSearchIndex_NotAPlainPath_ArgumentException(string path, string reason)
    {
        using var storage = MetadataStorage.Create(b => b.UseSqlite(_folder.Path));
        var ex = Assert.Throws<ArgumentException>(() => storage.AddSearchIndex(path));
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.Empty(storage.GetSearchIndexes());
    }

    [Theory]
    [InlineData("json")]
    [InlineData("pickle")]
    public void AddSearchIndex_FileBackend_SaysIndexesDoNotApply(string backend)
    {
        using var storage = new MetadataStorage(_folder.Path, backend);
        var ex = Assert.Throws<NotSupportedException>(() => storage.AddSearchIndex("metadata.a"));
        Assert.Contains("Indexes do not apply", ex.Message, StringComparison.Ordinal);
        Assert.Throws<NotSupportedException>(() => storage.GetSearchIndexes());
    }

    // The plan of the compiled search's id query (same condition, same parameters), as the backend runs it.
    private static string Plan(MetadataStorage storage, string filter)
    {
        var backend = (Ciaf.Metadata.Backends.Sqlite.SqliteMetadataBackend)storage.Core.Backend;
        var node = Metadata.Search.FilterParser.Parse(filter, Metadata.Search.FilterSchema.Records, null, DateTimeOffset.UtcNow);
        var indexed = storage.GetSearchIndexes().ToHashSet(StringComparer.Ordinal);
        var compiler = new Ciaf.Metadata.Backends.Sqlite.SqliteFilterCompiler(new PlanDialect(), indexed);
        string where = compiler.Compile(node);
        // Not pooled: a pooled connection keeps the statistics it loaded before the index existed (the backend clears its own pool).
        using var connection = new SqliteConnection($"Data Source={backend.DbPath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        string prefix = compiler.NarrowedByIndex(node) ? "+" : "";
        command.CommandText = $"EXPLAIN QUERY PLAN SELECT id FROM metadata WHERE {where} ORDER BY {prefix}timestamp DESC, {prefix}id DESC LIMIT 50";
        foreach (var arg in compiler.Args) command.Parameters.AddWithValue("$" + arg.Name, arg.Value);
        using var reader = command.ExecuteReader();
        var plan = new List<string>();
        while (reader.Read()) plan.Add(reader.GetString(3));
        return string.Join("\n", plan);
    }

    private sealed class PlanDialect : Ciaf.Metadata.Backends.Sql.SqlDialect
    {
        public override string Placeholder(string name, int position) => "$" + name;
        public override System.Data.Common.DbParameter Parameter(Ciaf.Metadata.Backends.Sql.SqlArg arg) => new SqliteParameter("$" + arg.Name, arg.Value);
        public override object Bound(DateTimeOffset value) => Ciaf.Metadata.Hashing.PythonTimestamp.Format(value);
        public override DateTimeOffset Timestamp(object?[] row, int column) => throw new NotSupportedException();
        protected override (string Json, string What) MetadataText(object?[] row) => throw new NotSupportedException();
        protected override void ReportCorrupt(string table, object? id, FormatException ex) => throw new NotSupportedException();
    }
}
