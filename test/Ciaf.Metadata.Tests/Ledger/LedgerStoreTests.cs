using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Ledger;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;
using Ciaf.Metadata.Transfer;
using Ciaf.Metadata.Verification;
using Microsoft.Data.Sqlite;

namespace Ciaf.Metadata.Tests.Ledger;

/// <summary>
/// The ledger on a store, per backend: leaves appended with every write, verify catching what a recomputed hash hides,
/// receipts. Each backend says how to tamper with its store around the library.
/// </summary>
public abstract class LedgerStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _keyPath;

    protected LedgerStoreTests()
    {
        _keyPath = _dir.Combine("ledger_key.pem");
        LedgerKeys.Create(_keyPath).Dispose();
    }

    public void Dispose()
    {
        _dir.Dispose();
        GC.SuppressFinalize(this);
    }

    protected string Store => _dir.Combine("store");

    /// <summary>The backend under test, over <paramref name="path"/>.</summary>
    protected abstract MetadataStorageBuilder Use(MetadataStorageBuilder builder, string path);

    /// <summary>Replaces a record's metadata with <paramref name="metadataJson"/> and its metadata_hash with the matching one.</summary>
    protected abstract Task ForgeMetadataAsync(string id, string metadataJson);

    /// <summary>Sets one stored field (model_name, stage, timestamp) of a record.</summary>
    protected abstract Task SetFieldAsync(string id, string field, string value);

    /// <summary>Deletes a record, and adds one with id "intruder" (metadata {}), both around the library.</summary>
    protected abstract Task DeleteAndInsertIntruderAsync(string deleteId);

    /// <summary>Swaps two records' metadata and metadata_hash.</summary>
    protected abstract Task SwapContentsAsync(string a, string b);

    /// <summary>Removes a record, every compliance event and legal hold, and the log's leaves from <paramref name="keep"/> on.</summary>
    protected abstract Task TruncateAsync(string recordId, int keep);

    /// <summary>Removes the whole log: leaves, subtrees, checkpoints and its genesis.</summary>
    protected abstract Task WipeLedgerAsync();

    /// <summary>Sets every record's and compliance event's timestamp to 2000-01-01, while the store is open.</summary>
    protected abstract Task AgeEverythingAsync();

    /// <summary>Changes audit entry <paramref name="editId"/>'s user to "mallory" and removes entry <paramref name="removeId"/>, around the library.</summary>
    protected abstract Task RewriteAuditAsync(string editId, string removeId);

    protected MetadataStorage Open(bool ledger = true, bool audit = false, WriteMode mode = WriteMode.Immediate) => MetadataStorage.Create(b => Use(b, Store).Configure(o =>
    {
        o.WriteMode = mode;
        o.LedgerEnabled = ledger;
        o.LedgerKeyPath = _keyPath;
        o.AuditAllAccess = audit;
    }));

    protected static string HashOf(string metadataJson) => PythonJson.HashCanonical(PythonJson.Canonical(PythonJson.Parse(metadataJson)));

    protected static (List<string> Records, string Event) Fill(MetadataStorage storage, int count = 5)
    {
        var ids = new List<string>();
        for (int i = 0; i < count; i++)
            ids.Add(storage.SaveMetadata("credit_scoring", "training", "model_trained", new { accuracy = 0.9 + i / 100.0, run = i }));
        string ev = storage.AddComplianceEvent(ids[0], "GDPR", 0.95, "passed");
        storage.PlaceLegalHold("credit_scoring", "litigation");
        return (ids, ev);
    }

    [Fact]
    public void Verify_NewStore_EveryWriteHasALeafAndTheLogChecksOut()
    {
        using var storage = Open();
        Fill(storage);
        var report = storage.Verify();
        Assert.True(report.IsValid, string.Join("\n", report.Issues.Select(i => i.Detail)));
        Assert.Equal(LedgerVerificationState.Active, report.Ledger.State);
        Assert.Equal(8, report.Ledger.Size); // five records, one event, one hold and the hold's audit entry
    }

    [Fact]
    public async Task Verify_MetadataEditedWithHashRecomputed_IsCaughtByTheLedger()
    {
        List<string> ids;
        using (var storage = Open()) ids = Fill(storage).Records;
        await ForgeMetadataAsync(ids[1], "{\"accuracy\": 0.99, \"run\": 1}");

        using var reopened = Open();
        var report = reopened.Verify();
        Assert.Empty(report.OfKind(VerificationIssueKind.HashMismatch)); // the record agrees with itself...
        var issue = Assert.Single(report.OfKind(VerificationIssueKind.LedgerMismatch)); // ...but not with its leaf
        Assert.Equal(ids[1], issue.Id);
        Assert.Contains("leaf 1", issue.Detail);
    }

    [Theory]
    [InlineData("model_name", "other_model")]
    [InlineData("stage", "deployment")]
    [InlineData("timestamp", "2020-01-01T00:00:00")]
    public async Task Verify_FieldChanged_IsCaught(string field, string value)
    {
        List<string> ids;
        using (var storage = Open()) ids = Fill(storage).Records;
        await SetFieldAsync(ids[2], field, value);
        using var reopened = Open();
        Assert.Equal(ids[2], Assert.Single(reopened.Verify().OfKind(VerificationIssueKind.LedgerMismatch)).Id);
    }

    [Fact]
    public async Task Verify_RecordDeletedAroundTheLibrary_IsReportedDeleted_AndOneInsertedAroundIt_HasNoLeaf()
    {
        List<string> ids;
        using (var storage = Open()) ids = Fill(storage).Records;
        await DeleteAndInsertIntruderAsync(ids[3]);
        using var reopened = Open();
        var report = reopened.Verify();
        Assert.Equal(ids[3], Assert.Single(report.OfKind(VerificationIssueKind.LedgerDeleted)).Id);
        Assert.Equal("intruder", Assert.Single(report.OfKind(VerificationIssueKind.LedgerMissingLeaf)).Id);
    }

    [Fact]
    public async Task Verify_TwoRecordsContentsSwapped_BothCaught()
    {
        List<string> ids;
        using (var storage = Open()) ids = Fill(storage).Records;
        await SwapContentsAsync(ids[0], ids[4]);
        using var reopened = Open();
        Assert.Equal([ids[0], ids[4]], reopened.Verify().OfKind(VerificationIssueKind.LedgerMismatch).Select(i => i.Id!).Order());
    }

    [Fact]
    public async Task Verify_LogTruncatedWithItsRecords_IsCaughtByTheCheckpoint()
    {
        List<string> ids;
        using (var storage = Open())
        {
            ids = Fill(storage).Records;
            storage.Ledger.Checkpoint();
        }
        // Remove the last record and the tail of the log with it (seq 4 onwards): the records left match their leaves.
        await TruncateAsync(ids[4], keep: 4);
        using var reopened = Open();
        var issue = Assert.Single(reopened.Verify().OfKind(VerificationIssueKind.LedgerCheckpoint));
        Assert.Contains("truncated", issue.Detail);
    }

    [Fact]
    public async Task Verify_WholeLogRebuiltAndResigned_FailsAgainstAnOlderWitnessedCheckpoint()
    {
        string witnessed;
        List<string> ids;
        using (var storage = Open())
        {
            ids = Fill(storage).Records;
            witnessed = storage.Ledger.Checkpoint().Text;
        }
        // The attacker rewrites a record and rebuilds the log from scratch with the leaves it wants, signing with a new key.
        await ForgeMetadataAsync(ids[0], "{\"accuracy\": 0.5, \"run\": 0}");
        await WipeLedgerAsync();
        File.Delete(_keyPath);
        LedgerKeys.Create(_keyPath).Dispose();
        using (var storage = Open())
        {
            storage.Ledger.Init();
            storage.Ledger.Checkpoint();
            Assert.True(storage.Verify().IsValid); // the rebuilt store agrees with itself and its new key
        }
        using var reopened = Open();
        var report = reopened.Verify(new VerifyOptions { Checkpoints = [(witnessed, "witness/checkpoint.txt")] });
        var issues = report.OfKind(VerificationIssueKind.LedgerCheckpoint);
        Assert.Contains(issues, i => i.Detail.Contains("witness/checkpoint.txt") && i.Detail.Contains("not signed by the ledger's key"));
        // The rebuilt log is shorter (the audit entry was not adopted) or differs: either way it no longer extends the witnessed one.
        Assert.Contains(issues, i => i.Detail.Contains("witness/checkpoint.txt") && (i.Detail.Contains("rewritten") || i.Detail.Contains("truncated")));
    }

    [Fact]
    public async Task Verify_AuditEntryEditedOrRemovedAroundTheLibrary_IsCaught()
    {
        List<AuditEntry> trail;
        using (var storage = Open(audit: true))
        {
            var (ids, _) = Fill(storage);
            storage.GetMetadata(ids[1]);
            trail = [.. storage.GetAuditTrail(new AuditQuery { Order = RecordOrder.OldestFirst })];
            Assert.True(storage.Verify().IsValid); // every entry matches its leaf, the verifier's own reads included
        }
        await RewriteAuditAsync(trail[0].Id, trail[1].Id);

        using var reopened = Open();
        var report = reopened.Verify();

        Assert.Contains(report.OfKind(VerificationIssueKind.LedgerMismatch), i => i.Id == trail[0].Id && i.Detail.Contains("audit entry"));
        Assert.Contains(report.OfKind(VerificationIssueKind.LedgerDeleted), i => i.Id == trail[1].Id && i.Detail.Contains("the audit entry"));
    }

    [Fact]
    public async Task Cleanup_LeavesTombstones_AndVerifyStaysClean()
    {
        using var storage = Open();
        var (ids, _) = Fill(storage);
        storage.ReleaseLegalHold("credit_scoring");
        await AgeEverythingAsync();
        // The direct edit changed what the leaves hold; re-save nothing, but clean up: the records go with tombstones.
        Assert.True(storage.CleanupOldMetadata(daysOld: 30) >= ids.Count);
        var report = storage.Verify();
        Assert.Empty(report.OfKind(VerificationIssueKind.LedgerDeleted));
        Assert.Empty(report.OfKind(VerificationIssueKind.LedgerMissingLeaf));
    }

    [Fact]
    public void Prove_Receipt_VerifiesOffline_AndATamperedLeafFails()
    {
        using var storage = Open();
        var (ids, ev) = Fill(storage);
        using var publicKey = LedgerKeys.LoadPublic(LedgerKeys.PublicPem(LedgerKeys.LoadPrivate(_keyPath)));

        var receipt = storage.Ledger.Prove(ids[2]);
        Assert.Equal(2, receipt.LeafIndex);
        var parsed = LedgerReceipt.Parse(receipt.ToJson());
        Assert.True(parsed.Verify(publicKey, ids[2]).IsValid);
        Assert.True(storage.Ledger.Prove(ev).Verify(publicKey, ev).IsValid);

        var forged = parsed with { Leaf = parsed.Leaf.Replace(ids[2], ids[3]) };
        Assert.False(forged.Verify(publicKey, ids[3]).IsValid);
        Assert.False(parsed.Verify(publicKey, ids[3]).IsValid); // the leaf names another id
    }

    [Fact]
    public void Consistency_BetweenTwoSizes_Verifies()
    {
        using var storage = Open();
        Fill(storage, 20);
        var proof = storage.Ledger.Consistency(5);
        Assert.Equal(23, proof.Second); // twenty records, an event, a hold, its audit entry
        Assert.True(proof.Verify());
        Assert.Throws<ArgumentOutOfRangeException>(() => storage.Ledger.Consistency(0));
    }

    [Fact]
    public void Init_StoreWrittenWithoutTheLedger_IsNotInitializedUntilAdopted()
    {
        List<string> ids;
        using (var storage = Open(ledger: false)) ids = Fill(storage).Records;
        using var reopened = Open();
        var before = reopened.Verify();
        Assert.True(before.IsValid);
        Assert.Equal(LedgerVerificationState.NotInitialized, before.Ledger.State);
        reopened.SaveMetadata("credit_scoring", "validation", "validated", new { auc = 0.8 }); // nothing appended yet

        Assert.Equal(ids.Count + 1 + 1 + 1 + 1, reopened.Ledger.Init()); // records + the new one + event + hold + the hold's audit entry
        var after = reopened.Verify();
        Assert.True(after.IsValid, string.Join("\n", after.Issues.Select(i => i.Detail)));
        Assert.Equal(LedgerVerificationState.Active, after.Ledger.State);
        Assert.Contains("\"kind\":\"adopted\"", reopened.Ledger.Prove(ids[0]).Leaf);
        Assert.Equal(0, reopened.Ledger.Init()); // everything has a leaf now
    }

    private MetadataStorage OpenTarget(string keyPath) => MetadataStorage.Create(b => b.UseSqlite(_dir.Combine("target")).Configure(o =>
    {
        o.StoragePath = _dir.Combine("target");
        o.LedgerKeyPath = keyPath;
    }));

    [Fact]
    public void MigrateTo_CarriesTheLog_TheTargetExtendsTheSourcesCheckpointAndVerifies()
    {
        string targetKey = _dir.Combine("target_key.pem");
        LedgerKeys.Create(targetKey).Dispose();
        using var source = Open();
        var (ids, ev) = Fill(source);
        var checkpoint = source.Ledger.Checkpoint();
        long size = source.Ledger.Status().Size;
        using var target = OpenTarget(targetKey);

        var report = source.MigrateTo(target);

        Assert.Equal(size, report.LedgerLeavesCarried);
        Assert.Equal(1, report.LedgerCheckpointsCarried);
        Assert.Null(report.LedgerNotCarried);
        // The target's log starts with the source's: the source's signed root is a prefix of the target's tree.
        var consistency = target.Ledger.Consistency(checkpoint.TreeSize);
        Assert.Equal(Convert.ToHexStringLower(checkpoint.RootHash), consistency.FirstRoot);
        Assert.True(consistency.Verify());
        Assert.True(consistency.Second > size); // the copies' own leaves follow
        // Both keys trusted: the kept source checkpoint, the target's own and the given one all check out.
        target.Ledger.Checkpoint();
        var both = target.Verify(new VerifyOptions { PublicKeyPems = [_keyPath, targetKey], Checkpoints = [(checkpoint.Text, "source.txt")] });
        Assert.True(both.IsValid, string.Join("\n", both.Issues.Select(i => i.Detail)));
        Assert.Equal(3, both.Ledger.CheckpointsChecked);
        // Only the target's key: the source's checkpoint is named as signed by another key.
        var own = target.Verify();
        Assert.Contains(own.OfKind(VerificationIssueKind.LedgerCheckpoint), i => i.Detail.Contains($"kept checkpoint at size {size} is not signed by the ledger's key"));
        // Receipts from the target are signed with its own key, for records and events alike.
        using var targetPublic = LedgerKeys.LoadPublic(targetKey);
        Assert.True(target.Ledger.Prove(ids[1]).Verify(targetPublic, ids[1]).IsValid);
        Assert.True(target.Ledger.Prove(ev).Verify(targetPublic, ev).IsValid);
        // Run again (as after an interruption): nothing is carried twice and it still checks out.
        var again = source.MigrateTo(target);
        Assert.Equal(size, again.LedgerLeavesCarried);
        Assert.True(target.Verify(new VerifyOptions { PublicKeyPems = [_keyPath, targetKey] }).IsValid);
    }

    [Fact]
    public async Task MigrateTo_TargetHoldingPartOfTheLog_CompletesIt_OneHoldingItsOwn_IsToldWhy()
    {
        using var source = Open();
        Fill(source);
        long size = source.Ledger.Status().Size;
        var sourceLedger = (ILedgerBackend)source.Core.Backend;
        var firstThree = await sourceLedger.ReadLedgerAsync(r => r.Leaves(0, 3).ToList());
        using (var target = OpenTarget(_keyPath))
        {
            var targetLedger = (ILedgerBackend)target.Core.Backend;
            await targetLedger.CarryAsync(firstThree); // an interrupted migration
            // Leaves that do not continue the log are refused whole.
            var later = await sourceLedger.ReadLedgerAsync(r => r.Leaves(4, 6).ToList());
            var refused = await Assert.ThrowsAsync<InvalidOperationException>(async () => await targetLedger.CarryAsync(later));
            Assert.Contains("leaf 4 would have become leaf 3", refused.Message);
            Assert.Equal(3, target.Ledger.Status().Size);

            var report = source.MigrateTo(target);
            Assert.Equal(size, report.LedgerLeavesCarried);
            Assert.True(target.Verify().IsValid);
        }
        Directory.Delete(_dir.Combine("target"), recursive: true);
        using (var other = OpenTarget(_keyPath))
        {
            other.SaveMetadata("other_model", "training", "trained", new { a = 1 });
            var report = source.MigrateTo(other);
            Assert.Equal(0, report.LedgerLeavesCarried);
            Assert.Contains("already holds 1 leaves of its own", report.LedgerNotCarried);
            Assert.True(other.Verify().IsValid); // the copies were logged as the target's own writes
        }
    }

    [Fact]
    public async Task Leaf_IsSortedCompactAscii_AsPythonWritesIt()
    {
        using var storage = Open();
        // Separators inside strings and escapes must survive the canonical → minimal rewrite the save path does.
        string id = storage.SaveMetadata("modèle", "training", "trained",
            new { note = "café, a: b \", c: d\\", nested = new { z = 1.5, a = new[] { 1, 2 } }, empty = new { } }, details: "x, y: z");
        string leaf = storage.Ledger.Prove(id).Leaf;
        Assert.Matches("^\\{\"content_sha256\":\"[0-9a-f]{64}\",\"id\":\"[^\"]+\",\"kind\":\"record\",\"seq\":0,\"timestamp\":\"[^\"]+\"\\}$", leaf);
        var stored = (await storage.Core.GetStoredAsync(id, default))!;
        string content = PythonJson.Serialize(RecordJson.ToJsonObject(stored), PythonJsonStyle.SortedMinimal);
        Assert.Contains("\"model_name\":\"mod\\u00e8le\"", content);
        Assert.Contains(PythonJson.HashCanonical(content), leaf);
    }

    [Fact]
    public async Task Leaf_OfALargeBufferedRecord_HashedOnTheWriter_IsTheStoredRecordsContentHash()
    {
        // Past StoreCore.HashOnWriterBytes the save hands the canonical text to the background writer, which hashes it
        // there: the leaf must still hold the hash of the record as stored, and one of ordinary size beside it too.
        var curve = Enumerable.Range(0, 2_000).Select(p => new { tpr = p / 2_000.0, fpr = 1 - p / 3_000.0, note = "a, b: \"c\"" }).ToArray();
        string large, small;
        using (var storage = Open(mode: WriteMode.Buffered))
        {
            large = storage.SaveMetadata("credit_scoring", "validation", "roc", new { roc = curve, label = "précision" }, details: "x, y: z");
            small = storage.SaveMetadata("credit_scoring", "validation", "roc", new { auc = 0.91 });
            storage.Flush();
        }
        using var reopened = Open();
        foreach (string id in new[] { large, small })
        {
            var stored = (await reopened.Core.GetStoredAsync(id, default))!;
            string content = PythonJson.Serialize(RecordJson.ToJsonObject(stored), PythonJsonStyle.SortedMinimal);
            Assert.Contains($"\"content_sha256\":\"{PythonJson.HashCanonical(content)}\"", reopened.Ledger.Prove(id).Leaf);
        }
        Assert.True(PythonJson.Canonical(reopened.GetMetadata(large)!.Metadata).Length > StoreCore.HashOnWriterBytes);
        var report = reopened.Verify();
        Assert.True(report.IsValid, string.Join("\n", report.Issues.Select(i => i.Detail)));
    }

    [Fact]
    public async Task Leaf_OfABufferedCapture_ConvertedOnTheWriter_IsTheStoredRecordsContentHash()
    {
        // A buffered store leaves a capture's conversion (text, hashes, the leaf's content hash) to its writer: the leaf must
        // hold the hash of the record as stored, and the record read before the writer ran must be the one stored.
        var ids = new List<string>();
        var pending = new List<MetadataRecord>();
        using (var storage = Open(mode: WriteMode.Buffered))
        {
            for (int i = 0; i < 3; i++)
            {
                using (var capture = new Ciaf.Metadata.Capture.MetadataCapture("credit_scoring", "training", "trained", storage, details: "x, y: z"))
                {
                    capture.UpdateMetadata(new { run = i, curve = new[] { new { tpr = 0.5, label = "précision" } }, losses = new List<double> { 0.5, 1.25 } });
                    capture.AddMetadata("accuracy", 0.875);
                }
            }
            foreach (var record in storage.GetModelMetadata("credit_scoring", "training", limit: null))
            {
                ids.Add(record.Id);
                pending.Add(record);
            }
            storage.Flush();
        }
        using var reopened = Open();
        Assert.Equal(3, ids.Count);
        for (int i = 0; i < ids.Count; i++)
        {
            var stored = (await reopened.Core.GetStoredAsync(ids[i], default))!;
            Assert.Equal(pending[i].MetadataHash, stored.MetadataHash);
            Assert.Equal(PythonJson.Serialize(pending[i].Metadata, PythonJsonStyle.Compact), PythonJson.Serialize(stored.Metadata, PythonJsonStyle.Compact));
            string content = PythonJson.Serialize(RecordJson.ToJsonObject(stored), PythonJsonStyle.SortedMinimal);
            Assert.Contains($"\"content_sha256\":\"{PythonJson.HashCanonical(content)}\"", reopened.Ledger.Prove(ids[i]).Leaf);
        }
        var report = reopened.Verify();
        Assert.True(report.IsValid, string.Join("\n", report.Issues.Select(i => i.Detail)));
    }
}

/// <summary>The ledger tests on SQLite, tampering with SQL.</summary>
public sealed class SqliteLedgerStoreTests : LedgerStoreTests
{
    protected override MetadataStorageBuilder Use(MetadataStorageBuilder builder, string path) => builder.UseSqlite(path);

    protected override Task ForgeMetadataAsync(string id, string metadataJson) =>
        Sql($"UPDATE metadata SET metadata_json = '{metadataJson}', metadata_hash = '{HashOf(metadataJson)}' WHERE id = '{id}'");

    protected override Task SetFieldAsync(string id, string field, string value) => Sql($"UPDATE metadata SET {field} = '{value}' WHERE id = '{id}'");

    protected override async Task DeleteAndInsertIntruderAsync(string deleteId)
    {
        await Sql($"DELETE FROM metadata WHERE id = '{deleteId}'");
        await Sql("INSERT INTO metadata (id, model_name, model_version, stage, event_type, timestamp, metadata_hash, details, metadata_json) "
            + "VALUES ('intruder', 'credit_scoring', '1.0.0', 'training', 'x', '2026-01-01T00:00:00', '44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', NULL, '{}')");
    }

    protected override Task SwapContentsAsync(string a, string b) => Sql($"""
        CREATE TEMP TABLE old AS SELECT id, metadata_json, metadata_hash FROM metadata WHERE id IN ('{a}', '{b}');
        UPDATE metadata SET metadata_json = (SELECT o.metadata_json FROM old o WHERE o.id <> metadata.id),
                            metadata_hash = (SELECT o.metadata_hash FROM old o WHERE o.id <> metadata.id)
        WHERE id IN ('{a}', '{b}');
        """);

    protected override Task TruncateAsync(string recordId, int keep) => Sql($"""
        DELETE FROM metadata WHERE id = '{recordId}';
        DELETE FROM compliance_events;
        DELETE FROM ciaf_state WHERE scope = 'legal_holds';
        DELETE FROM ciaf_ledger WHERE seq >= {keep};
        """);

    protected override Task WipeLedgerAsync() =>
        Sql("DELETE FROM ciaf_ledger; DELETE FROM ciaf_ledger_nodes; DELETE FROM ciaf_ledger_checkpoints; DELETE FROM ciaf_state WHERE scope = 'ledger'");

    protected override Task AgeEverythingAsync() =>
        Sql("UPDATE metadata SET timestamp = '2000-01-01T00:00:00'; UPDATE compliance_events SET timestamp = '2000-01-01T00:00:00'");

    protected override Task RewriteAuditAsync(string editId, string removeId) =>
        Sql($"UPDATE audit_trail SET user_id = 'mallory' WHERE id = '{editId}'; DELETE FROM audit_trail WHERE id = '{removeId}'");

    private Task Sql(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(Store, "ciaf_metadata.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
        return Task.CompletedTask;
    }
}
