using System.IO.Compression;
using System.Text.Json.Nodes;
using Ciaf.Cli.Infrastructure;
using Ciaf.Cli.Tests.Support;
using Ciaf.Metadata;

namespace Ciaf.Cli.Tests;

/// <summary>export (every format, --events), import, migrate, backup, restore and verify against temporary stores.</summary>
public sealed class TransferCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private string Store => _folder.Combine("store");

    public void Dispose() => _folder.Dispose();

    private Task<CliResult> Run(params string[] args) => CiafTool.RunAsync(_folder.Path, args);

    private Task<CliResult> Ok(params string[] args) => CiafTool.OkAsync(_folder.Path, args);

    /// <summary>A store with <paramref name="records"/> records over two models and two compliance events, one pointing to a record.</summary>
    private List<string> Seed(string backend = "sqlite", int records = 3, string? path = null)
    {
        using var storage = new MetadataStorage(path ?? Store, backend);
        var ids = new List<string>();
        for (int i = 0; i < records; i++)
        {
            ids.Add(storage.SaveMetadata(i % 2 == 0 ? "churn" : "fraud", "training", "model_trained", new { accuracy = 0.9, run = i, formula = "=1+2" }));
        }
        storage.AddComplianceEvent(ids[0], "GDPR", 0.95, "passed", "consent ok");
        storage.AddComplianceEvent(null, "FCRA", 0.5, "failed");
        return ids;
    }

    private static void AssertOneLineError(CliResult result, int exitCode, string contains)
    {
        Assert.True(result.ExitCode == exitCode, result.ToString());
        var errors = result.Stderr.Split('\n').Where(l => l.StartsWith("ciaf: error:", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 1, result.ToString());
        Assert.Contains(contains, errors[0]);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    // ------------------------------------------------------------------ export

    [Theory]
    [InlineData("json")]
    [InlineData("jsonl")]
    [InlineData("csv")]
    [InlineData("xml")]
    [InlineData("parquet")]
    public async Task Export_EveryFormat_WritesTheFileAndCountsRecords(string format)
    {
        Seed(records: 5);
        var json = (await Ok("export", "--store", Store, "--format", format, "--json")).Json();
        string path = (string)json["path"]!;
        Assert.True(File.Exists(path));
        Assert.EndsWith("." + format, path);
        Assert.Equal(format, (string?)json["format"]);
        Assert.Equal("records", (string?)json["kind"]);
        Assert.Equal(5, (int)json["records"]!);

        var model = (await Ok("export", "--store", Store, "--format", format, "--model", "churn", "--output", "churn." + format, "--json")).Json();
        Assert.Equal(_folder.Combine("churn." + format), (string?)model["path"]);
        Assert.Equal(3, (int)model["records"]!);

        var human = await Ok("export", "--store", Store, "--format", format.ToUpperInvariant());
        Assert.True(File.Exists(human.Stdout.Trim()), human.ToString());
        Assert.Contains("Exporting: 5 records in", human.Stderr);
    }

    [Fact]
    public async Task Export_Csv_NeutralizesFormulas()
    {
        Seed(records: 1);
        var result = await Ok("export", "--store", Store, "--format", "csv", "--output", "out.csv");
        string csv = await File.ReadAllTextAsync(result.Stdout.Trim());
        Assert.Contains("metadata.formula", csv);
        Assert.Contains("'=1+2", csv);
    }

    [Theory]
    [InlineData("json")]
    [InlineData("jsonl")]
    [InlineData("csv")]
    public async Task Export_Events_WritesTheComplianceEvents(string format)
    {
        Seed();
        var json = (await Ok("export", "--events", "--store", Store, "--format", format, "--json")).Json();
        Assert.Equal("compliance_events", (string?)json["kind"]);
        Assert.Equal(2, (int)json["compliance_events"]!);
        string path = (string)json["path"]!;
        Assert.Contains("compliance_events_", Path.GetFileName(path));
        string text = await File.ReadAllTextAsync(path);
        Assert.Contains("GDPR", text);
        Assert.Contains("FCRA", text);
        Assert.Contains("Exporting: 2 events", (await Ok("export", "--events", "--store", Store)).Stderr);
    }

    [Theory]
    [InlineData("export", "--format", "yaml")]
    [InlineData("export", "--events", "--format", "parquet")]
    [InlineData("export", "--events", "--model", "churn")]
    public async Task Export_BadCombinations_AreUsageErrors(params string[] args)
    {
        Seed();
        var result = await Run([.. args, "--store", Store]);
        AssertOneLineError(result, 2, "");
        Assert.Equal(string.Empty, result.Stdout);
    }

    // ------------------------------------------------------------------ import

    [Fact]
    public async Task Import_RoundTripsAnExport_ThenSkipsOnTheSecondRun()
    {
        var ids = Seed(records: 4);
        string records = (string)(await Ok("export", "--store", Store, "--format", "jsonl", "--json")).Json()["path"]!;
        string events = (string)(await Ok("export", "--events", "--store", Store, "--json")).Json()["path"]!;
        string target = _folder.Combine("target");

        var first = (await Ok("import", records, "--store", target, "--backend", "json", "--json")).Json();
        Assert.Equal(4, (int)first["imported"]!);
        Assert.Equal(0, (int)first["skipped"]!);
        Assert.True((bool)first["clean"]!);
        Assert.Empty(first["mismatched"]!.AsArray());

        var eventsResult = (await Ok("import", events, "--store", target, "--json")).Json();
        Assert.Equal(2, (int)eventsResult["compliance_events_imported"]!);

        var again = await Ok("import", records, "--store", target);
        Assert.Contains("Imported 0 record(s)", again.Stdout);
        Assert.Contains("4 already present", again.Stdout);
        Assert.Contains("Importing: 4 entries", again.Stderr);

        var listed = (await Ok("list", "--store", target, "--json")).Json().AsArray();
        Assert.Equal(ids.Order(StringComparer.Ordinal), listed.Select(r => (string)r!["id"]!).Order(StringComparer.Ordinal));
        Assert.Equal(2, (await Ok("events", "--store", target, "--json")).Json().AsArray().Count);
    }

    [Fact]
    public async Task Import_TamperedRecord_IsListedAndExitsOne()
    {
        Seed(records: 2);
        string path = (string)(await Ok("export", "--store", Store, "--format", "jsonl", "--json")).Json()["path"]!;
        var lines = await File.ReadAllLinesAsync(path);
        lines[0] = lines[0].Replace("0.9", "0.99", StringComparison.Ordinal);
        await File.WriteAllLinesAsync(path, [.. lines, "{not json"]);
        string target = _folder.Combine("target");

        var json = await Run("import", path, "--store", target, "--json");
        AssertOneLineError(json, 1, "2 entries were not imported (1 mismatched, 1 unreadable or invalid)");
        var report = json.Json();
        Assert.Equal(1, (int)report["imported"]!);
        Assert.False((bool)report["clean"]!);
        Assert.Contains("does not match", (string)report["mismatched"]![0]!["reason"]!);
        Assert.Equal("line 3", (string?)report["errors"]![0]!["position"]);

        var human = await Run("import", path, "--store", target);
        Assert.Equal(1, human.ExitCode);
        Assert.Contains("mismatched", human.Stdout);
    }

    [Fact]
    public async Task Import_MissingFile_FailsWithoutCreatingTheStore()
    {
        string target = _folder.Combine("target");
        var result = await Run("import", "no-such-export.json", "--store", target);
        AssertOneLineError(result, 1, "does not exist");
        Assert.Contains("no-such-export.json", result.Stderr);
        Assert.False(Directory.Exists(target));
        Assert.Equal(2, (await Run("import", "--store", target)).ExitCode);   // the path is required
    }

    // ------------------------------------------------------------------ migrate

    [Fact]
    public async Task Migrate_CopiesRecordsAndEvents_AndIsRerunnable()
    {
        var ids = Seed("json", records: 5);
        string target = _folder.Combine("migrated");

        var json = (await Ok("migrate", "--store", Store, "--to", target, "--to-backend", "sqlite", "--json")).Json();
        Assert.Equal("json", (string?)json["source_backend"]);
        Assert.Equal("sqlite", (string?)json["target_backend"]);
        Assert.Equal(5, (int)json["records_copied"]!);
        Assert.Equal(2, (int)json["compliance_events_copied"]!);
        Assert.Equal(5, (int)json["target_record_count"]!);
        Assert.Equal(5, (int)json["sampled_records"]!);
        Assert.True(File.Exists(Path.Combine(target, "ciaf_metadata.db")));

        var again = await Ok("migrate", "--store", Store, "--to", target, "--to-backend", "sqlite");
        Assert.Contains("Migrated 5 record(s), 2 compliance event(s)", again.Stdout);
        Assert.Contains("the target holds 5", again.Stdout);
        Assert.Contains("Migrating: 7 entries", again.Stderr);

        var listed = (await Ok("list", "--store", target, "--json")).Json().AsArray();
        Assert.Equal(ids.Order(StringComparer.Ordinal), listed.Select(r => (string)r!["id"]!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Migrate_BadInput()
    {
        Seed();
        string target = _folder.Combine("migrated");
        AssertOneLineError(await Run("migrate", "--store", Store, "--to", target, "--to-backend", "mongodb"), 2, "Unknown backend 'mongodb'");
        Assert.False(Directory.Exists(target));
        Assert.Equal(2, (await Run("migrate", "--store", Store, "--to", target)).ExitCode);            // --to-backend is required
        Assert.Equal(2, (await Run("migrate", "--store", Store, "--to-backend", "json")).ExitCode);    // --to is required
        AssertOneLineError(await Run("migrate", "--store", Store, "--to", Store, "--to-backend", "sqlite"), 2, "into itself");
        AssertOneLineError(await Run("migrate", "--store", _folder.Combine("nowhere"), "--to", target, "--to-backend", "json"), 1, "No store at");
    }

    [Fact]
    public async Task Migrate_Cancelled_Exits130_AndARerunCompletes()
    {
        Seed("json", records: 3);
        string target = _folder.Combine("migrated");
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var stderr = new StringWriter();
        int code = await CliApp.RunAsync(["migrate", "--store", Store, "--to", target, "--to-backend", "sqlite"], new StringWriter(), stderr,
            new CliHost { WorkingDirectory = _folder.Path }, cts.Token);
        Assert.Equal(130, code);
        Assert.Contains("run the same command again", stderr.ToString());
        var json = (await Ok("migrate", "--store", Store, "--to", target, "--to-backend", "sqlite", "--json")).Json();
        Assert.Equal(3, (int)json["target_record_count"]!);
    }

    // ------------------------------------------------------------------ backup and restore

    [Theory]
    [InlineData("sqlite")]
    [InlineData("json")]
    public async Task Backup_ThenRestore_GivesTheSameStore(string backend)
    {
        var ids = Seed(backend, records: 4);
        var backup = (await Ok("backup", "--store", Store, "--json")).Json();
        string archive = (string)backup["path"]!;
        Assert.StartsWith(Path.Combine(Store, "backups"), archive);
        Assert.Equal(backend, (string?)backup["backend"]);
        Assert.Equal(4, (int)backup["record_count"]!);
        Assert.True((int)backup["files"]! >= 1);
        Assert.True((long)backup["size_bytes"]! > 0);

        string target = _folder.Combine("restored");
        var restored = (await Ok("restore", archive, "--target", target, "--json")).Json();
        Assert.Equal(target, (string?)restored["target"]);
        Assert.Equal(backend, (string?)restored["backend"]);
        Assert.Equal(4, (int)restored["record_count"]!);

        var listed = (await Ok("list", "--store", target, "--backend", backend, "--json")).Json().AsArray();
        Assert.Equal(ids.Order(StringComparer.Ordinal), listed.Select(r => (string)r!["id"]!).Order(StringComparer.Ordinal));
        Assert.Equal(0, (await Run("verify", "--store", target, "--backend", backend)).ExitCode);
    }

    [Fact]
    public async Task Backup_ToAnExplicitPath_AndNotOverAnExistingFile()
    {
        Seed();
        var human = await Ok("backup", "--store", Store, "--output", "b.zip");
        Assert.Equal(_folder.Combine("b.zip"), human.Stdout.Trim());
        Assert.Contains("sqlite backup: 3 record(s)", human.Stderr);
        Assert.Contains("Backing up:", human.Stderr);

        AssertOneLineError(await Run("backup", "--store", Store, "--output", "b.zip"), 1, "already exists");
        AssertOneLineError(await Run("backup", "--store", _folder.Combine("nowhere")), 1, "No store at");
    }

    [Fact]
    public async Task Restore_IntoANonEmptyTarget_NeedsOverwrite()
    {
        Seed();
        string archive = (await Ok("backup", "--store", Store, "--output", "b.zip")).Stdout.Trim();
        string target = _folder.Combine("occupied");
        Directory.CreateDirectory(target);
        await File.WriteAllTextAsync(Path.Combine(target, "keep.txt"), "mine");

        var refused = await Run("restore", archive, "--target", target);
        AssertOneLineError(refused, 1, "not empty");
        Assert.Contains("--overwrite", refused.Stderr);
        Assert.True(File.Exists(Path.Combine(target, "keep.txt")));

        var human = await Ok("restore", archive, "--target", target, "--overwrite");
        Assert.Contains("Restored the sqlite backup", human.Stdout);
        Assert.Contains("3 record(s)", human.Stdout);
        Assert.False(File.Exists(Path.Combine(target, "keep.txt")));
        Assert.True(File.Exists(Path.Combine(target, "ciaf_metadata.db")));
    }

    [Fact]
    public async Task Restore_DamagedBackups_AreRefusedNamingTheProblem_AndTheTargetIsUntouched()
    {
        Seed();
        string good = (await Ok("backup", "--store", Store, "--output", "good.zip")).Stdout.Trim();
        string target = _folder.Combine("restored");

        AssertOneLineError(await Run("restore", "missing.zip", "--target", target), 1, "does not exist");

        string notZip = _folder.Combine("not.zip");
        await File.WriteAllTextAsync(notZip, "this is not a zip");
        AssertOneLineError(await Run("restore", notZip, "--target", target), 1, "not a valid zip archive");

        // A file whose content no longer matches the manifest's SHA-256.
        string tampered = _folder.Combine("tampered.zip");
        File.Copy(good, tampered);
        using (var zip = ZipFile.Open(tampered, ZipArchiveMode.Update))
        {
            var entry = zip.Entries.Single(e => e.FullName != "manifest.json");
            string name = entry.FullName;
            using var original = new MemoryStream();
            using (var s = entry.Open()) s.CopyTo(original);
            entry.Delete();
            byte[] bytes = original.ToArray();
            bytes[^1] ^= 0xFF;
            using var replaced = zip.CreateEntry(name).Open();
            replaced.Write(bytes);
        }
        AssertOneLineError(await Run("restore", tampered, "--target", target), 1, "SHA-256");

        // No manifest at all.
        string bare = _folder.Combine("bare.zip");
        File.Copy(good, bare);
        using (var zip = ZipFile.Open(bare, ZipArchiveMode.Update)) zip.GetEntry("manifest.json")!.Delete();
        AssertOneLineError(await Run("restore", bare, "--target", target), 1, "manifest.json");

        Assert.False(Directory.Exists(target));
        Assert.Equal(2, (await Run("restore", good)).ExitCode);   // --target is required
    }

    // ------------------------------------------------------------------ verify

    [Fact]
    public async Task Verify_CleanStore_ExitsZero()
    {
        Seed(records: 3);
        var json = (await Ok("verify", "--store", Store, "--json")).Json();
        Assert.True((bool)json["valid"]!);
        Assert.Equal(3, (int)json["records_checked"]!);
        Assert.Equal(2, (int)json["compliance_events_checked"]!);
        Assert.Empty(json["issues"]!.AsArray());

        var human = await Ok("verify", "--store", Store);
        Assert.Contains("OK", human.Stdout);
        Assert.Contains("Verifying: 3 records", human.Stderr);
    }

    [Fact]
    public async Task Verify_EditedAndCorruptFiles_AreListed_ExitOne()
    {
        var ids = Seed("json", records: 3);
        string edited = Directory.EnumerateFiles(Store, $"*{ids[0]}.json", SearchOption.AllDirectories).Single();
        string text = await File.ReadAllTextAsync(edited);
        await File.WriteAllTextAsync(edited, text.Replace("\"run\": 0", "\"run\": 42", StringComparison.Ordinal));
        string corrupt = Directory.EnumerateFiles(Store, $"*{ids[1]}.json", SearchOption.AllDirectories).Single();
        await File.WriteAllTextAsync(corrupt, "{ truncated");

        var json = await Run("verify", "--store", Store, "--json");
        AssertOneLineError(json, 1, "integrity problem");
        var report = json.Json();
        Assert.False((bool)report["valid"]!);
        var issues = report["issues"]!.AsArray();
        var mismatch = Assert.Single(issues, i => (string?)i!["kind"] == "hash_mismatch")!;
        Assert.Equal(ids[0], (string?)mismatch["id"]);
        Assert.Equal(edited, (string?)mismatch["location"]);
        Assert.Contains(issues, i => (string?)i!["kind"] == "unreadable" && (string?)i["location"] == corrupt);

        var human = await Run("verify", "--store", Store);
        Assert.Equal(1, human.ExitCode);
        Assert.Contains("hash_mismatch", human.Stdout);
        Assert.Contains(ids[0], human.Stdout);
        Assert.Contains("1 hash_mismatch", human.Stderr);
    }

    [Fact]
    public async Task Verify_UnknownStore_Fails()
    {
        AssertOneLineError(await Run("verify", "--store", _folder.Combine("nowhere")), 1, "No store at");
        AssertOneLineError(await Run("verify", "--store", Store, "--backend", "mongodb"), 2, "Unknown backend");
    }

    // ------------------------------------------------------------------ progress on a terminal

    [Fact]
    public async Task LiveProgress_OnATerminal_StillPrintsTheSummary()
    {
        Seed(records: 250);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var host = new CliHost { WorkingDirectory = _folder.Path, StderrIsTerminal = true };
        int code = await CliApp.RunAsync(["export", "--store", Store, "--format", "csv", "--json", "--no-color"], stdout, stderr, host);
        Assert.True(code == 0, stderr.ToString());
        Assert.Equal(250, (int)JsonNode.Parse(stdout.ToString())!["records"]!);
        Assert.Contains("Exporting: 250 records", stderr.ToString());
    }
}
