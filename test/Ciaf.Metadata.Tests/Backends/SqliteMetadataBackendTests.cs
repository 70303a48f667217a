using System.Text.Json.Nodes;
using Ciaf.Metadata.Backends.Sqlite;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;
using Microsoft.Data.Sqlite;
using static Ciaf.Metadata.Tests.Backends.SqliteTestData;

namespace Ciaf.Metadata.Tests.Backends;

/// <summary>Behaviour of the SQLite backend on stores it creates.</summary>
public sealed class SqliteMetadataBackendTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly SqliteTestFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private SqliteConnection OpenRaw()
    {
        var connection = new SqliteConnection($"Data Source={_folder.DbPath};Pooling=False");
        connection.Open();
        return connection;
    }

    [Fact]
    public async Task WriteAsync_ThenGetAsync_RoundTripsEveryField()
    {
        var metadata = new JsonObject
        {
            ["accuracy"] = 0.93,
            ["name"] = "r\u00e9sum\u00e9 \U0001F680",
            ["nested"] = new JsonObject { ["z"] = 1, ["a"] = new JsonArray(1e-05, -0.0, 1e16, null, true) },
            ["big"] = JsonNode.Parse("123456789012345678901234567890"),
        };
        var records = new[]
        {
            Record("a", timestamp: T0.AddTicks(1_234_560), metadata: metadata, details: "d\u00e9tails"),
            Record("b", timestamp: T0), // no fraction: written without one
        };
        await using var backend = Open(_folder.Path);
        await backend.WriteAsync(records);

        foreach (var record in records) AssertSameRecord(record, await backend.GetAsync(record.Id));
        Assert.Equal(2, await backend.CountAsync());
        Assert.Equal("sqlite", backend.Name);
        Assert.Equal(_folder.DbPath, backend.DbPath);

        using var raw = OpenRaw();
        using var command = raw.CreateCommand();
        command.CommandText = "SELECT timestamp, metadata_json FROM metadata ORDER BY id";
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        Assert.Equal("2026-03-01T00:00:00.123456+00:00", reader.GetString(0));
        Assert.Equal(PythonJson.Serialize(metadata, PythonJsonStyle.Compact), reader.GetString(1));
        Assert.True(reader.Read());
        Assert.Equal("2026-03-01T00:00:00+00:00", reader.GetString(0));
    }

    [Fact]
    public async Task WriteAsync_SameIdsTwice_ReplacesWithoutDuplicating()
    {
        await using var backend = Open(_folder.Path);
        var first = Enumerable.Range(0, 10).Select(i => Record($"id-{i}", timestamp: T0.AddSeconds(i))).ToList();
        await backend.WriteAsync(first);
        await backend.WriteAsync(first); // a retried batch
        var changed = Record("id-3", stage: "validation", timestamp: T0.AddSeconds(3), metadata: new JsonObject { ["accuracy"] = 0.5 });
        await backend.WriteAsync([changed]);

        Assert.Equal(10, await backend.CountAsync());
        AssertSameRecord(changed, await backend.GetAsync("id-3"));
        Assert.Equal(10, (await ToListAsync(backend.QueryAsync(new MetadataQuery()))).Count);
    }

    [Fact]
    public async Task QueryAsync_Filters_AreExactAndOrdered()
    {
        await using var backend = Open(_folder.Path);
        var records = new List<MetadataRecord>();
        string[] stages = ["training", "train", "validation", "trainingx"];
        for (int i = 0; i < 40; i++)
        {
            records.Add(Record($"r{i:D2}", model: i % 2 == 0 ? "m1" : "m2", stage: stages[i % 4],
                timestamp: T0.AddSeconds(i / 2).AddTicks(i % 3 * 10)));
        }
        // Same timestamp, ids decide the order.
        records.Add(Record("tie-b", model: "m1", stage: "training", timestamp: T0.AddSeconds(100)));
        records.Add(Record("tie-a", model: "m1", stage: "training", timestamp: T0.AddSeconds(100)));
        await backend.WriteAsync(records);

        foreach (var query in new[]
        {
            new MetadataQuery(),
            new MetadataQuery { Order = RecordOrder.OldestFirst },
            new MetadataQuery { Stage = "train" },
            new MetadataQuery { ModelName = "m1", Stage = "training" },
            new MetadataQuery { ModelName = "m1", Stage = "training", Order = RecordOrder.OldestFirst, Limit = 3 },
            new MetadataQuery { ModelName = "m2" },
            new MetadataQuery { Since = T0.AddSeconds(5), Until = T0.AddSeconds(10) },
            new MetadataQuery { Since = T0.AddSeconds(5).AddTicks(5), Until = T0.AddSeconds(10).AddTicks(5) }, // sub-microsecond bounds
            new MetadataQuery { Since = T0.AddSeconds(5).ToOffset(TimeSpan.FromHours(2)) }, // a non-UTC bound
            new MetadataQuery { Limit = 5 },
            new MetadataQuery { Limit = 0 },
            new MetadataQuery { ModelName = "nope" },
        })
        {
            var expected = records.Where(query.Matches).Order(Comparer<MetadataRecord>.Create(query.Compare))
                .Take(query.Limit ?? int.MaxValue).Select(r => r.Id).ToList();
            var actual = (await ToListAsync(backend.QueryAsync(query))).Select(r => r.Id).ToList();
            Assert.Equal(expected, actual);
        }
        var newest = await ToListAsync(backend.QueryAsync(new MetadataQuery { Limit = 2 }));
        Assert.Equal(["tie-b", "tie-a"], newest.Select(r => r.Id));
        Assert.Equal(10, (await ToListAsync(backend.QueryAsync(new MetadataQuery { Stage = "train" }))).Count);
    }

    [Fact]
    public async Task QueryAsync_MoreThanOnePage_ReturnsEverythingOnce()
    {
        await using var backend = Open(_folder.Path);
        // 1300 records over 650 timestamps: pages of 512 end inside groups of equal timestamps.
        var records = Enumerable.Range(0, 1300).Select(i => Record($"p{i:D5}", timestamp: T0.AddSeconds(i / 2))).ToList();
        await backend.WriteAsync(records);
        var all = await ToListAsync(backend.QueryAsync(new MetadataQuery { Order = RecordOrder.OldestFirst }));
        Assert.Equal(records.Select(r => r.Id), all.Select(r => r.Id));
        var limited = await ToListAsync(backend.QueryAsync(new MetadataQuery { Limit = 700 }));
        Assert.Equal(records.Select(r => r.Id).Reverse().Take(700), limited.Select(r => r.Id));
    }

    [Fact]
    public async Task SeedJsonExtractQuery_OnStoreWeWrote_Works()
    {
        await using (var backend = Open(_folder.Path))
        {
            await backend.WriteAsync(
            [
                Record("low", stage: "training", metadata: new JsonObject { ["accuracy"] = 0.8 }),
                Record("high", stage: "training", metadata: new JsonObject { ["accuracy"] = 0.95 }),
                Record("other-stage", stage: "validation", metadata: new JsonObject { ["accuracy"] = 0.1 }),
            ]);
        }
        using var raw = OpenRaw();
        using var command = raw.CreateCommand();
        command.CommandText = "SELECT model_name, metadata_json FROM metadata WHERE stage='training' AND json_extract(metadata_json, '$.accuracy') < 0.9";
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        Assert.Equal("credit_scoring", reader.GetString(0));
        Assert.Equal("{\"accuracy\": 0.8}", reader.GetString(1));
        Assert.False(reader.Read());
    }

    [Fact]
    public async Task ComplianceEvents_WriteQueryDelete_Work()
    {
        await using var backend = Open(_folder.Path);
        var events = new[]
        {
            new ComplianceEvent("e1", "r1", "GDPR", 1.0, "passed", T0.AddSeconds(1), null),
            new ComplianceEvent("e2", "r1", "FDA", null, "failed", T0.AddSeconds(2), "d\u00e9tails"),
            new ComplianceEvent("e3", "r2", "GDPR", 0.7500000000000001, "failed", T0.AddSeconds(3).AddTicks(10), null),
        };
        await backend.WriteComplianceEventsAsync(events);
        await backend.WriteComplianceEventsAsync(events);

        Assert.Equal(events.Reverse(), await ToListAsync(backend.QueryComplianceEventsAsync(new ComplianceEventQuery())));
        Assert.Equal(["e3", "e1"], (await ToListAsync(backend.QueryComplianceEventsAsync(new ComplianceEventQuery { Framework = "GDPR" }))).Select(e => e.Id));
        Assert.Equal(["e2"], (await ToListAsync(backend.QueryComplianceEventsAsync(new ComplianceEventQuery { MetadataId = "r1", Limit = 1 }))).Select(e => e.Id));
        Assert.Equal(["e2"], (await ToListAsync(backend.QueryComplianceEventsAsync(
            new ComplianceEventQuery { Since = T0.AddSeconds(2), Until = T0.AddSeconds(3) }))).Select(e => e.Id));

        Assert.Equal(2, await backend.DeleteComplianceEventsAsync(["e1", "e3", "missing"]));
        Assert.Equal(["e2"], (await ToListAsync(backend.QueryComplianceEventsAsync(new ComplianceEventQuery()))).Select(e => e.Id));
    }

    [Fact]
    public async Task DeleteAsync_SomeIds_DeletesThemAndCountsExisting()
    {
        await using var backend = Open(_folder.Path);
        await backend.WriteAsync([.. Enumerable.Range(0, 5).Select(i => Record($"d{i}", timestamp: T0.AddSeconds(i)))]);
        // The reference declares but never enforces the foreign key: a record with events can still be deleted.
        await backend.WriteComplianceEventsAsync([new ComplianceEvent("ev", "d1", "GDPR", 1.0, "passed", T0, null)]);
        Assert.Equal(2, await backend.DeleteAsync(["d1", "d3", "missing", "d1"]));
        Assert.Equal(3, await backend.CountAsync());
        Assert.Null(await backend.GetAsync("d1"));
        Assert.Equal(0, await backend.DeleteAsync([]));
    }

    [Fact]
    public async Task WriteAsync_EightThreadsAtOnce_AllRecordsStored()
    {
        await using var backend = Open(_folder.Path);
        var tasks = Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
        {
            for (int b = 0; b < 25; b++)
            {
                var batch = Enumerable.Range(0, 1 + b % 7).Select(i => Record($"t{t}-b{b}-{i}", timestamp: T0.AddMilliseconds(b * 10 + i))).ToList();
                await backend.WriteAsync(batch);
                // Reads meanwhile must neither fail nor wait for the writer.
                Assert.NotNull(await backend.GetAsync(batch[0].Id));
            }
        })).ToArray();
        await Task.WhenAll(tasks);

        int expected = 8 * Enumerable.Range(0, 25).Sum(b => 1 + b % 7);
        Assert.Equal(expected, await backend.CountAsync());
        Assert.Equal(expected, (await ToListAsync(backend.QueryAsync(new MetadataQuery()))).Select(r => r.Id).Distinct().Count());
    }

    [Fact]
    public async Task QueryAsync_CorruptRows_SkippedAndReported()
    {
        var reported = new List<(string Location, Exception Error)>();
        await using var backend = Open(_folder.Path, (location, error) => reported.Add((location, error)));
        await backend.WriteAsync([Record("good-1", timestamp: T0.AddSeconds(1)), Record("good-2", timestamp: T0.AddSeconds(5))]);
        using (var raw = OpenRaw())
        {
            using var command = raw.CreateCommand();
            command.CommandText = """
                INSERT INTO metadata (id, model_name, model_version, stage, event_type, timestamp, metadata_hash, details, metadata_json) VALUES
                ('bad-json', 'credit_scoring', '1.0.0', 'training', 'x', '2026-03-01T00:00:02+00:00', NULL, NULL, '{"accuracy": 0.9'),
                ('bad-array', 'credit_scoring', '1.0.0', 'training', 'x', '2026-03-01T00:00:03+00:00', NULL, NULL, '[1, 2]'),
                ('bad-time', 'credit_scoring', '1.0.0', 'training', 'x', '2026-03-01T00:00:04+99:99', NULL, NULL, '{}'),
                (NULL, 'credit_scoring', '1.0.0', 'training', 'x', '2026-03-01T00:00:01+00:00', NULL, NULL, '{}');
                INSERT INTO compliance_events (id, metadata_id, framework, compliance_score, validation_status, timestamp, details) VALUES
                ('ev-bad', NULL, 'GDPR', 'high', 'passed', '2026-03-01T00:00:02+00:00', NULL),
                ('ev-ok', NULL, 'GDPR', 0.9, 'passed', '2026-03-01T00:00:03+00:00', NULL);
                """;
            command.ExecuteNonQuery();
        }

        var all = await ToListAsync(backend.QueryAsync(new MetadataQuery()));
        Assert.Equal(["good-2", "good-1"], all.Select(r => r.Id));
        // The limit counts good records only.
        Assert.Equal(["good-2", "good-1"], (await ToListAsync(backend.QueryAsync(new MetadataQuery { Limit = 2 }))).Select(r => r.Id));
        Assert.Null(await backend.GetAsync("bad-json"));
        Assert.Equal(["ev-ok"], (await ToListAsync(backend.QueryComplianceEventsAsync(new ComplianceEventQuery()))).Select(e => e.Id));

        Assert.Contains(reported, r => r.Location == $"{_folder.DbPath}#bad-json" && r.Error is FormatException);
        Assert.Contains(reported, r => r.Location == $"{_folder.DbPath}#bad-array");
        Assert.Contains(reported, r => r.Location == $"{_folder.DbPath}#bad-time");
        Assert.Contains(reported, r => r.Location == $"{_folder.DbPath}#ev-bad");
        Assert.Equal(6, await backend.CountAsync()); // rows are counted, corrupt or not
    }

    [Fact]
    public async Task WriteAsync_StatementFails_ThrowsStorageExceptionNamingBackendPathAndRecordAndRollsBack()
    {
        await using var backend = Open(_folder.Path);
        using (var raw = OpenRaw())
        {
            using var command = raw.CreateCommand();
            command.CommandText = "CREATE TRIGGER refuse BEFORE INSERT ON metadata WHEN NEW.id = 'poison' BEGIN SELECT RAISE(ABORT, 'simulated write failure'); END";
            command.ExecuteNonQuery();
        }
        var ex = await Assert.ThrowsAsync<MetadataStorageException>(async () =>
            await backend.WriteAsync([Record("ok-1"), Record("poison"), Record("ok-2")]));
        Assert.Equal("sqlite", ex.Backend);
        Assert.Equal(_folder.DbPath, ex.Path);
        Assert.Equal("poison", ex.RecordId);
        Assert.Contains("poison", ex.Message, StringComparison.Ordinal);
        Assert.Contains(_folder.DbPath, ex.Message, StringComparison.Ordinal);
        Assert.IsType<SqliteException>(ex.InnerException);
        Assert.Equal(0, await backend.CountAsync()); // the whole batch rolled back

        await backend.WriteAsync([Record("ok-1")]); // the writer is usable afterwards
        Assert.Equal(1, await backend.CountAsync());
    }

    [Fact]
    public async Task WriteAsync_OtherConnectionHoldsWriteLockBriefly_WaitsInsteadOfFailing()
    {
        await using var backend = Open(_folder.Path);
        using var raw = OpenRaw();
        using (var begin = raw.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE";
            begin.ExecuteNonQuery();
        }
        var write = backend.WriteAsync([Record("waited")]).AsTask();
        await Task.Delay(700);
        Assert.False(write.IsCompleted);
        using (var commit = raw.CreateCommand())
        {
            commit.CommandText = "COMMIT";
            commit.ExecuteNonQuery();
        }
        await write;
        Assert.NotNull(await backend.GetAsync("waited"));
    }

    [Fact]
    public async Task WriteAsync_LockHeldPastBusyTimeout_ThrowsStorageExceptionNotDatabaseLocked()
    {
        await using var backend = new SqliteMetadataBackend(new BackendContext { StoragePath = _folder.Path, BusyTimeout = TimeSpan.FromMilliseconds(300) });
        using var raw = OpenRaw();
        using (var begin = raw.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE";
            begin.ExecuteNonQuery();
        }
        var ex = await Assert.ThrowsAsync<MetadataStorageException>(async () => await backend.WriteAsync([Record("blocked")]));
        Assert.Equal("blocked", ex.RecordId);
        Assert.Contains("busy timeout", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Constructor_FileIsNotADatabase_ThrowsClearStorageException()
    {
        await File.WriteAllTextAsync(_folder.DbPath, string.Concat(Enumerable.Repeat("this is not a database. ", 200)));
        var ex = Assert.Throws<MetadataStorageException>(() => Open(_folder.Path));
        Assert.Contains("not a SQLite database", ex.Message, StringComparison.Ordinal);
        Assert.Equal(_folder.DbPath, ex.Path);
        Assert.Equal("sqlite", ex.Backend);
    }

    [Fact]
    public async Task Constructor_PathUnderAFile_ThrowsClearStorageException()
    {
        string file = Path.Combine(_folder.Path, "a-file");
        await File.WriteAllTextAsync(file, "x");
        var ex = Assert.Throws<MetadataStorageException>(() => Open(Path.Combine(file, "store")));
        Assert.Contains("cannot be created or written", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_ForeignMetadataTable_ThrowsClearStorageException()
    {
        using (var raw = OpenRaw())
        {
            using var command = raw.CreateCommand();
            command.CommandText = "CREATE TABLE metadata (id TEXT PRIMARY KEY, payload BLOB)";
            command.ExecuteNonQuery();
        }
        var ex = Assert.Throws<MetadataStorageException>(() => Open(_folder.Path));
        Assert.Contains("lacks column", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_UnknownJournalMode_ThrowsArgumentExceptionListingValidModes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Open(_folder.Path, journalMode: "WAL; DROP TABLE metadata"));
        Assert.Contains("DELETE", ex.Message, StringComparison.Ordinal);
    }

    // Only WAL persists in the file; other modes are per connection, and the file then reads as "delete".
    [Theory]
    [InlineData("WAL", "wal")]
    [InlineData("delete", "delete")]
    public async Task Constructor_JournalMode_IsApplied(string requested, string expected)
    {
        await using (var backend = Open(_folder.Path, journalMode: requested))
        {
            await backend.WriteAsync([Record("j")]);
        }
        using var raw = OpenRaw();
        using var command = raw.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal(expected, (string)command.ExecuteScalar()!);
    }

    [Fact]
    public async Task DisposeAsync_Twice_ReleasesFileAndThenRejectsUse()
    {
        var backend = Open(_folder.Path);
        await backend.WriteAsync([Record("x")]);
        _ = await ToListAsync(backend.QueryAsync(new MetadataQuery()));
        Assert.True(backend.SizeOnDisk() > 0);
        await backend.DisposeAsync();
        await backend.DisposeAsync();

        // Every connection is closed: SQLite checkpointed and removed the WAL, and the file can be deleted.
        Assert.False(File.Exists(_folder.DbPath + "-wal"));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await backend.WriteAsync([Record("y")]));
        Assert.Throws<ObjectDisposedException>(() => backend.QueryAsync(new MetadataQuery()));
        File.Delete(_folder.DbPath);
    }

    // The writer leaves checkpoints to SqliteCheckpointer's thread (its own automatic one only at ten times SQLite's
    // threshold): past 1,000 pages in the log, the pages reach the database file without another write or a close.
    [Fact]
    public async Task WriteAsync_PastTheCheckpointThreshold_LogIsCopiedIntoTheDatabaseInTheBackground()
    {
        await using var backend = Open(_folder.Path);
        long initial = new FileInfo(_folder.DbPath).Length;
        var filler = new string('x', 4_000);
        for (int batch = 0; batch < 6; batch++)
        {
            await backend.WriteAsync([.. Enumerable.Range(0, 200).Select(i =>
                Record($"c{batch}-{i}", metadata: new JsonObject { ["filler"] = filler, ["n"] = i }))]);
        }
        // About 4.8 MB of records: 1,200 log pages and more, fewer than the writer's own threshold of 10,000.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (new FileInfo(_folder.DbPath).Length < 4_000_000 && waited.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(20);
        Assert.True(new FileInfo(_folder.DbPath).Length >= 4_000_000,
            $"the database file is {new FileInfo(_folder.DbPath).Length} bytes (from {initial}): the log was not checkpointed");
        Assert.Equal(1_200, await backend.CountAsync());
    }

    [Fact]
    public async Task SizeOnDisk_AfterWrites_CountsDatabaseAndWal()
    {
        await using var backend = Open(_folder.Path);
        long before = backend.SizeOnDisk();
        await backend.WriteAsync([.. Enumerable.Range(0, 200).Select(i => Record($"s{i}"))]);
        long expected = new[] { "", "-wal", "-shm" }.Select(s => new FileInfo(_folder.DbPath + s)).Where(f => f.Exists).Sum(f => f.Length);
        Assert.Equal(expected, backend.SizeOnDisk());
        Assert.True(backend.SizeOnDisk() > before);
    }

    [Fact]
    public async Task MetadataBackends_Create_Sqlite_ReturnsSqliteBackend()
    {
        Assert.True(MetadataBackends.IsRegistered("sqlite"));
        await using var backend = MetadataBackends.Create("SQLite", new BackendContext { StoragePath = _folder.Path });
        Assert.IsType<SqliteMetadataBackend>(backend);
    }

    [Fact]
    public async Task WriteAsync_Cancelled_WritesNothing()
    {
        await using var backend = Open(_folder.Path);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await backend.WriteAsync([Record("c")], cts.Token));
        Assert.Equal(0, await backend.CountAsync());
    }
}
