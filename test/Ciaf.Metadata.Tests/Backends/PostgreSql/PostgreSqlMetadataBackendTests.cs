using System.Text.Json.Nodes;
using Ciaf.Metadata.Configuration;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.PostgreSql;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Conformance;
using Ciaf.Metadata.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static Ciaf.Metadata.Tests.Backends.SqliteTestData;

namespace Ciaf.Metadata.Tests.Backends.PostgreSql;

/// <summary>Behaviour of the PostgreSQL backend beyond the shared conformance suite.</summary>
[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlMetadataBackendTests(PostgreSqlServer server) : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly string[] Stages = ["training", "inference", "monitoring", "data_ingestion", "compliance", "deployment"];
    private readonly TempDirectory _folder = new();
    private readonly string _connectionString = server.NewSchemaConnectionString();

    public void Dispose() => _folder.Dispose();

    private string Schema => new NpgsqlConnectionStringBuilder(_connectionString).SearchPath!;

    private PostgreSqlMetadataBackend Open(string? connectionString = null, Action<string, Exception>? reportCorrupt = null,
        PostgreSqlBackendOptions? options = null) =>
        new(new BackendContext
        {
            StoragePath = _folder.Path,
            ConnectionString = connectionString ?? _connectionString,
            ReportCorrupt = reportCorrupt ?? ((_, _) => { }),
        }, options ?? new PostgreSqlBackendOptions());

    private object? Scalar(string sql, params object[] args)
    {
        using var connection = server.OpenConnection(_connectionString);
        using var command = new NpgsqlCommand(sql, connection);
        foreach (var a in args) command.Parameters.AddWithValue(a);
        return command.ExecuteScalar();
    }

    [Fact]
    public void Registration_ModuleLoaded_PostgresqlIsAKnownBackend()
    {
        Assert.Equal("postgresql", PostgreSqlBackend.Name);
        Assert.True(MetadataBackends.IsRegistered("postgresql"));
        Assert.True(MetadataBackends.IsRegistered("PostgreSQL"));
    }

    [Fact]
    public async Task WriteAsync_ReferenceRecords_ReadBackExactlyAndHashesVerify()
    {
        await using var backend = Open();
        var expected = PyciafFixtures.ExpectedRecords.ToList();
        await backend.WriteAsync([.. expected.Select(RecordJson.FromJsonObject)]);
        foreach (var e in expected)
        {
            var r = await backend.GetAsync(e["id"]!.GetValue<string>());
            Assert.NotNull(r);
            StorageConformanceTests.AssertRecord(e, r);
            Assert.Equal(PythonJson.Hash(r.Metadata), r.MetadataHash);
        }
    }

    [Fact]
    public async Task WriteAsync_IntsFloatsAndNonFiniteNumbers_TextKeptExactly_JsonbQueryable()
    {
        await using var backend = Open();
        var metadata = (JsonObject)PythonJson.Parse(
            "{\"int\": 1, \"float\": 1.0, \"tiny\": 1e-05, \"big\": 123456789012345678901234567890, \"nan\": NaN, \"inf\": -Infinity, " +
            "\"nul\": \"a\\u0000b\", \"lone\": \"\\ud800\", \"nested\": {\"tags\": [\"x\", \"y\"]}}")!;
        var single = Record("single", metadata: metadata, timestamp: T0);
        await backend.WriteAsync([single]);                                                           // parameterized insert
        await backend.WriteAsync([Record("batch1", metadata: metadata, timestamp: T0), Record("batch2", timestamp: T0)]); // COPY

        foreach (var id in new[] { "single", "batch1" })
        {
            var r = (await backend.GetAsync(id))!;
            Assert.Equal(PythonJson.Serialize(metadata, PythonJsonStyle.Compact), PythonJson.Serialize(r.Metadata, PythonJsonStyle.Compact));
            Assert.Equal(PythonJson.Hash(metadata), PythonJson.Hash(r.Metadata));
            Assert.Equal(PythonJson.Serialize(metadata, PythonJsonStyle.Compact),
                Scalar($"SELECT metadata_text FROM \"{Schema}\".metadata WHERE id = $1", id));
        }
        // jsonb: for queries, with stand-ins where jsonb cannot hold the value.
        Assert.Equal(2L, Scalar($"SELECT count(*) FROM \"{Schema}\".metadata WHERE metadata @> '{{\"nested\": {{\"tags\": [\"y\"]}}}}'"));
        Assert.Equal("NaN", Scalar($"SELECT metadata->>'nan' FROM \"{Schema}\".metadata WHERE id = 'single'"));
        Assert.Equal("a\uFFFDb", Scalar($"SELECT metadata->>'nul' FROM \"{Schema}\".metadata WHERE id = 'single'"));
    }

    [Fact]
    public async Task WriteAsync_SameBatchTwiceAndDuplicateIds_NeverDuplicates_LastWins()
    {
        await using var backend = Open();
        var batch = Enumerable.Range(0, 300).Select(i => Record($"r{i:D4}", timestamp: T0.AddSeconds(i))).ToList();
        await backend.WriteAsync(batch);
        await backend.WriteAsync(batch); // a retried batch
        Assert.Equal(300, await backend.CountAsync());

        var first = Record("dup", metadata: new JsonObject { ["v"] = 1 }, timestamp: T0);
        var second = Record("dup", metadata: new JsonObject { ["v"] = 2 }, timestamp: T0);
        await backend.WriteAsync([first, Record("other", timestamp: T0), second]);
        Assert.Equal(2, (await backend.GetAsync("dup"))!.Metadata["v"]!.GetValue<int>());
        Assert.Equal(302, await backend.CountAsync());
    }

    [Fact]
    public async Task QueryAsync_ManyRecordsWithOneTimestamp_PagesByIdWithoutGapsOrRepeats()
    {
        await using var backend = Open();
        var ids = Enumerable.Range(0, 2500).Select(i => $"id{i:D5}").ToList();
        await backend.WriteAsync([.. ids.Select(id => Record(id, timestamp: T0))]);

        var oldest = await backend.QueryAsync(new MetadataQuery { Order = RecordOrder.OldestFirst }).Select(r => r.Id).ToListAsync();
        Assert.Equal(ids, oldest);
        var newest = await backend.QueryAsync(new MetadataQuery { ModelName = "credit_scoring", Stage = "training", Limit = 1500 })
            .Select(r => r.Id).ToListAsync();
        Assert.Equal(Enumerable.Reverse(ids).Take(1500), newest);
    }

    [Fact]
    public async Task QueryAsync_CorruptRow_SkippedAndReported()
    {
        var reported = new List<string>();
        await using var backend = Open(reportCorrupt: (location, _) => reported.Add(location));
        await backend.WriteAsync([Record("good", timestamp: T0)]);
        PostgreSqlCorruptRows.Plant(server, _connectionString, "credit_scoring");

        var records = await backend.QueryAsync(new MetadataQuery { ModelName = "credit_scoring" }).ToListAsync();
        Assert.Equal(["good"], records.Select(r => r.Id));
        var location = Assert.Single(reported);
        Assert.Contains(Schema, location, StringComparison.Ordinal);
        Assert.DoesNotContain("Password", location, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Open_ManyProcessesAtOnceOnANewSchema_MigratesOnce()
    {
        var backends = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Open())));
        foreach (var b in backends) await b.DisposeAsync();
        // One row per migration, each applied once.
        Assert.Equal(3L, Scalar($"SELECT count(*) FROM \"{Schema}\".ciaf_schema_version"));
        Assert.Equal(3, Scalar($"SELECT max(version) FROM \"{Schema}\".ciaf_schema_version"));
    }

    [Fact]
    public async Task Open_StoreAtAnOlderVersion_AppliesTheMissingMigrationKeepingTheData()
    {
        await using (var backend = Open())
        {
            await backend.WriteAsync([Record("kept", timestamp: T0)]);
        }
        // Take the store back to version 1: as a store created before the state table and the ledger existed.
        Scalar($"DROP TABLE \"{Schema}\".ciaf_state, \"{Schema}\".ciaf_ledger, \"{Schema}\".ciaf_ledger_nodes, \"{Schema}\".ciaf_ledger_checkpoints; "
            + $"DELETE FROM \"{Schema}\".ciaf_schema_version WHERE version >= 2");

        await using var upgraded = Open();
        Assert.Equal(3, Scalar($"SELECT max(version) FROM \"{Schema}\".ciaf_schema_version"));
        await upgraded.WriteStateAsync("legal_holds", "model:m", "{}");
        Assert.Equal("{}", (await upgraded.ReadStateAsync("legal_holds"))["model:m"]);
        Assert.NotNull(await upgraded.GetAsync("kept"));
    }

    [Theory]
    [InlineData("Search Path=\"bad-name\"")]
    [InlineData("Search Path=x;DROP")]
    [InlineData("Search Path=\"a\"\"b\"")]
    public void Open_SchemaNameBreaksTheRule_ThrowsArgumentException(string suffix)
    {
        string connectionString;
        try
        {
            connectionString = server.ConnectionString + ";" + suffix;
            _ = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException)
        {
            return; // Npgsql itself rejects the string: nothing reaches SQL either
        }
        var ex = Assert.Throws<ArgumentException>(() => Open(connectionString));
        Assert.Contains(PostgreSqlBackendOptions.IdentifierPattern, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_BadOptionsOrNoConnectionString_ThrowsArgumentException()
    {
        var ex = Assert.Throws<ArgumentException>(() => Open(options: new PostgreSqlBackendOptions { Schema = "x\"; DROP TABLE y; --" }));
        Assert.Contains("Schema", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new PostgreSqlMetadataBackend(new BackendContext { StoragePath = _folder.Path }));
    }

    [Fact]
    public async Task Open_SchemaOption_WinsOverSearchPath_AndUnquotedNamesFoldToLowerCase()
    {
        string name = "opt_" + Guid.NewGuid().ToString("N")[..8];
        await using (var backend = Open(options: new PostgreSqlBackendOptions { Schema = name }))
        {
            Assert.Equal(name, backend.Schema);
        }
        string upper = "UP_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        await using var folded = Open(new NpgsqlConnectionStringBuilder(server.ConnectionString) { SearchPath = upper }.ConnectionString);
        Assert.Equal(upper.ToLowerInvariant(), folded.Schema);
    }

    [Fact]
    public async Task Open_ForeignTableOfTheSameName_RefusedWithAClearError()
    {
        string schema = "foreign_" + Guid.NewGuid().ToString("N")[..8];
        using (var connection = server.OpenConnection())
        using (var command = new NpgsqlCommand($"CREATE SCHEMA {schema}; CREATE TABLE {schema}.metadata (id int PRIMARY KEY, name text)", connection))
        {
            await command.ExecuteNonQueryAsync();
        }
        var ex = Assert.Throws<MetadataStorageException>(() => Open(options: new PostgreSqlBackendOptions { Schema = schema }));
        Assert.Contains("not a CIAF metadata store", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_ServerUnreachable_FailsAfterTheRetryTimeoutNamingTheTarget()
    {
        var builder = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Port = 1, Timeout = 2 };
        var ex = Assert.Throws<MetadataStorageException>(() =>
            Open(builder.ConnectionString, options: new PostgreSqlBackendOptions { TransientRetryTimeout = TimeSpan.FromSeconds(1) }));
        Assert.Equal("postgresql", ex.Backend);
        Assert.Contains(":1/", ex.Message, StringComparison.Ordinal);
        await Task.CompletedTask;
    }

    [Theory]
    [InlineData("model_name = $1 AND stage = $2", "ix_ciaf_metadata_model_stage_ts")]
    [InlineData("model_name = $1", "ix_ciaf_metadata_model_ts")]
    [InlineData("true", "ix_ciaf_metadata_ts")]
    public async Task QueryPlans_ModelStageTime_UseTheDocumentedIndex(string where, string index)
    {
        await using var backend = Open();
        // Fifty models: selective enough that the planner reaches for the model's index even when rows lie in time
        // order (as a batch COPY leaves them), where a backward scan of the time index with a filter is cheap for a few.
        await backend.WriteAsync([.. Enumerable.Range(0, 2000).Select(i => Record($"p{i}", model: $"m{i % 50}", stage: Stages[i / 50 % Stages.Length], timestamp: T0.AddMinutes(i)))]);
        using var connection = server.OpenConnection(_connectionString);
        using (var off = new NpgsqlCommand($"ANALYZE \"{Schema}\".metadata; SET enable_seqscan = off; SET enable_bitmapscan = off; SET enable_sort = off", connection))
            off.ExecuteNonQuery();
        using var explain = new NpgsqlCommand(
            $"EXPLAIN SELECT id FROM \"{Schema}\".metadata WHERE {where.Replace("$1", "'m1'", StringComparison.Ordinal).Replace("$2", "'training'", StringComparison.Ordinal)} " +
            "ORDER BY timestamp DESC, id DESC LIMIT 10", connection);
        var plan = string.Join('\n', ReadAll(explain));
        Assert.True(plan.Contains(index, StringComparison.Ordinal), plan);
        Assert.DoesNotContain("Sort", plan, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MetadataStorage_FromConfig_OpensThePostgreSqlStore()
    {
        var config = new MetadataConfig();
        config.Set(MetadataConfigKeys.StorageBackend, "postgresql");
        config.Set(MetadataConfigKeys.StoragePath, _folder.Path);
        config.Set(MetadataConfigKeys.PostgresConnectionString, _connectionString);
        await using var storage = new MetadataStorage(config);
        string id = await storage.SaveMetadataAsync("cfg", "training", "e", new { a = 1 });
        Assert.Equal("postgresql", storage.Backend);
        Assert.Null(storage.DbPath);
        Assert.NotNull(await storage.GetMetadataAsync(id));
    }

    [Fact]
    public async Task AddCiafMetadataPostgreSql_ConfigurationSection_ResolvesAPostgreSqlStore()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ciaf:storage_backend"] = "postgresql",
            ["Ciaf:storage_path"] = _folder.Path,
            ["Ciaf:postgres_connection_string"] = _connectionString,
        }).Build();
        await using var provider = new ServiceCollection().AddCiafMetadataPostgreSql(configuration.GetSection("Ciaf")).BuildServiceProvider();
        var storage = provider.GetRequiredService<MetadataStorage>();
        Assert.Equal("postgresql", storage.Backend);
        string id = await storage.SaveMetadataAsync("di", "training", "e", new { a = 1 });
        await storage.FlushAsync(); // async_writes defaults to true: buffered
        Assert.Equal(1L, Scalar($"SELECT count(*) FROM \"{Schema}\".metadata WHERE id = $1", id));
    }

    [Fact]
    public async Task Encryption_SensitiveValues_NeitherInTheTextNorInTheJsonbColumn()
    {
        string token = Guid.NewGuid().ToString("N");
        string keyPath = Path.Combine(_folder.Path, "metadata.key");
        Ciaf.Metadata.Encryption.MetadataEncryption.GenerateKey(keyPath);
        string id;
        await using (var storage = new MetadataStorage(new MetadataStorageOptions
        {
            StoragePath = _folder.Path, Backend = "postgresql", ConnectionString = _connectionString,
            EncryptSensitiveData = true, EncryptionKeyPath = keyPath,
        }))
        {
            id = await storage.SaveMetadataAsync("m", "training", "e", new { accuracy = 0.9, patient = new { SSN = $"ssn-{token}" } });
            Assert.Equal($"ssn-{token}", (string?)(await storage.GetMetadataAsync(id))!.Metadata["patient"]!["SSN"]);
        }
        Assert.Equal(0L, Scalar($"SELECT count(*) FROM \"{Schema}\".metadata WHERE metadata_text LIKE $1 OR metadata::text LIKE $1", $"%{token}%"));
        Assert.Equal(1L, Scalar($"SELECT count(*) FROM \"{Schema}\".metadata WHERE id = $1 AND metadata_text LIKE '%$ciaf_encrypted%'", id));
    }

    private static List<string> ReadAll(NpgsqlCommand command)
    {
        var lines = new List<string>();
        using var reader = command.ExecuteReader();
        while (reader.Read()) lines.Add(reader.GetString(0));
        return lines;
    }
}
