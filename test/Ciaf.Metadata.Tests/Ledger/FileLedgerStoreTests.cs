using System.IO.Compression;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Backends.Files;
using Ciaf.Metadata.Backends.Json;
using Ciaf.Metadata.Backends.Pickle;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Ledger;
using Ciaf.Metadata.Tests.Support;
using Ciaf.Metadata.Verification;

namespace Ciaf.Metadata.Tests.Ledger;

/// <summary>
/// The ledger tests on a file store (<c>&lt;root&gt;/ledger/</c>), tampering by rewriting files with a backend that keeps
/// no ledger (what any program writing the files directly does); plus what only file stores need: crash recovery of
/// the intent file, the Python reference's stores and the backup carrying the log.
/// </summary>
public abstract class FileLedgerStoreTests : LedgerStoreTests
{
    private static readonly DateTimeOffset Old = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A backend over <paramref name="path"/> that appends nothing to the ledger.</summary>
    protected abstract FileMetadataBackend Raw(string path);

    /// <summary>The backend's name, also that of the Python reference's store of it in Fixtures/pyciaf-stores.</summary>
    protected abstract string BackendName { get; }

    /// <summary>The file extension of this backend's record files.</summary>
    protected abstract string Extension { get; }

    private string LeavesPath => Path.Combine(Store, "ledger", "leaves.jsonl");

    protected override Task ForgeMetadataAsync(string id, string metadataJson) =>
        Rewrite(id, r => r with { Metadata = PythonJson.Parse(metadataJson)!.AsObject(), MetadataHash = HashOf(metadataJson) });

    protected override Task SetFieldAsync(string id, string field, string value) => Rewrite(id, r => field switch
    {
        "model_name" => r with { ModelName = value },
        "stage" => r with { Stage = value },
        "timestamp" => r with { Timestamp = DateTimeOffset.Parse(value + "Z", System.Globalization.CultureInfo.InvariantCulture) },
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, null),
    });

    protected override async Task DeleteAndInsertIntruderAsync(string deleteId)
    {
        await using var raw = Raw(Store);
        await raw.DeleteAsync([deleteId]);
        await raw.WriteAsync([new MetadataRecord("intruder", "credit_scoring", "1.0.0", "training", "x", new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
            "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", null, new System.Text.Json.Nodes.JsonObject())]);
    }

    protected override async Task SwapContentsAsync(string a, string b)
    {
        await using var raw = Raw(Store);
        var first = (await raw.GetAsync(a))!;
        var second = (await raw.GetAsync(b))!;
        await raw.WriteAsync([
            first with { Metadata = second.Metadata.DeepClone().AsObject(), MetadataHash = second.MetadataHash },
            second with { Metadata = first.Metadata.DeepClone().AsObject(), MetadataHash = first.MetadataHash },
        ]);
    }

    protected override async Task TruncateAsync(string recordId, int keep)
    {
        await using var raw = Raw(Store);
        await raw.DeleteAsync([recordId]);
        var events = await raw.QueryComplianceEventsAsync(new ComplianceEventQuery()).Select(e => e.Id).ToListAsync();
        await raw.DeleteComplianceEventsAsync(events);
        foreach (var key in (await raw.ReadStateAsync("legal_holds")).Keys) await raw.WriteStateAsync("legal_holds", key, null);
        File.WriteAllLines(LeavesPath, File.ReadLines(LeavesPath).Take(keep));
    }

    protected override Task WipeLedgerAsync()
    {
        Directory.Delete(Path.Combine(Store, "ledger"), recursive: true);
        return Task.CompletedTask;
    }

    protected override async Task AgeEverythingAsync()
    {
        await using var raw = Raw(Store);
        var records = await raw.QueryAsync(new MetadataQuery()).ToListAsync();
        await raw.WriteAsync([.. records.Select(r => r with { Timestamp = Old })]);
        var events = await raw.QueryComplianceEventsAsync(new ComplianceEventQuery()).ToListAsync();
        await raw.WriteComplianceEventsAsync([.. events.Select(e => e with { Timestamp = Old })]);
    }

    protected override async Task RewriteAuditAsync(string editId, string removeId)
    {
        foreach (var path in Directory.GetFiles(Path.Combine(Store, "audit"), "*.jsonl"))
        {
            var lines = new List<string>();
            foreach (var line in await File.ReadAllLinesAsync(path))
            {
                var entry = JsonNode.Parse(line)!;
                string id = (string)entry["id"]!;
                if (id == removeId) continue;
                if (id == editId) entry["user_id"] = "mallory";
                lines.Add(entry.ToJsonString());
            }
            await File.WriteAllLinesAsync(path, lines);
        }
    }

    private async Task Rewrite(string id, Func<MetadataRecord, MetadataRecord> change)
    {
        await using var raw = Raw(Store);
        await raw.WriteAsync([change((await raw.GetAsync(id))!)]);
    }

    private static MetadataRecord NewRecord(int run)
    {
        var metadata = new JsonObject { ["run"] = run };
        return new MetadataRecord(Guid.NewGuid().ToString(), "credit_scoring", "1.0.0", "training", "batch", DateTimeOffset.UtcNow,
            PythonJson.HashCanonical(PythonJson.Canonical(metadata)), null, metadata);
    }

    private static FileMetadataBackend BackendOf(MetadataStorage storage) => (FileMetadataBackend)storage.Core.Backend;

    [Fact]
    public void Open_EmptyStore_StartsItsLogInTheLedgerFolder_WithNoFileTheReferenceWouldRead()
    {
        using (var storage = Open()) Fill(storage);
        Assert.True(File.Exists(Path.Combine(Store, "ledger", "genesis")));
        Assert.Equal(8, File.ReadLines(LeavesPath).Count());
        Assert.DoesNotContain(Directory.EnumerateFiles(Path.Combine(Store, "ledger"), "*", SearchOption.AllDirectories),
            f => f.EndsWith(".json", StringComparison.Ordinal) || f.EndsWith(".pkl", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(Store, "ledger", "pending.jsonl")));
    }

    [Theory]
    [InlineData("intent", 1, 0)] // the intent is written, no record yet: no leaf
    [InlineData("applied", 1, 1)] // the first of three records is written: its leaf only
    [InlineData("applied", 3, 3)] // all three written, leaves not appended yet: all three
    [InlineData("appended", 1, 3)] // leaves appended, the intent not removed yet
    public async Task Write_CrashAtAStep_RecoveredStoreHasALeafForEveryWriteAndNoOther(string step, int occurrence, int expectedLeaves)
    {
        using var crash = new TempDirectory();
        long before;
        var batch = new[] { NewRecord(1), NewRecord(2), NewRecord(3) };
        using (var storage = Open())
        {
            Fill(storage);
            before = storage.Ledger.Status().Size;
            int seen = 0;
            // What the disk holds at that instant is what a process killed there leaves behind.
            BackendOf(storage).LedgerStepHook = s =>
            {
                if (s == step && ++seen == occurrence) CopyFolder(Store, crash.Path);
            };
            await storage.Core.Backend.WriteAsync(batch);
        }
        Assert.True(File.Exists(Path.Combine(crash.Path, "ledger", "pending.jsonl")));

        using var recovered = MetadataStorage.Create(b => Use(b, crash.Path));
        var report = recovered.Verify();
        Assert.True(report.IsValid, string.Join("\n", report.Issues.Select(i => i.Detail)));
        Assert.Equal(before + expectedLeaves, report.Ledger.Size);
        Assert.False(File.Exists(Path.Combine(crash.Path, "ledger", "pending.jsonl")));
        Assert.Equal(expectedLeaves, batch.Count(r => recovered.GetMetadata(r.Id) is not null));
    }

    [Fact]
    public async Task Write_CrashMidAppend_TornLastLineIsCutAndTheRestAppended()
    {
        using var crash = new TempDirectory();
        long before;
        using (var storage = Open())
        {
            Fill(storage);
            before = storage.Ledger.Status().Size;
            BackendOf(storage).LedgerStepHook = s =>
            {
                if (s == "appended") CopyFolder(Store, crash.Path);
            };
            await storage.Core.Backend.WriteAsync([NewRecord(1), NewRecord(2), NewRecord(3)]);
        }
        // Cut the copy's log in the middle of the batch's second leaf.
        string leaves = Path.Combine(crash.Path, "ledger", "leaves.jsonl");
        var lines = File.ReadAllLines(leaves);
        File.WriteAllText(leaves, string.Join("\n", lines.Take((int)before + 1)) + "\n" + lines[before + 1][..20]);

        using var recovered = MetadataStorage.Create(b => Use(b, crash.Path));
        var report = recovered.Verify();
        Assert.True(report.IsValid, string.Join("\n", report.Issues.Select(i => i.Detail)));
        Assert.Equal(before + 3, report.Ledger.Size);
        Assert.Equal(lines, File.ReadAllLines(leaves));
    }

    [Fact]
    public async Task Write_FailsMidBatch_WhatWasWrittenKeepsItsLeaf_TheRestHasNone()
    {
        using var storage = Open();
        Fill(storage);
        long before = storage.Ledger.Status().Size;
        var batch = new[] { NewRecord(1), NewRecord(2), NewRecord(3) };
        int applied = 0;
        BackendOf(storage).LedgerStepHook = s =>
        {
            if (s == "applied" && ++applied == 2) throw new IOException("disk gone");
        };
        await Assert.ThrowsAsync<IOException>(async () => await storage.Core.Backend.WriteAsync(batch));
        BackendOf(storage).LedgerStepHook = null;

        var report = storage.Verify();
        Assert.True(report.IsValid, string.Join("\n", report.Issues.Select(i => i.Detail)));
        Assert.Equal(before + 2, report.Ledger.Size);
        Assert.Null(storage.GetMetadata(batch[2].Id));
        storage.SaveMetadata("credit_scoring", "training", "after", new { ok = true });
        Assert.Equal(before + 3, storage.Ledger.Status().Size);
    }

    [Fact]
    public async Task BufferedWriter_Killed_NoWriteWithoutItsLeafNorLeafWithoutItsWrite()
    {
        using (var child = new ChildWriter(Store, BackendName, "buffered", "crash_model", "forever", flushEvery: 40))
        {
            await child.WaitUntilDurableAsync(200, TimeSpan.FromSeconds(60));
            child.Kill();
        }
        using var storage = Open();
        var report = storage.Verify();
        Assert.True(report.IsValid, string.Join("\n", report.Issues.Select(i => i.Detail)));
        Assert.Equal(LedgerVerificationState.Active, report.Ledger.State);
        Assert.Equal(storage.GetModelMetadata("crash_model", limit: null).Count, report.Ledger.Size);
    }

    [Fact]
    public async Task SeveralProcesses_WritingOneStore_OneLogWithEveryLeafOnceInOrder()
    {
        var children = Enumerable.Range(0, 3)
            .Select(i => new ChildWriter(Store, BackendName, i % 2 == 0 ? "immediate" : "buffered", "shared_model", "100"))
            .ToList();
        try
        {
            foreach (var child in children) await child.WaitForExitAsync(TimeSpan.FromSeconds(120));
        }
        finally
        {
            foreach (var child in children) child.Dispose();
        }
        var leaves = File.ReadAllLines(LeavesPath).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(Enumerable.Range(0, 300), leaves.Select(l => (int)l["seq"]!));
        Assert.Equal(300, leaves.Select(l => (string)l["id"]!).Distinct().Count());
        using var storage = Open();
        var report = storage.Verify();
        Assert.True(report.IsValid, string.Join("\n", report.Issues.Select(i => i.Detail)));
        Assert.Equal(300, report.Ledger.Size);
    }

    [Fact]
    public void Backup_CarriesTheLog_RestoredStoreVerifiesAgainstTheSameCheckpoint()
    {
        using var target = new TempDirectory();
        string archive;
        LedgerCheckpoint checkpoint;
        using (var storage = Open())
        {
            Fill(storage);
            checkpoint = storage.Ledger.Checkpoint();
            archive = storage.Backup(Path.Combine(target.Path, "backup.zip"));
        }
        using (var zip = ZipFile.OpenRead(archive))
        {
            var names = zip.Entries.Select(e => e.FullName).ToList();
            Assert.Contains("ledger/leaves.jsonl", names);
            Assert.Contains("ledger/genesis", names);
            Assert.Contains(names, n => n.StartsWith("ledger/checkpoints/", StringComparison.Ordinal));
            Assert.DoesNotContain("ledger/.lock", names);
        }
        string restored = Path.Combine(target.Path, "restored");
        MetadataStorage.Restore(archive, restored);
        using var reopened = MetadataStorage.Create(b => Use(b, restored));
        var report = reopened.Verify(new VerifyOptions { Checkpoints = [(checkpoint.Text, "before backup")] });
        Assert.True(report.IsValid, string.Join("\n", report.Issues.Select(i => i.Detail)));
        Assert.Equal(checkpoint.TreeSize, report.Ledger.Size);
        Assert.Equal(2, report.Ledger.CheckpointsChecked);
    }

    [Fact]
    public void Init_StoreWrittenByThePythonReference_IsNotInitializedUntilAdopted_AndPythonStillReadsItAfter()
    {
        PyciafFixtures.CopyStore(BackendName, Store);
        int records = PyciafFixtures.ExpectedRecords.Count();
        string added;
        using (var storage = Open())
        {
            var before = storage.Verify();
            Assert.Equal(LedgerVerificationState.NotInitialized, before.Ledger.State);
            Assert.True(storage.Ledger.Init() >= records);
            added = storage.SaveMetadata("credit_scoring", "validation", "validated", new { auc = 0.8 });
            storage.PlaceLegalHold("credit_scoring", "litigation");
            storage.Ledger.Checkpoint();
            // The fixture has findings of its own (an event pointing to no record): the ledger adds none.
            var after = storage.Verify();
            Assert.Equal(before.Issues.Select(i => i.Detail), after.Issues.Select(i => i.Detail));
            Assert.Equal(LedgerVerificationState.Active, after.Ledger.State);
        }

        // The reference lists every folder of the root and loads each *.json / *.pkl in it as a record.
        string ids = Python.Run("""
            import json, os, pickle, sys
            root, ext = sys.argv[1], sys.argv[2]
            ids = []
            for folder in sorted(os.listdir(root)):
                if folder == 'compliance_events' or not os.path.isdir(os.path.join(root, folder)):
                    continue
                for name in sorted(os.listdir(os.path.join(root, folder))):
                    if not name.endswith(ext):
                        continue
                    with open(os.path.join(root, folder, name), 'rb') as f:
                        rec = json.load(f) if ext == '.json' else pickle.load(f)
                    assert list(rec)[:3] == ['id', 'model_name', 'model_version'], (folder, name, list(rec))
                    ids.append(rec['id'])
            print(json.dumps(ids))
            """, Store, Extension);
        var read = JsonNode.Parse(ids)!.AsArray().Select(n => (string)n!).ToList();
        Assert.Contains(added, read);
        Assert.Equal(records + 1, read.Count);
    }

    private static void CopyFolder(string source, string target)
    {
        foreach (var dir in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(target, Path.GetRelativePath(source, dir)));
        // The lock is held (FileShare.None) and dies with the process: a crashed writer leaves no lock behind.
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(f) != ".lock"))
            File.Copy(file, Path.Combine(target, Path.GetRelativePath(source, file)), overwrite: true);
    }
}

/// <summary>The ledger tests on the JSON backend.</summary>
public sealed class JsonLedgerStoreTests : FileLedgerStoreTests
{
    protected override MetadataStorageBuilder Use(MetadataStorageBuilder builder, string path) => builder.UseJson(path);

    protected override FileMetadataBackend Raw(string path) => new JsonMetadataBackend(new BackendContext { StoragePath = path, LedgerEnabled = false });

    protected override string BackendName => "json";

    protected override string Extension => ".json";
}

/// <summary>The ledger tests on the Pickle backend.</summary>
public sealed class PickleLedgerStoreTests : FileLedgerStoreTests
{
    protected override MetadataStorageBuilder Use(MetadataStorageBuilder builder, string path) => builder.UsePickle(path);

    protected override FileMetadataBackend Raw(string path) => new PickleMetadataBackend(new BackendContext { StoragePath = path, LedgerEnabled = false });

    protected override string BackendName => "pickle";

    protected override string Extension => ".pkl";
}
