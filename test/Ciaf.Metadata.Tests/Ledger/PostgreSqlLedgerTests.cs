using System.Text.Json.Nodes;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Ledger;
using Ciaf.Metadata.PostgreSql;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Backends;
using Ciaf.Metadata.Tests.Backends.PostgreSql;
using Ciaf.Metadata.Tests.Support;
using Ciaf.Metadata.Transfer;
using Ciaf.Metadata.Verification;
using Npgsql;

namespace Ciaf.Metadata.Tests.Ledger;

/// <summary>The ledger on PostgreSQL: leaves in the write's transaction, tampering caught, receipts, several writers, adoption.</summary>
[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlLedgerTests : IDisposable
{
    private readonly PostgreSqlServer _server;
    private readonly TempDirectory _dir = new();
    private readonly string _connectionString;
    private readonly string _schema;
    private readonly string _keyPath;

    public PostgreSqlLedgerTests(PostgreSqlServer server)
    {
        _server = server;
        _connectionString = server.NewSchemaConnectionString("ledger");
        _schema = new NpgsqlConnectionStringBuilder(_connectionString).SearchPath!;
        _keyPath = _dir.Combine("ledger_key.pem");
        LedgerKeys.Create(_keyPath).Dispose();
    }

    public void Dispose() => _dir.Dispose();

    private MetadataStorage Open(bool ledger = true, WriteMode mode = WriteMode.Immediate) => MetadataStorage.Create(b => b
        .UsePostgreSql(_connectionString)
        .Configure(o =>
        {
            o.StoragePath = _dir.Path;
            o.LedgerEnabled = ledger;
            o.LedgerKeyPath = _keyPath;
            o.WriteMode = mode;
        }));

    private void Sql(string sql)
    {
        using var connection = _server.OpenConnection(_connectionString);
        using var command = new NpgsqlCommand(sql.Replace("{s}", $"\"{_schema}\""), connection);
        command.ExecuteNonQuery();
    }

    private object? Scalar(string sql)
    {
        using var connection = _server.OpenConnection(_connectionString);
        using var command = new NpgsqlCommand(sql.Replace("{s}", $"\"{_schema}\""), connection);
        return command.ExecuteScalar();
    }

    private static List<string> Fill(MetadataStorage storage, int count = 5)
    {
        var ids = new List<string>();
        for (int i = 0; i < count; i++) ids.Add(storage.SaveMetadata("credit_scoring", "training", "trained", new { accuracy = 0.9 + i / 100.0, run = i }));
        storage.SaveMetadataBatch([.. Enumerable.Range(0, 3).Select(i => new MetadataEntry("credit_scoring", "inference", "batch", new { batch = i }))]);
        storage.AddComplianceEvent(ids[0], "GDPR", 0.95, "passed");
        storage.PlaceLegalHold("credit_scoring", "litigation");
        return ids;
    }

    [Fact]
    public void Verify_EveryWriteHasALeaf_AndAnEditWithRecomputedHashIsCaught()
    {
        List<string> ids;
        using (var storage = Open())
        {
            ids = Fill(storage);
            var clean = storage.Verify();
            Assert.True(clean.IsValid, string.Join("\n", clean.Issues.Select(i => i.Detail)));
            Assert.Equal(LedgerVerificationState.Active, clean.Ledger.State);
            Assert.True(clean.Ledger.Size >= 10); // 8 records, an event, a hold (and its audit entry)
        }
        string forged = "{\"accuracy\": 0.99, \"run\": 1}";
        string hash = PythonJson.Hash(PythonJson.Parse(forged));
        Sql($"UPDATE {{s}}.metadata SET metadata = '{forged}'::jsonb, metadata_text = '{forged}', metadata_hash = '{hash}' WHERE id = '{ids[1]}'");
        Sql($"DELETE FROM {{s}}.metadata WHERE id = '{ids[2]}'");
        using var reopened = Open();
        var report = reopened.Verify();
        Assert.Empty(report.OfKind(VerificationIssueKind.HashMismatch));
        Assert.Equal(ids[1], Assert.Single(report.OfKind(VerificationIssueKind.LedgerMismatch)).Id);
        Assert.Equal(ids[2], Assert.Single(report.OfKind(VerificationIssueKind.LedgerDeleted)).Id);
    }

    [Fact]
    public async Task Prove_ReceiptVerifiesOffline_AndCleanupLeavesTombstones()
    {
        await using var storage = Open();
        var ids = Fill(storage);
        using var publicKey = LedgerKeys.LoadPublic(LedgerKeys.PublicPem(LedgerKeys.LoadPrivate(_keyPath)));
        var receipt = await storage.Ledger.ProveAsync(ids[3]);
        Assert.True(LedgerReceipt.Parse(receipt.ToJson()).Verify(publicKey, ids[3]).IsValid);

        await storage.ReleaseLegalHoldAsync("credit_scoring");
        Sql("UPDATE {s}.metadata SET timestamp = '2000-01-01', timestamp_text = '2000-01-01T00:00:00'");
        Sql("UPDATE {s}.compliance_events SET timestamp = '2000-01-01', timestamp_text = '2000-01-01T00:00:00'");
        Assert.True(await storage.CleanupOldMetadataAsync(daysOld: 30) >= 8);
        var report = await storage.VerifyAsync();
        Assert.Empty(report.OfKind(VerificationIssueKind.LedgerDeleted));
        Assert.True((await storage.Ledger.ConsistencyAsync(3)).Verify());
    }

    [Fact]
    public async Task WriteBatch_ResentAndWithARepeatedId_OneRowPerId_ALeafPerRecordSent_Verifies()
    {
        // A batch's merge goes with the ledger's lock and size in one round trip, its leaves in the next, all in one
        // transaction: a resent batch (its acknowledgement lost) replaces its rows and appends its leaves again; within
        // a batch the last of an id wins, and its leaf is the latest, so verify agrees with the row.
        var t0 = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var batch = Enumerable.Range(0, 40).Select(i => SqliteTestData.Record($"b{i:D3}", timestamp: t0.AddSeconds(i))).ToList();
        var first = SqliteTestData.Record("dup", metadata: new JsonObject { ["v"] = 1 });
        var last = SqliteTestData.Record("dup", metadata: new JsonObject { ["v"] = 2 });
        await using (var backend = new PostgreSqlMetadataBackend(new BackendContext { StoragePath = _dir.Path, ConnectionString = _connectionString }))
        {
            await backend.WriteAsync(batch);
            await backend.WriteAsync(batch);
            await backend.WriteAsync([first, SqliteTestData.Record("other"), last]);
            Assert.Equal(42, await backend.CountAsync());
            Assert.Equal(2, (await backend.GetAsync("dup"))!.Metadata["v"]!.GetValue<int>());
        }
        Assert.Equal(83L, Scalar("SELECT count(*) FROM {s}.ciaf_ledger"));
        Assert.Equal(2L, Scalar("SELECT count(*) FROM {s}.ciaf_ledger WHERE item_id = 'dup'"));

        await using var storage = Open();
        var report = await storage.VerifyAsync();
        Assert.True(report.IsValid, string.Join("\n", report.Issues.Select(i => i.Detail)));
        Assert.Equal(83, report.Ledger.Size);
    }

    [Fact]
    public async Task Buffered_OverlappingBatches_EveryRecordOnce_OneLeafEach_Verifies()
    {
        // One buffered store saving faster than it writes: the writer starts each group of batches while the one before
        // is still being written (each in its own transaction, a COPY straight into the table), so their leaves take
        // the ledger's lock in turn.
        var storage = Open(mode: WriteMode.Buffered);
        var ids = new List<string>();
        for (int i = 0; i < 3000; i++) ids.Add(storage.SaveMetadata("m", "training", "e", new Dictionary<string, object?> { ["i"] = i }));
        await storage.DisposeAsync();

        Assert.Equal(3000L, Scalar("SELECT count(*) FROM {s}.metadata"));
        Assert.Equal(3000L, Scalar("SELECT count(DISTINCT item_id) FROM {s}.ciaf_ledger"));
        await using var reopened = Open();
        var report = await reopened.VerifyAsync();
        Assert.True(report.IsValid, string.Join("\n", report.Issues.Select(i => i.Detail)));
        Assert.Equal(3000, report.Ledger.Size);
        Assert.Equal(1499, (await reopened.GetMetadataAsync(ids[1499]))!.Metadata["i"]!.GetValue<int>());
    }

    [Fact]
    public async Task Append_ManyWritersAtOnce_OneLogWithEveryLeafOnce()
    {
        // Four stores (as four server instances would be) writing buffered batches concurrently to one schema.
        var stores = Enumerable.Range(0, 4).Select(_ => Open(mode: WriteMode.Buffered)).ToList();
        var ids = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Task.WhenAll(stores.SelectMany(s => Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (int i = 0; i < 50; i++) ids.Add(s.SaveMetadata("m", "training", "e", new { t, i }));
        }))));
        foreach (var s in stores) await s.DisposeAsync();

        await using var storage = Open();
        var report = await storage.VerifyAsync();
        Assert.True(report.IsValid, string.Join("\n", report.Issues.Select(i => i.Detail)));
        Assert.Equal(ids.Count, report.Ledger.Size);
    }

    [Fact]
    public async Task Init_StoreWrittenWithoutTheLedger_IsAdopted()
    {
        await using (var storage = Open(ledger: false)) Fill(storage);
        await using var reopened = Open();
        Assert.Equal(LedgerVerificationState.NotInitialized, (await reopened.VerifyAsync()).Ledger.State);
        Assert.True(await reopened.Ledger.InitAsync() >= 10);
        var report = await reopened.VerifyAsync();
        Assert.True(report.IsValid, string.Join("\n", report.Issues.Select(i => i.Detail)));
        Assert.Equal(0, await reopened.Ledger.InitAsync());
    }

    [Fact]
    public void MigrateTo_SqliteToPostgreSqlAndBack_CarriesTheLog_BothVerifyAgainstTheFirstCheckpoint()
    {
        using var sqlite = MetadataStorage.Create(b => b.UseSqlite(_dir.Combine("sqlite")).Configure(o => o.LedgerKeyPath = _keyPath));
        Fill(sqlite);
        var checkpoint = sqlite.Ledger.Checkpoint();
        using var postgres = Open();

        var report = sqlite.MigrateTo(postgres);
        Assert.Equal(checkpoint.TreeSize, report.LedgerLeavesCarried);
        Assert.True(postgres.Verify(new VerifyOptions { Checkpoints = [(checkpoint.Text, "sqlite.txt")] }).IsValid);

        using var back = MetadataStorage.Create(b => b.UseSqlite(_dir.Combine("back")).Configure(o => o.LedgerKeyPath = _keyPath));
        var returned = postgres.MigrateTo(back);
        Assert.Equal(postgres.Ledger.Status().Size, returned.LedgerLeavesCarried);
        var verified = back.Verify(new VerifyOptions { Checkpoints = [(checkpoint.Text, "sqlite.txt")] });
        Assert.True(verified.IsValid, string.Join("\n", verified.Issues.Select(i => i.Detail)));
        Assert.True(back.Ledger.Consistency(checkpoint.TreeSize).Verify());
    }
}
