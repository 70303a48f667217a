using System.IO.Compression;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;
using Ciaf.Metadata.Transfer;
using CsvHelper;
using Parquet;

namespace Ciaf.Metadata.Tests.Conformance;

/// <summary>
/// Export, import, migration, backup, restore and verification, held to the same behaviour on every backend.
/// Each backend subclasses this once (see <see cref="BackendConformance"/>'s neighbours below it).
/// </summary>
public abstract class OperationsConformanceTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    /// <summary>The backend under test.</summary>
    protected abstract string BackendName { get; }

    /// <summary>Another backend, for cross-backend round trips.</summary>
    protected abstract string OtherBackend { get; }

    /// <summary>Changes a stored record's metadata on disk without touching its stored hash, as a person editing by hand would.</summary>
    protected abstract void EditRecordOnDisk(string root, string modelName, string id);

    /// <summary>
    /// For a server backend, the connection string of the store at <paramref name="path"/>: each distinct path must get a
    /// store of its own (e.g. a schema), since migrations open several stores of the same backend. <c>null</c> for file
    /// and embedded backends.
    /// </summary>
    protected virtual string? ConnectionStringFor(string path) => null;

    /// <summary>Why this backend has no <c>Backup</c>/<c>Restore</c> (their tests are then skipped with it), or <c>null</c>.</summary>
    protected virtual string? BackupUnsupportedReason => null;

    /// <summary>What the location of a record of <paramref name="model"/> reported by <c>Verify</c> contains.</summary>
    protected virtual string RecordLocationHint(MetadataStorage storage, string model) => storage.DbPath ?? Path.Combine(Root, model);

    protected string Root => _folder.Combine("store");

    /// <summary>
    /// Opens a store with <paramref name="options"/>: by name (<c>new MetadataStorage(options)</c>). A backend that needs
    /// more than the options carry (a server per store, a handler) overrides this.
    /// </summary>
    protected virtual MetadataStorage OpenStorage(MetadataStorageOptions options) => new(options);

    protected MetadataStorage Open(string? path = null, string? backend = null, WriteMode mode = WriteMode.Immediate, int exportBatchSize = 1000) =>
        OpenStorage(Options(path ?? Root, backend ?? BackendName, mode, exportBatchSize));

    private MetadataStorageOptions Options(string path, string backend, WriteMode mode = WriteMode.Immediate, int exportBatchSize = 1000) => new()
    {
        StoragePath = path,
        Backend = backend,
        ConnectionString = backend == BackendName ? ConnectionStringFor(path) : null,
        WriteMode = mode,
        ExportBatchSize = exportBatchSize,
    };

    public void Dispose()
    {
        _folder.Dispose();
        GC.SuppressFinalize(this);
    }

    // ------------------------------------------------------------------ sample data

    /// <summary>Saves records with awkward content (nesting, arrays, non-ASCII, Python floats, quotes, newlines) and
    /// some with fixed timestamps (whole seconds, microseconds) through the write path that keeps them as given.</summary>
    private static List<string> Seed(MetadataStorage storage, int extra = 0)
    {
        var ids = new List<string>
        {
            storage.SaveMetadata("credit scoring", "training", "training_completed",
                JsonNode.Parse("""{"performance": {"accuracy": 0.9, "loss": 1e-05, "big": 12345678901234567890}, "tags": ["a", "ü", "模型"], "note": null, "flag": true}""")!.AsObject(),
                "2.0.0", "line one\nline \"two\", with comma"),
            storage.SaveMetadata("credit scoring", "validation", "model_validated", new { f1 = 100.0, neg = -0.0, nan = double.NaN, empty = new { } }),
            storage.SaveMetadata("modèle-β", "inference", "inference_performed", new { prediction = "=1+2", latency_ms = -0.5, emoji = "🎉" }),
        };
        var fixedRecords = new[]
        {
            SampleRecords.Create("credit scoring", "deployment", new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero),
                new JsonObject { ["env"] = "prod" }, eventType: "model_deployed"),
            SampleRecords.Create("modèle-β", "monitoring", new DateTimeOffset(2025, 12, 31, 23, 59, 59, 123456 / 1000, TimeSpan.Zero).AddTicks(4560),
                new JsonObject { ["drift"] = 0.01 }, eventType: "monitoring_data", details: null, version: "0.1"),
        };
        storage.Core.WriteStoredAsync(fixedRecords, []).AsTask().GetAwaiter().GetResult();
        ids.AddRange(fixedRecords.Select(r => r.Id));
        if (extra > 0)
        {
            ids.AddRange(storage.SaveMetadataBatch(Enumerable.Range(0, extra)
                .Select(i => new MetadataEntry("bulk", i % 2 == 0 ? "training" : "inference", "e", new { i, score = i / 7.0 }))));
        }
        storage.AddComplianceEvent(ids[0], "GDPR", 0.85, "passed", "ok");
        storage.AddComplianceEvent(ids[2], "EEOC", 0.5, "failed", null);
        storage.Flush();
        return ids;
    }

    private static List<MetadataRecord> All(MetadataStorage storage) =>
        [.. storage.QueryMetadata(new MetadataQuery { Order = RecordOrder.OldestFirst }).OrderBy(r => r.Id, StringComparer.Ordinal)];

    private static void AssertSameStores(MetadataStorage expected, MetadataStorage actual)
    {
        var a = All(expected);
        var b = All(actual);
        Assert.Equal(a.Select(r => r.Id), b.Select(r => r.Id));
        for (int i = 0; i < a.Count; i++)
        {
            Assert.Equal(a[i].ModelName, b[i].ModelName);
            Assert.Equal(a[i].ModelVersion, b[i].ModelVersion);
            Assert.Equal(a[i].Stage, b[i].Stage);
            Assert.Equal(a[i].EventType, b[i].EventType);
            Assert.Equal(PythonTimestamp.Format(a[i].Timestamp), PythonTimestamp.Format(b[i].Timestamp));
            Assert.Equal(a[i].MetadataHash, b[i].MetadataHash);
            Assert.Equal(a[i].Details, b[i].Details);
            Assert.Equal(PythonJson.Serialize(a[i].Metadata, PythonJsonStyle.Compact), PythonJson.Serialize(b[i].Metadata, PythonJsonStyle.Compact));
            Assert.Equal(a[i].MetadataHash, PythonJson.Hash(b[i].Metadata));
        }
        Assert.Equal(expected.GetComplianceEvents().OrderBy(e => e.Id), actual.GetComplianceEvents().OrderBy(e => e.Id));
    }

    // ------------------------------------------------------------------ export → import

    [Theory]
    [InlineData("json")]
    [InlineData("jsonl")]
    public void ExportThenImport_IntoOtherBackend_EveryFieldEqual(string format)
    {
        using var source = Open();
        Seed(source, extra: 20);
        string records = source.ExportMetadata(format: format);
        string events = source.ExportComplianceEvents(format);

        using var target = Open(_folder.Combine("target"), OtherBackend);
        var result = target.ImportMetadata(records);
        var eventResult = target.ImportMetadata(events);

        Assert.True(result.IsClean, string.Join("; ", result.Errors.Concat(result.Mismatched)));
        Assert.Equal(25, result.Imported);
        Assert.Equal(2, eventResult.ComplianceEventsImported);
        AssertSameStores(source, target);
    }

    [Fact]
    public void ImportMetadata_Twice_AddsNothing()
    {
        using var source = Open();
        Seed(source);
        string file = source.ExportMetadata(format: "jsonl");
        using var target = Open(_folder.Combine("target"));

        var first = target.ImportMetadata(file);
        var second = target.ImportMetadata(file);

        Assert.Equal(5, first.Imported);
        Assert.Equal(0, second.Imported);
        Assert.Equal(5, second.Skipped);
        Assert.True(second.IsClean);
        Assert.Equal(5, target.GetPerformanceMetrics().RecordCount);
    }

    [Fact]
    public void ImportMetadata_TamperedRecord_ReportedAsMismatchAndNotWritten()
    {
        using var source = Open();
        var ids = Seed(source);
        string file = source.ExportMetadata(format: "jsonl");
        var lines = File.ReadAllLines(file);
        int index = Array.FindIndex(lines, l => l.Contains(ids[0], StringComparison.Ordinal));
        lines[index] = lines[index].Replace("0.9,", "0.99,", StringComparison.Ordinal);
        File.WriteAllLines(file, lines);
        using var target = Open(_folder.Combine("target"));

        var result = target.ImportMetadata(file);

        var mismatch = Assert.Single(result.Mismatched);
        Assert.Equal(ids[0], mismatch.Id);
        Assert.Contains("does not match", mismatch.Reason, StringComparison.Ordinal);
        Assert.Equal(4, result.Imported);
        Assert.Null(target.GetMetadata(ids[0]));
    }

    [Fact]
    public void ImportMetadata_SameIdDifferentContent_ReportedNotOverwritten()
    {
        using var storage = Open();
        var ids = Seed(storage);
        var original = storage.GetMetadata(ids[3])!;
        var altered = original with { Details = "changed" };
        string file = _folder.Combine("one.jsonl");
        File.WriteAllText(file, PythonJson.Serialize(RecordJson.ToJsonObject(altered), PythonJsonStyle.Compact) + "\n{broken\n");

        var result = storage.ImportMetadata(file);

        Assert.Equal(ids[3], Assert.Single(result.Mismatched).Id);
        Assert.Single(result.Errors);
        Assert.Null(storage.GetMetadata(ids[3])!.Details);
    }

    [Fact]
    public void ImportMetadata_ReferenceJsonExport_KeepsIdsTimestampsAndHashes()
    {
        var sample = PyciafFixtures.Expected["export_samples"]!.AsObject();
        string file = Path.Combine(PyciafFixtures.StoresPath, "exports", sample["files"]!["json"]!.GetValue<string>());
        using var storage = Open();

        var result = storage.ImportMetadata(file);

        Assert.Equal(3, result.Imported);
        Assert.True(result.IsClean);
        foreach (var expected in sample["records"]!.AsArray())
        {
            var record = storage.GetMetadata(expected!["id"]!.GetValue<string>())!;
            Assert.Equal(expected["timestamp"]!.GetValue<string>(), PythonTimestamp.Format(record.Timestamp));
            Assert.Equal(expected["metadata_hash"]!.GetValue<string>(), record.MetadataHash);
            Assert.Equal(expected["details"]?.GetValue<string>(), record.Details);
        }
    }

    // ------------------------------------------------------------------ csv, xml, parquet

    [Fact]
    public void ExportCsv_MixedKeys_OneHeaderWithTheUnionAndFormulasNeutralized()
    {
        using var storage = Open();
        storage.SaveMetadata("m", "training", "e", new { a = 1, nested = new { x = "=cmd|' /C calc'!A0" } }, details: "@SUM(A1)");
        storage.SaveMetadata("m", "training", "e", new { b = "+1", nested = new { y = -0.5 }, tags = new[] { 1, 2 } }, details: "-2+3");
        storage.SaveMetadata("m", "training", "e", JsonNode.Parse("""{"a.b": "\tx", "c": "-0.5", "d": "\r\n=1"}""")!.AsObject());

        string file = storage.ExportMetadata("m", "csv");
        using var reader = new CsvReader(new StreamReader(file), CultureInfo.InvariantCulture);
        var rows = reader.GetRecords<dynamic>().Cast<IDictionary<string, object>>().ToList();

        var header = rows[0].Keys.ToList();
        Assert.Equal(["id", "model_name", "model_version", "stage", "event_type", "timestamp", "metadata_hash", "details"], header.Take(8));
        Assert.Equal(
            new[] { "metadata.a", "metadata.nested.x", "metadata.b", "metadata.nested.y", "metadata.tags", "metadata.a\\.b", "metadata.c", "metadata.d" }.Order(),
            header.Skip(8).Order());
        Assert.Equal(3, rows.Count);
        var cells = rows.SelectMany(r => r.Values).Cast<string>().ToList();
        Assert.DoesNotContain(cells, c => c.Length > 0 && c[0] is '=' or '+' or '@' or '\t' or '\r' || (c.StartsWith('-') && c != "-0.5"));
        Assert.Contains("'=cmd|' /C calc'!A0", cells);
        Assert.Contains("'@SUM(A1)", cells);
        Assert.Contains("'-2+3", cells);
        Assert.Contains("'\r\n=1", cells);
        Assert.Contains("'-0.5", cells);   // a string: neutralized
        Assert.Contains("-0.5", cells);    // a JSON number: stays a number
        Assert.Contains("[1, 2]", cells);  // arrays: JSON text in one cell
        Assert.Contains("'+1", cells);
    }

    [Fact]
    public void ExportXml_HostileKeysAndControlCharacters_ParsesBackWithEveryKey()
    {
        using var storage = Open();
        var hostile = new JsonObject
        {
            ["a b"] = 1,
            ["1x"] = "one",
            ["<tag>"] = "<b>&amp;</b>",
            [""] = "empty key",
            ["ctl\u0001"] = "nul\u0000char",
            ["nested"] = new JsonObject { ["x y"] = new JsonArray(1, "two", null, true) },
            ["cr"] = "a\r\nb",
        };
        string id = storage.SaveMetadata("m", "training", "e", hostile, details: "d\u0000");

        string file = storage.ExportMetadata("m", "xml");
        var doc = XDocument.Load(file);

        var record = Assert.Single(doc.Root!.Elements("metadata_record"));
        Assert.Equal(id, record.Element("id")!.Value);
        Assert.Equal("json", record.Element("details")!.Attribute("encoding")!.Value);
        Assert.Equal("d\u0000", PythonJson.Parse(record.Element("details")!.Value)!.GetValue<string>());
        var fields = record.Element("metadata")!.Elements("field").ToList();
        string Name(XElement f) => f.Attribute("name-encoding") is null ? f.Attribute("name")!.Value : PythonJson.Parse(f.Attribute("name")!.Value)!.GetValue<string>();
        Assert.Equal(hostile.Select(p => p.Key), fields.Select(Name));
        Assert.Equal("<b>&amp;</b>", fields.Single(f => Name(f) == "<tag>").Value);
        Assert.Equal("a\r\nb", fields.Single(f => Name(f) == "cr").Value);
        var nul = fields.Single(f => Name(f) == "ctl\u0001");
        Assert.Equal("nul\u0000char", PythonJson.Parse(nul.Value)!.GetValue<string>());
        var items = fields.Single(f => Name(f) == "nested").Element("field")!.Elements("item").ToList();
        Assert.Equal(["number", "string", "null", "boolean"], items.Select(i => i.Attribute("type")!.Value));
    }

    [Fact]
    public async Task ExportParquet_ReadBack_TypedColumnsAndEveryRow()
    {
        using var storage = Open(exportBatchSize: 7);
        Seed(storage, extra: 20);
        var expected = All(storage).ToDictionary(r => r.Id);

        string file = storage.ExportMetadata(format: "parquet");

        await using var reader = await ParquetReader.CreateAsync(file);
        Assert.True(reader.RowGroupCount >= 4); // 25 rows in groups of 7
        var fields = reader.Schema.GetDataFields();
        Assert.Equal(["id", "model_name", "model_version", "stage", "event_type", "timestamp", "metadata_hash", "details", "metadata"], fields.Select(f => f.Name));
        int rows = 0;
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            int n = (int)group.RowCount;
            var ids = new string?[n];
            var stamps = new DateTime?[n];
            var metadata = new string?[n];
            var details = new string?[n];
            await group.ReadAsync(fields[0], ids.AsMemory());
            await group.ReadAsync<DateTime>(fields[5], stamps.AsMemory());
            await group.ReadAsync(fields[7], details.AsMemory());
            await group.ReadAsync(fields[8], metadata.AsMemory());
            for (int i = 0; i < n; i++)
            {
                var record = expected[ids[i]!];
                Assert.Equal(record.Timestamp.UtcDateTime, stamps[i]);
                Assert.Equal(record.Details, details[i]);
                Assert.Equal(record.MetadataHash, PythonJson.Hash(PythonJson.Parse(metadata[i]!)));
                rows++;
            }
        }
        Assert.Equal(expected.Count, rows);
    }

    // ------------------------------------------------------------------ migration

    [Fact]
    public void MigrateTo_OtherBackendAndBack_EveryFieldEqual()
    {
        using var source = Open(mode: WriteMode.Buffered);
        Seed(source, extra: 30);
        using var middle = Open(_folder.Combine("middle"), OtherBackend);
        using var back = Open(_folder.Combine("back"));
        var reports = new List<MigrationProgress>();

        var there = source.MigrateTo(middle, new SyncProgress<MigrationProgress>(reports.Add));
        var home = middle.MigrateTo(back);

        Assert.Equal(35, there.RecordsCopied);
        Assert.Equal(2, there.ComplianceEventsCopied);
        Assert.Equal(35, home.TargetRecordCount);
        Assert.Equal("verifying", reports[^1].Phase);
        AssertSameStores(source, middle);
        AssertSameStores(source, back);
    }

    private static MetadataStorageOptions WithAudit(MetadataStorageOptions options)
    {
        options.AuditAllAccess = true;
        options.UserId = "auditor";
        return options;
    }

    [Fact]
    public void MigrateTo_AuditTrailAndLegalHolds_CopiedAndIdempotent()
    {
        string id;
        using (var source = OpenStorage(WithAudit(Options(Root, BackendName))))
        {
            id = source.SaveMetadata("held_model", "training", "e", new { a = 1 });
            source.GetMetadata(id);
            source.PlaceLegalHold("held_model", "litigation 2026-17");
            source.Flush();
            int auditEntries = source.GetAuditTrail().Count;
            Assert.True(auditEntries >= 3);

            using var target = Open(_folder.Combine("audited"), OtherBackend);
            var report = source.MigrateTo(target);
            var again = source.MigrateTo(target);

            Assert.Equal(auditEntries, report.AuditEntriesCopied);
            Assert.Equal(1, report.LegalHoldsCopied);
            Assert.Equal(auditEntries, again.AuditEntriesCopied);
            var copied = target.GetAuditTrail(new Ciaf.Metadata.Audit.AuditQuery { UserId = "auditor" });
            Assert.Equal(auditEntries, copied.Count); // the second run added nothing
            Assert.Contains(copied, e => e.ParentId == id && e.Action == "save");
            var hold = Assert.Single(target.GetLegalHolds());
            Assert.Equal("litigation 2026-17", hold.Reason);
        }
    }

    [Fact]
    public async Task MigrateTo_CancelledMidway_RerunFinishesWithExactCount()
    {
        await using var source = Open(exportBatchSize: 10);
        Seed(source, extra: 95);
        await using var target = Open(_folder.Combine("target"), OtherBackend);
        using var cts = new CancellationTokenSource();
        var progress = new SyncProgress<MigrationProgress>(p =>
        {
            if (p.RecordsCopied >= 30) cts.Cancel();
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await source.MigrateToAsync(target, progress, cts.Token));
        long partial = (await target.GetPerformanceMetricsAsync()).RecordCount;
        var report = await source.MigrateToAsync(target);

        Assert.InRange(partial, 30, 99);
        Assert.Equal(100, report.TargetRecordCount);
        Assert.Equal(100, (await target.GetPerformanceMetricsAsync()).RecordCount);
        AssertSameStores(source, target);
    }

    // ------------------------------------------------------------------ backup and restore

    [SkippableFact]
    public async Task Backup_WhileWritersWrite_RestoresAConsistentStore()
    {
        Skip.If(BackupUnsupportedReason is not null, BackupUnsupportedReason);
        string backup;
        List<MetadataRecord> before;
        await using (var storage = Open())
        {
            Seed(storage, extra: 50);
            before = All(storage);
            using var stop = new CancellationTokenSource();
            var writer = Task.Run(async () =>
            {
                int i = 0;
                while (!stop.IsCancellationRequested) await storage.SaveMetadataAsync("live", "training", "e", new { i = i++ });
            });
            backup = await storage.BackupAsync();
            await stop.CancelAsync();
            await writer;
        }
        Assert.StartsWith(Path.Combine(Root, "backups"), backup, StringComparison.Ordinal);
        string restored = _folder.Combine("restored");

        var manifest = MetadataStorage.Restore(backup, restored);

        Assert.Equal(BackendName, manifest.Backend);
        Assert.NotEmpty(manifest.Files);
        await using var copy = Open(restored);
        Assert.True(copy.Verify().IsValid);
        var after = All(copy).ToDictionary(r => r.Id);
        foreach (var record in before) Assert.True(Ciaf.Metadata.Transfer.RecordChecks.SameRecord(record, after[record.Id]), record.Id);
        Assert.Equal(2, copy.GetComplianceEvents().Count);
    }

    [SkippableFact]
    public void Restore_DamagedBackups_RefusedWithTheProblemNamed()
    {
        Skip.If(BackupUnsupportedReason is not null, BackupUnsupportedReason);
        string backup;
        using (var storage = Open())
        {
            Seed(storage);
            backup = storage.Backup(_folder.Combine("b.zip"));
        }
        string victim;
        using (var zip = ZipFile.OpenRead(backup)) victim = zip.Entries.First(e => e.FullName != BackupManifest.EntryName).FullName;

        // A changed byte in a file.
        string flipped = _folder.Combine("flipped.zip");
        File.Copy(backup, flipped);
        using (var zip = ZipFile.Open(flipped, ZipArchiveMode.Update))
        {
            var entry = zip.GetEntry(victim)!;
            byte[] bytes;
            using (var s = entry.Open())
            using (var m = new MemoryStream())
            {
                s.CopyTo(m);
                bytes = m.ToArray();
            }
            bytes[bytes.Length / 2] ^= 0x20;
            entry.Delete();
            using var w = zip.CreateEntry(victim).Open();
            w.Write(bytes);
        }
        var ex = Assert.Throws<MetadataStorageException>(() => MetadataStorage.Restore(flipped, _folder.Combine("r1")));
        Assert.Contains(victim, ex.Message, StringComparison.Ordinal);
        Assert.Contains("SHA-256", ex.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_folder.Combine("r1")));

        // A missing file.
        string missing = _folder.Combine("missing.zip");
        File.Copy(backup, missing);
        using (var zip = ZipFile.Open(missing, ZipArchiveMode.Update)) zip.GetEntry(victim)!.Delete();
        ex = Assert.Throws<MetadataStorageException>(() => MetadataStorage.Restore(missing, _folder.Combine("r2")));
        Assert.Contains($"'{victim}' is listed in the manifest but missing", ex.Message, StringComparison.Ordinal);

        // Not a zip at all, and a zip-slip entry.
        string garbage = _folder.Combine("garbage.zip");
        File.WriteAllBytes(garbage, [1, 2, 3, 4]);
        Assert.Contains("not a valid zip", Assert.Throws<MetadataStorageException>(() => MetadataStorage.Restore(garbage, _folder.Combine("r3"))).Message, StringComparison.Ordinal);
        string slip = _folder.Combine("slip.zip");
        File.Copy(backup, slip);
        using (var zip = ZipFile.Open(slip, ZipArchiveMode.Update))
        {
            using var w = new StreamWriter(zip.CreateEntry("../evil.txt").Open());
            w.Write("x");
        }
        ex = Assert.Throws<MetadataStorageException>(() => MetadataStorage.Restore(slip, _folder.Combine("r4")));
        Assert.Contains("../evil.txt", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_folder.Combine("evil.txt")));
    }

    [SkippableFact]
    public void Restore_NonEmptyTarget_RefusedUnlessOverwrite()
    {
        Skip.If(BackupUnsupportedReason is not null, BackupUnsupportedReason);
        string backup;
        using (var storage = Open())
        {
            Seed(storage);
            backup = storage.Backup();
        }
        string target = _folder.Combine("occupied");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "keep.txt"), "x");

        Assert.Contains("not empty", Assert.Throws<MetadataStorageException>(() => MetadataStorage.Restore(backup, target)).Message, StringComparison.Ordinal);
        MetadataStorage.Restore(backup, target, overwrite: true);

        Assert.False(File.Exists(Path.Combine(target, "keep.txt")));
        using var copy = Open(target);
        Assert.Equal(5, copy.GetPerformanceMetrics().RecordCount);
    }

    // ------------------------------------------------------------------ integrity

    [Fact]
    public void Verify_CleanStore_IsValid()
    {
        using var storage = Open();
        Seed(storage, extra: 10);
        var report = storage.Verify();
        Assert.True(report.IsValid, string.Join("; ", report.Issues));
        Assert.Equal(15, report.RecordsChecked);
        Assert.Equal(2, report.ComplianceEventsChecked);
    }

    [Fact]
    public async Task Verify_HandEditedRecordAndDanglingEvent_ReportedWithIdsAndLocations()
    {
        string edited, danglingId;
        await using (var storage = Open())
        {
            var ids = Seed(storage);
            edited = ids[3];
            danglingId = Guid.NewGuid().ToString();
            await storage.Core.WriteStoredAsync([], [new ComplianceEvent(danglingId, "no-such-record", "FDA", 0.1, "failed", PythonTimestamp.Now(), null)]);
        }
        EditRecordOnDisk(Root, "credit scoring", edited);
        await using var reopened = Open();

        var report = await reopened.VerifyAsync();

        var mismatch = Assert.Single(report.OfKind(VerificationIssueKind.HashMismatch));
        Assert.Equal(edited, mismatch.Id);
        Assert.Contains(RecordLocationHint(reopened, "credit scoring"), mismatch.Location, StringComparison.Ordinal);
        var dangling = Assert.Single(report.OfKind(VerificationIssueKind.DanglingComplianceEvent));
        Assert.Equal(danglingId, dangling.Id);
        Assert.Contains("no-such-record", dangling.Detail, StringComparison.Ordinal);
        Assert.Empty(report.OfKind(VerificationIssueKind.Unreadable));
    }

    [Fact]
    public void Verify_CorruptEntry_ReportedAsUnreadable()
    {
        using (var storage = Open()) Seed(storage);
        PlantCorrupt(Root);
        using var reopened = Open();

        var report = reopened.Verify();

        var issue = Assert.Single(report.OfKind(VerificationIssueKind.Unreadable));
        Assert.False(string.IsNullOrEmpty(issue.Location));
        Assert.Equal(5, report.RecordsChecked);
    }

    /// <summary>Puts one unreadable record into the store (a garbage file or row).</summary>
    protected abstract void PlantCorrupt(string root);

    // ------------------------------------------------------------------ memory

    [Fact]
    public async Task ExportMetadata_ManyRecords_MemoryStaysFlat()
    {
        // 10k records keep the suite fast (the file backends fsync every file); the benchmark harness runs larger stores.
        const int count = 10_000;
        using var storage = Open();
        foreach (var chunk in Enumerable.Range(0, count).Chunk(2_000))
        {
            storage.SaveMetadataBatch(chunk.Select(i => new MetadataEntry("big", "training", "e",
                new { i, payload = new string('x', 1000), nested = new { a = i * 0.5, tags = new[] { "p", "q" } } })));
        }
        long baseline = GC.GetTotalMemory(forceFullCollection: true);
        long materialized;
        {
            var records = storage.QueryMetadata(new MetadataQuery { ModelName = "big" });
            materialized = GC.GetTotalMemory(forceFullCollection: true) - baseline;
            GC.KeepAlive(records);
        }
        baseline = GC.GetTotalMemory(forceFullCollection: true);

        // Live memory (after a full collection), sampled while the exports run: garbage does not count.
        long peak = 0;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baseline);
                await Task.Delay(10);
            }
        });
        string jsonl = await storage.ExportMetadataAsync("big", "jsonl");
        string csv = await storage.ExportMetadataAsync("big", "csv");
        string parquet = await storage.ExportMetadataAsync(format: "parquet");
        await stop.CancelAsync();
        await sampler;

        Assert.Equal(count, File.ReadLines(jsonl).Count());
        Assert.Equal(count + 1, File.ReadLines(csv).Count());
        Assert.True(new FileInfo(parquet).Length > 0);
        // Loose on purpose: a streamed export holds a batch, never the store. Materialized, the records take `materialized`.
        Assert.True(materialized > 10L * 1024 * 1024, $"materialized only {materialized / 1024} KB: the test data is too small to tell");
        Assert.True(peak < materialized / 3, $"live memory grew by {peak / 1024} KB during the exports; holding every record takes {materialized / 1024} KB");
    }
}

/// <summary>An <see cref="IProgress{T}"/> that reports on the caller's thread (Progress&lt;T&gt; posts to the thread pool).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
