using System.Diagnostics;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;
using Npgsql;

namespace Ciaf.Metadata.Tests.Backends.PostgreSql;

/// <summary><c>b.UsePostgreSql(connectionString, o => ...)</c>: the backend's own options are observably applied.</summary>
[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlBuilderTests(PostgreSqlServer server) : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void UsePostgreSql_Schema_TablesCreatedThere()
    {
        string schema = "b_" + Guid.NewGuid().ToString("N")[..12];
        using (var storage = MetadataStorage.Create(b => b
            .UsePostgreSql(server.ConnectionString, o => o.Schema = schema)
            .Configure(o => o.StoragePath = _folder.Path)))
        {
            Assert.Equal("postgresql", storage.Backend);
            storage.SaveMetadata("m", "training", "e", new { a = 1 });
        }
        using var connection = server.OpenConnection(server.ConnectionString);
        using var command = new NpgsqlCommand("SELECT count(*) FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'metadata'", connection);
        command.Parameters.AddWithValue(schema);
        Assert.Equal(1L, (long)command.ExecuteScalar()!);
        using var rows = new NpgsqlCommand($"SELECT count(*) FROM \"{schema}\".metadata", connection);
        Assert.Equal(1L, (long)rows.ExecuteScalar()!);
    }

    [Fact]
    public async Task UsePostgreSql_CommandTimeout_ABlockedQueryFailsAfterIt()
    {
        string connectionString = server.NewSchemaConnectionString();
        await using var storage = MetadataStorage.Create(b => b
            .UsePostgreSql(connectionString, o => { o.CommandTimeout = TimeSpan.FromSeconds(1); o.TransientRetryTimeout = TimeSpan.Zero; })
            .Configure(o => o.StoragePath = _folder.Path));
        string schema = new NpgsqlConnectionStringBuilder(connectionString).SearchPath!;

        // Another session holds the table: without a command timeout the query would wait for the lock indefinitely.
        await using var blocker = server.OpenConnection(connectionString);
        await using var tx = await blocker.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand($"LOCK TABLE \"{schema}\".metadata IN ACCESS EXCLUSIVE MODE", blocker, tx))
        {
            await lockTable.ExecuteNonQueryAsync();
        }
        var clock = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<MetadataStorageException>(async () => await storage.GetModelMetadataAsync("m"));
        clock.Stop();

        // A wide guard, not a speed claim: without the option the query would wait on the lock for Npgsql's 30 s default.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the blocked query took {clock.Elapsed}");
        Assert.Contains("timeout", ex.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void UsePostgreSql_CompressionOn_SaysItDoesNotApplyAndStoresPlainText()
    {
        string connectionString = server.NewSchemaConnectionString();
        var logs = new CountingLoggerFactory();
        string payload = new string('x', 200);
        using (var storage = MetadataStorage.Create(b => b
            .UsePostgreSql(connectionString)
            .Configure(o => { o.StoragePath = _folder.Path; o.EnableCompression = true; o.CompressionThresholdBytes = 0; o.LoggerFactory = logs; })))
        {
            storage.SaveMetadata("m", "training", "e", new { payload });
        }
        Assert.Equal(1, logs.Count(4106));
        string schema = new NpgsqlConnectionStringBuilder(connectionString).SearchPath!;
        using var connection = server.OpenConnection(connectionString);
        using var command = new NpgsqlCommand($"SELECT metadata_text FROM \"{schema}\".metadata", connection);
        Assert.Equal($"{{\"payload\": \"{payload}\"}}", (string)command.ExecuteScalar()!);
    }

    [Fact]
    public void UsePostgreSql_NoConnectionStringAndBadSchema_BothListed()
    {
        var ex = Assert.Throws<ArgumentException>(() => MetadataStorage.Create(b => b.UsePostgreSql(null, o => o.Schema = "bad;schema")));
        Assert.Contains("postgresql.ConnectionString", ex.Message, StringComparison.Ordinal);
        Assert.Contains("postgresql.Schema", ex.Message, StringComparison.Ordinal);
    }
}
