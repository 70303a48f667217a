using System.Data.Common;
using Ciaf.Metadata.Backends.Sql;
using Ciaf.Metadata.Backends.Sqlite;
using Ciaf.Metadata.PostgreSql;
using Ciaf.Metadata.Search;
using Microsoft.Data.Sqlite;

namespace Ciaf.Metadata.Tests.Search;

public sealed class SqlFilterCompilerTests
{
    private const string Hostile = "metadata.\"x'); DROP TABLE metadata; --\".\"ZZPATH\" = 'ZZLIT''); DELETE FROM metadata; --' OR details LIKE 'ZZLIKE%' "
        + "OR metadata.zzkey IN ('ZZIN1', 'ZZIN2') OR EXISTS(metadata.zzexists) OR stage > 'ZZSTAGE' OR metadata.n < 12345.5";

    private static readonly string[] Fragments = ["ZZPATH", "ZZLIT", "DROP", "DELETE", "ZZLIKE", "ZZIN", "zzkey", "zzexists", "ZZSTAGE", "12345"];

    private static FilterNode Parse(string filter) => FilterParser.Parse(filter, FilterSchema.Records, null, DateTimeOffset.UnixEpoch);

    [Fact]
    public void Compile_Sqlite_NoFilterTextInSql()
    {
        var compiler = new SqliteFilterCompiler(new TestDialect());
        string sql = compiler.Compile(Parse(Hostile));
        foreach (var fragment in Fragments) Assert.DoesNotContain(fragment, sql, StringComparison.Ordinal);
        Assert.Contains(compiler.Args, a => a.Value is string s && s.Contains("ZZPATH", StringComparison.Ordinal));
        Assert.Contains(compiler.Args, a => a.Value is string s && s.Contains("ZZLIT", StringComparison.Ordinal));
    }

    [Fact]
    public void Compile_PostgreSql_NoFilterTextInSqlAndEqualityUsesContainment()
    {
        var compiler = new PostgreSqlFilterCompiler(new TestDialect());
        string sql = compiler.Compile(Parse(Hostile));
        foreach (var fragment in Fragments) Assert.DoesNotContain(fragment, sql, StringComparison.Ordinal);
        Assert.StartsWith("((metadata @> $p0::jsonb OR", sql, StringComparison.Ordinal);
        var containment = System.Text.Json.Nodes.JsonNode.Parse((string)compiler.Args[0].Value!)!;
        Assert.Equal("ZZLIT'); DELETE FROM metadata; --", (string)containment["x'); DROP TABLE metadata; --"]!["ZZPATH"]!);
        Assert.Contains("metadata @? $", sql, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_Sqlite_SamePathOneParameter()
    {
        var compiler = new SqliteFilterCompiler(new TestDialect());
        compiler.Compile(Parse("metadata.a.b > 1 AND metadata.a.b < 5 AND metadata.a.b IS NOT NULL"));
        Assert.Single(compiler.Args, a => Equals(a.Value, "$.\"a\".\"b\""));
    }

    // Named placeholders; nothing here touches a database.
    private sealed class TestDialect : SqlDialect
    {
        public override string Placeholder(string name, int position) => "$" + name;
        public override DbParameter Parameter(SqlArg arg) => new SqliteParameter("$" + arg.Name, arg.Value);
        public override object Bound(DateTimeOffset value) => value.ToString("O");
        public override DateTimeOffset Timestamp(object?[] row, int column) => throw new NotSupportedException();
        protected override (string Json, string What) MetadataText(object?[] row) => throw new NotSupportedException();
        protected override void ReportCorrupt(string table, object? id, FormatException ex) => throw new NotSupportedException();
    }
}
