using System.Text.Json.Nodes;
using Ciaf.Cli.Tests.Support;
using Ciaf.Metadata.Tests.Backends.PostgreSql;
using Npgsql;

namespace Ciaf.Cli.Tests;

[CollectionDefinition(Name)]
public sealed class CliPostgreSqlCollection : ICollectionFixture<PostgreSqlServer>
{
    public const string Name = "CLI PostgreSQL server";
}

/// <summary>
/// <c>ciaf migrate</c> into PostgreSQL — how a team outgrows one machine — configured from the environment or from
/// <c>--to-config</c>, against the throwaway server the tests start.
/// </summary>
[Collection(CliPostgreSqlCollection.Name)]
public sealed class MigrateToPostgreSqlTests(PostgreSqlServer server) : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private async Task<string[]> SeedSqliteStoreAsync()
    {
        var ids = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            var save = await CiafTool.OkAsync(_folder.Path, "--store", "src", "--backend", "sqlite", "save", "m", "training", "e", "--metadata", $"{{\"i\": {i}}}");
            ids.Add(save.Stdout.Trim());
        }
        await CiafTool.OkAsync(_folder.Path, "--store", "src", "hold", "add", "m", "--reason", "case 7");
        return [.. ids];
    }

    private long CountRows(string connectionString)
    {
        string schema = new NpgsqlConnectionStringBuilder(connectionString).SearchPath!;
        using var connection = server.OpenConnection(connectionString);
        using var command = new NpgsqlCommand($"SELECT count(*) FROM \"{schema}\".metadata", connection);
        return (long)command.ExecuteScalar()!;
    }

    [Fact]
    public async Task Migrate_ToPostgreSqlWithTheConnectionStringFromTheEnvironment_CopiesEverything()
    {
        var ids = await SeedSqliteStoreAsync();
        string connectionString = server.NewSchemaConnectionString();
        var env = new Dictionary<string, string> { ["CIAF_POSTGRES_CONNECTION"] = connectionString };

        var migrate = await CiafTool.RunAsync(_folder.Path, env, "--store", "src", "migrate", "--to", "pg_exports", "--to-backend", "postgresql", "--json");

        Assert.True(migrate.ExitCode == 0, migrate.ToString());
        Assert.Equal(3, (int)migrate.Json()["records_copied"]!);
        Assert.Equal(1, (int)migrate.Json()["legal_holds_copied"]!);
        Assert.True((long)migrate.Json()["ledger_leaves_carried"]! >= 4, migrate.ToString()); // three records and the hold, at least
        Assert.Null(migrate.Json()["ledger_not_carried"]);
        Assert.Equal(3, CountRows(connectionString));
        var verify = await CiafTool.RunAsync(_folder.Path, env, "--store", "pg_exports", "--backend", "postgresql", "verify");
        Assert.True(verify.ExitCode == 0, verify.ToString());
        var get = await CiafTool.RunAsync(_folder.Path, env, "--store", "pg_exports", "--backend", "postgresql", "get", ids[1], "--json");
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Equal(1, (int)get.Json()["metadata"]!["i"]!);
    }

    [Fact]
    public async Task Migrate_ToConfig_TargetFromItsOwnConfigurationFile()
    {
        await SeedSqliteStoreAsync();
        string connectionString = server.NewSchemaConnectionString();
        File.WriteAllText(_folder.Combine("target.json"), new JsonObject
        {
            ["storage_backend"] = "postgresql", ["storage_path"] = "pg_exports", ["postgres_connection_string"] = connectionString,
        }.ToJsonString());

        var migrate = await CiafTool.RunAsync(_folder.Path, "--store", "src", "migrate", "--to-config", "target.json", "--json");

        Assert.True(migrate.ExitCode == 0, migrate.ToString());
        Assert.Equal("postgresql", (string?)migrate.Json()["target_backend"]);
        Assert.Equal(3, CountRows(connectionString));
    }

    [Fact]
    public async Task Migrate_TargetNamedTwiceOrNotAtAll_IsAUsageError()
    {
        await SeedSqliteStoreAsync();
        var both = await CiafTool.RunAsync(_folder.Path, "--store", "src", "migrate", "--to", "x", "--to-backend", "json", "--to-config", "t.json");
        var none = await CiafTool.RunAsync(_folder.Path, "--store", "src", "migrate", "--to", "x");
        Assert.Equal(2, both.ExitCode);
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("--to-config", none.Stderr, StringComparison.Ordinal);
    }
}
