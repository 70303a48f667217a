using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Ledger;
using Ciaf.Metadata.Tests.Support;
using Ciaf.Metadata.Transfer;
using Ciaf.Metadata.Verification;
using Microsoft.Data.Sqlite;

namespace Ciaf.Metadata.Tests.Ledger;

/// <summary>The ledger on a SQLite store: leaves appended with every write, verify catching what a recomputed hash hides, receipts.</summary>
public sealed class LedgerStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _keyPath;

    public LedgerStoreTests()
    {
        _keyPath = _dir.Combine("ledger_key.pem");
        LedgerKeys.Create(_keyPath).Dispose();
    }

    public void Dispose() => _dir.Dispose();

    private string Store => _dir.Combine("store");

    private MetadataStorage Open(bool ledger = true) => MetadataStorage.Create(b => b.UseSqlite(Store).Configure(o =>
    {
        o.LedgerEnabled = ledger;
        o.LedgerKeyPath = _keyPath;
    }));

    private (List<string> Records, string Event) Fill(MetadataStorage storage, int count = 5)
    {
        var ids = new List<string>();
        for (int i = 0; i < count; i++)
            ids.Add(storage.SaveMetadata("credit_scoring", "training", "model_trained", new { accuracy = 0.9 + i / 100.0, run = i }));
        string ev = storage.AddComplianceEvent(ids[0], "GDPR", 0.95, "passed");
        storage.PlaceLegalHold("credit_scoring", "litigation");
        return (ids, ev);
    }

    private void Sql(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(Store, "ciaf_metadata.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
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
    public void Verify_MetadataEditedWithHashRecomputed_IsCaughtByTheLedger()
    {
        List<string> ids;
        using (var storage = Open()) ids = Fill(storage).Records;
        string forged = "{\"accuracy\": 0.99, \"run\": 1}";
        string hash = PythonJson.HashCanonical(PythonJson.Canonical(PythonJson.Parse(forged)));
        Sql($"UPDATE metadata SET metadata_json = '{forged}', metadata_hash = '{hash}' WHERE id = '{ids[1]}'");

        using var reopened = Open();
        var report = reopened.Verify();
        Assert.Empty(report.OfKind(VerificationIssueKind.HashMismatch)); // the record agrees with itself...
        var issue = Assert.Single(report.OfKind(VerificationIssueKind.LedgerMismatch)); // ...but not with its leaf
        Assert.Equal(ids[1], issue.Id);
        Assert.Contains("leaf 1", issue.Detail);
    }

    [Theory]
    [InlineData("model_name = 'other_model'")]
    [InlineData("stage = 'deployment'")]
    [InlineData("timestamp = '2020-01-01T00:00:00'")]
    public void Verify_FieldChanged_IsCaught(string assignment)
    {
        List<string> ids;
        using (var storage = Open()) ids = Fill(storage).Records;
        Sql($"UPDATE metadata SET {assignment} WHERE id = '{ids[2]}'");
        using var reopened = Open();
        Assert.Equal(ids[2], Assert.Single(reopened.Verify().OfKind(VerificationIssueKind.LedgerMismatch)).Id);
    }

    [Fact]
    public void Verify_RecordDeletedAroundTheLibrary_IsReportedDeleted_AndOneInsertedAroundIt_HasNoLeaf()
    {
        List<string> ids;
        using (var storage = Open()) ids = Fill(storage).Records;
        Sql($"DELETE FROM metadata WHERE id = '{ids[3]}'");
        Sql("INSERT INTO metadata (id, model_name, model_version, stage, event_type, timestamp, metadata_hash, details, metadata_json) "
            + "VALUES ('intruder', 'credit_scoring', '1.0.0', 'training', 'x', '2026-01-01T00:00:00', '44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', NULL, '{}')");
        using var reopened = Open();
        var report = reopened.Verify();
        Assert.Equal(ids[3], Assert.Single(report.OfKind(VerificationIssueKind.LedgerDeleted)).Id);
        Assert.Equal("intruder", Assert.Single(report.OfKind(VerificationIssueKind.LedgerMissingLeaf)).Id);
    }

    [Fact]
    public void Verify_TwoRecordsContentsSwapped_BothCaught()
    {
        List<string> ids;
        using (var storage = Open()) ids = Fill(storage).Records;
        Sql($"""
            CREATE TEMP TABLE old AS SELECT id, metadata_json, metadata_hash FROM metadata WHERE id IN ('{ids[0]}', '{ids[4]}');
            UPDATE metadata SET metadata_json = (SELECT o.metadata_json FROM old o WHERE o.id <> metadata.id),
                                metadata_hash = (SELECT o.metadata_hash FROM old o WHERE o.id <> metadata.id)
            WHERE id IN ('{ids[0]}', '{ids[4]}');
            """);
        using var reopened = Open();
        Assert.Equal([ids[0], ids[4]], reopened.Verify().OfKind(VerificationIssueKind.LedgerMismatch).Select(i => i.Id!).Order());
    }

    [Fact]
    public void Verify_LogTruncatedWithItsRecords_IsCaughtByTheCheckpoint()
    {
        List<string> ids;
        using (var storage = Open())
        {
            ids = Fill(storage).Records;
            storage.Ledger.Checkpoint();
        }
        // Remove the last record and the tail of the log with it (seq 4 onwards): the records left match their leaves.
        Sql($"DELETE FROM metadata WHERE id = '{ids[4]}'");
        Sql("DELETE FROM compliance_events");
        Sql("DELETE FROM ciaf_state WHERE scope = 'legal_holds'");
        Sql("DELETE FROM ciaf_ledger WHERE seq >= 4");
        using var reopened = Open();
        var issue = Assert.Single(reopened.Verify().OfKind(VerificationIssueKind.LedgerCheckpoint));
        Assert.Contains("truncated", issue.Detail);
    }

    [Fact]
    public void Verify_WholeLogRebuiltAndResigned_FailsAgainstAnOlderWitnessedCheckpoint()
    {
        string witnessed;
        List<string> ids;
        using (var storage = Open())
        {
            ids = Fill(storage).Records;
            witnessed = storage.Ledger.Checkpoint().Text;
        }
        // The attacker rewrites a record and rebuilds the log from scratch with the leaves it wants, signing with a new key.
        string forged = "{\"accuracy\": 0.5, \"run\": 0}";
        Sql($"UPDATE metadata SET metadata_json = '{forged}', metadata_hash = '{PythonJson.HashCanonical(PythonJson.Canonical(PythonJson.Parse(forged)))}' WHERE id = '{ids[0]}'");
        Sql("DELETE FROM ciaf_ledger; DELETE FROM ciaf_ledger_nodes; DELETE FROM ciaf_ledger_checkpoints; DELETE FROM ciaf_state WHERE scope = 'ledger'");
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
    public void Cleanup_LeavesTombstones_AndVerifyStaysClean()
    {
        using var storage = Open();
        var (ids, _) = Fill(storage);
        storage.ReleaseLegalHold("credit_scoring");
        Sql("UPDATE metadata SET timestamp = '2000-01-01T00:00:00'");
        Sql("UPDATE compliance_events SET timestamp = '2000-01-01T00:00:00'");
        // The direct SQL edit changed what the leaves hold; re-save nothing, but clean up: the records go with tombstones.
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

        Assert.Equal(ids.Count + 1 + 1 + 1, reopened.Ledger.Init()); // records + the new one + event + hold
        var after = reopened.Verify();
        Assert.True(after.IsValid, string.Join("\n", after.Issues.Select(i => i.Detail)));
        Assert.Equal(LedgerVerificationState.Active, after.Ledger.State);
        Assert.Contains("\"kind\":\"adopted\"", reopened.Ledger.Prove(ids[0]).Leaf);
        Assert.Equal(0, reopened.Ledger.Init()); // everything has a leaf now
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
}
