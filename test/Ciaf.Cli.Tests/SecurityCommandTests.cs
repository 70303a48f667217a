using System.Text.Json.Nodes;
using Ciaf.Cli.Tests.Support;
using Ciaf.Metadata;
using Ciaf.Metadata.Encryption;
using Ciaf.Metadata.Retention;
using Ciaf.Metadata.Storage;

namespace Ciaf.Cli.Tests;

/// <summary>keygen, hold add|release|list, audit, and cleanup with legal holds, against temporary stores.</summary>
public sealed class SecurityCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private string Store => _folder.Combine("store");

    public void Dispose() => _folder.Dispose();

    private Task<CliResult> Run(params string[] args) => CiafTool.RunAsync(_folder.Path, args);

    private Task<CliResult> Ok(params string[] args) => CiafTool.OkAsync(_folder.Path, args);

    private async Task<string> SaveAsync(string model, string stage = "training", string eventType = "t", params string[] extra) =>
        (await Ok(["save", model, stage, eventType, "--store", Store, "--backend", "sqlite", .. extra])).Stdout.Trim();

    private static void AssertOneLineError(CliResult result, int exitCode, string contains)
    {
        Assert.True(result.ExitCode == exitCode, result.ToString());
        var errors = result.Stderr.Split('\n').Where(l => l.StartsWith("ciaf: error:", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 1, result.ToString());
        Assert.Contains(contains, errors[0]);
    }

    /// <summary>A configuration file naming the store, with the audit of every access on.</summary>
    private async Task<string> AuditedConfigAsync()
    {
        string file = _folder.Combine("audited.json");
        string store = Store.Replace("\\", "\\\\", StringComparison.Ordinal);
        await File.WriteAllTextAsync(file, $$"""{ "storage_backend": "sqlite", "storage_path": "{{store}}", "audit_all_access": true, "user_id": "alice" }""");
        return file;
    }

    // ------------------------------------------------------------------ keygen

    [Fact]
    public async Task Keygen_WritesAnOwnerOnlyKey_AndNeverReplacesOneUnasked()
    {
        var result = await Ok("keygen");
        string path = result.Stdout.Trim();
        Assert.Equal(_folder.Combine("keys", "metadata.key"), path);
        byte[] key = MetadataEncryption.LoadKey(path);
        Assert.Equal(32, key.Length);
        Assert.Contains("key id " + MetadataEncryption.KeyId(key), result.Stderr);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        AssertOneLineError(await Run("keygen"), 1, "already exists");
        Assert.Equal(key, MetadataEncryption.LoadKey(path));

        var replaced = (await Ok("keygen", "--overwrite", "--json")).Json();
        Assert.True((bool)replaced["replaced"]!);
        Assert.NotEqual(key, MetadataEncryption.LoadKey(path));
        Assert.Equal(MetadataEncryption.KeyId(MetadataEncryption.LoadKey(path)), (string?)replaced["key_id"]);
    }

    [Fact]
    public async Task Keygen_ExplicitPath_AndTheConfiguredPath()
    {
        var json = (await Ok("keygen", "secrets/a.key", "--json")).Json();
        Assert.Equal(_folder.Combine("secrets", "a.key"), (string?)json["path"]);
        Assert.Matches("^[0-9a-f]{8}$", (string?)json["key_id"]);

        await File.WriteAllTextAsync(_folder.Combine("enc.json"), """{ "encrypt_sensitive_data": true, "encryption_key_path": "conf/k.key" }""");
        var configured = await Ok("keygen", "--config", "enc.json");
        Assert.Equal(_folder.Combine("conf", "k.key"), configured.Stdout.Trim());
        Assert.Contains("key path from --config", configured.Stderr);

        // The key works: a store encrypting with it keeps the sensitive value out of the file and reads it back.
        var options = new MetadataStorageOptions
        {
            StoragePath = _folder.Combine("enc"), Backend = "sqlite",
            EncryptSensitiveData = true, EncryptionKeyPath = _folder.Combine("conf", "k.key"), SensitiveFields = ["ssn"],
        };
        using var storage = new MetadataStorage(options);
        string id = storage.SaveMetadata("m", "training", "t", new { ssn = "123-45-6789" });
        Assert.Equal("123-45-6789", (string?)storage.GetMetadata(id)!.Metadata["ssn"]);
    }

    // ------------------------------------------------------------------ hold

    [Fact]
    public async Task Hold_AddListRelease()
    {
        string id = await SaveAsync("credit");
        await Ok("hold", "add", "credit", "--reason", "Case 2026-17", "--store", Store);
        var record = (await Ok("hold", "add", id, "--record", "--reason", "DSAR 881", "--store", Store, "--json")).Json();
        Assert.Equal("record", (string?)record["scope"]);
        Assert.Equal(id, (string?)record["target"]);

        var holds = (await Ok("hold", "list", "--store", Store, "--json")).Json().AsArray();
        Assert.Equal(["model", "record"], holds.Select(h => (string?)h!["scope"]));
        Assert.Equal("Case 2026-17", (string?)holds[0]!["reason"]);
        Assert.NotNull((string?)holds[0]!["placed_by"]);
        var table = await Ok("hold", "list", "--store", Store);
        Assert.Contains("DSAR 881", table.Stdout);

        var released = (await Ok("hold", "release", "credit", "--reason", "case closed", "--store", Store, "--json")).Json();
        Assert.True((bool)released["released"]!);
        Assert.Contains("released", (await Ok("hold", "release", id, "--record", "--store", Store)).Stdout);
        Assert.Empty((await Ok("hold", "list", "--store", Store, "--json")).Json().AsArray());
        Assert.Contains("No legal holds", (await Ok("hold", "list", "--store", Store)).Stderr);
    }

    [Fact]
    public async Task Hold_BadInput()
    {
        await SaveAsync("credit");
        AssertOneLineError(await Run("hold", "release", "credit", "--store", Store), 1, "No legal hold on model 'credit'");
        AssertOneLineError(await Run("hold", "add", "no-such-id", "--record", "--reason", "x", "--store", Store), 1, "No record with id 'no-such-id'");
        Assert.Equal(2, (await Run("hold", "add", "credit", "--store", Store)).ExitCode);                        // --reason is required
        AssertOneLineError(await Run("hold", "add", "credit", "--reason", " ", "--store", Store), 2, "--reason");
        Assert.Equal(2, (await Run("hold", "add", "../evil", "--reason", "x", "--store", Store)).ExitCode);       // invalid model name
        Assert.Equal(2, (await Run("hold", "--store", Store)).ExitCode);                                          // a subcommand is needed
        AssertOneLineError(await Run("hold", "list", "--store", _folder.Combine("nowhere")), 1, "No store at");
    }

    // ------------------------------------------------------------------ cleanup with the library's preview

    [Fact]
    public async Task Cleanup_HonoursLegalHolds_AndTheDryRunSaysWhatTheyKeep()
    {
        string kept = await SaveAsync("held_model");
        string gone = await SaveAsync("other");
        await Ok("hold", "add", "held_model", "--reason", "Case 9", "--store", Store);
        await Task.Delay(20);

        var preview = (await Ok("cleanup", "--days", "0", "--dry-run", "--store", Store, "--json")).Json();
        Assert.True((bool)preview["dry_run"]!);
        Assert.Equal(1, (int)preview["records"]!);
        Assert.Equal(gone, (string?)preview["items"]![0]!["id"]);
        Assert.Equal(kept, (string?)Assert.Single(preview["held"]!.AsArray())!["id"]);
        Assert.Contains("Case 9", (string?)preview["held"]![0]!["reason"]);
        Assert.Equal(1, (int)preview["by_model"]!["other"]!);
        var human = await Ok("cleanup", "--days", "0", "--dry-run", "--store", Store);
        Assert.Contains("Legal holds keep 1 item(s)", human.Stdout);
        Assert.Equal(2, (await Ok("list", "--store", Store, "--json")).Json().AsArray().Count);

        var removed = (await Ok("cleanup", "--days", "0", "--store", Store, "--json")).Json();
        Assert.False((bool)removed["dry_run"]!);
        Assert.Equal(1, (int)removed["removed"]!);
        Assert.Equal(kept, (string?)Assert.Single((await Ok("list", "--store", Store, "--json")).Json().AsArray())!["id"]);

        // Removals are always audited, whatever audit_all_access.
        var deletes = (await Ok("audit", "--action", "delete", "--store", Store, "--json")).Json().AsArray();
        Assert.Equal(gone, (string?)Assert.Single(deletes)!["parent_id"]);
    }

    // ------------------------------------------------------------------ audit

    [Fact]
    public async Task Audit_ListsEntries_WithFilters()
    {
        string config = await AuditedConfigAsync();
        string id = (await Ok("save", "m", "training", "t", "--config", config)).Stdout.Trim();
        await Ok("get", id, "--config", config);
        await Ok("get", id, "--config", config);
        await Ok("list", "--config", config);

        var all = (await Ok("audit", "--config", config, "--limit", "0", "--json")).Json().AsArray();
        Assert.Contains(all, e => (string?)e!["action"] == "save" && (string?)e["parent_id"] == id);
        Assert.True(all.Count >= 4, all.ToJsonString());
        Assert.All(all, e => Assert.Equal("alice", (string?)e!["user_id"]));

        var reads = (await Ok("audit", "--config", config, "--action", "read", "--record", id, "--json")).Json().AsArray();
        Assert.Equal(2, reads.Count);
        Assert.Single((await Ok("audit", "--config", config, "--action", "read", "--limit", "1", "--json")).Json().AsArray());
        Assert.Empty((await Ok("audit", "--config", config, "--user", "bob", "--json")).Json().AsArray());
        Assert.Empty((await Ok("audit", "--config", config, "--since", "2999-01-01", "--json")).Json().AsArray());
        Assert.Empty((await Ok("audit", "--config", config, "--until", "2000-01-01", "--json")).Json().AsArray());

        var oldest = (await Ok("audit", "--config", config, "--oldest-first", "--limit", "0", "--json")).Json().AsArray();
        Assert.Equal("save", (string?)oldest[0]!["action"]);
        Assert.Equal("m", (string?)oldest[0]!["details"]!["model_name"]);   // details parsed as JSON

        var table = await Ok("audit", "--config", config, "--action", "read");
        Assert.Contains("read", table.Stdout);
        Assert.Contains("alice", table.Stdout);
    }

    [Fact]
    public async Task Audit_BadInput_AndAnEmptyTrail()
    {
        await SaveAsync("m");
        var none = await Ok("audit", "--action", "read", "--store", Store);
        Assert.Contains("No audit entries match", none.Stderr);
        Assert.Contains("audit_all_access", none.Stderr);
        Assert.Equal(2, (await Run("audit", "--since", "someday", "--store", Store)).ExitCode);
        Assert.Equal(2, (await Run("audit", "--limit", "-1", "--store", Store)).ExitCode);
        AssertOneLineError(await Run("audit", "--store", _folder.Combine("nowhere")), 1, "No store at");
    }

    [Fact]
    public async Task HoldsAreVisibleToTheLibrary()
    {
        await SaveAsync("credit");
        await Ok("hold", "add", "credit", "--reason", "Case 1", "--store", Store);
        using var storage = new MetadataStorage(Store, "sqlite");
        var hold = Assert.Single(storage.GetLegalHolds());
        Assert.Equal(LegalHoldScope.Model, hold.Scope);
        Assert.Equal("credit", hold.Target);
    }

    [Fact]
    public async Task Audit_Output_WritesTheFilteredTrailToAFile()
    {
        string config = await AuditedConfigAsync();
        string id = (await Ok("save", "m", "training", "t", "--config", config)).Stdout.Trim();
        await Ok("get", id, "--config", config);

        var json = (await Ok("audit", "--config", config, "--action", "read", "--output", "reads.csv", "--json")).Json();
        Assert.Equal("csv", (string?)json["format"]);
        string[] lines = await File.ReadAllLinesAsync(_folder.Combine("reads.csv"));
        Assert.StartsWith("id,parent_id,action", lines[0]);
        Assert.Single(lines.Skip(1), l => l.Contains(",read,", StringComparison.Ordinal));

        var jsonl = await Ok("audit", "--config", config, "--output", "all.log");
        Assert.Equal(_folder.Combine("all.log"), jsonl.Stdout.Trim());
        Assert.Contains("\"action\": \"save\"", await File.ReadAllTextAsync(_folder.Combine("all.log")));

        Assert.Equal(2, (await Run("audit", "--config", config, "--output", "x.xml", "--format", "xml")).ExitCode);
        Assert.Equal(2, (await Run("audit", "--config", config, "--format", "csv")).ExitCode);
    }

    [Fact]
    public async Task Migrate_CarriesLegalHoldsAndTheAuditTrail()
    {
        await SaveAsync("credit");
        await Ok("hold", "add", "credit", "--reason", "Case 1", "--store", Store);
        var result = (await Ok("migrate", "--store", Store, "--to", "copy", "--to-backend", "json", "--json")).Json();
        Assert.Equal(1, (int)result["legal_holds_copied"]!);
        Assert.True((int)result["audit_entries_copied"]! >= 1);
        var holds = (await Ok("hold", "list", "--store", "copy", "--json")).Json().AsArray();
        Assert.Equal("Case 1", (string?)Assert.Single(holds)!["reason"]);
        Assert.Single((await Ok("audit", "--action", "hold", "--store", "copy", "--json")).Json().AsArray());
    }

    // ------------------------------------------------------------------ data subjects

    [Fact]
    public async Task EraseSubject_DestroysItsKey_ExportShowsErasedValues_VerifyPasses_AndBadInputIsClear()
    {
        await Ok("keygen", "subject.key");
        string config = _folder.Combine("subjects.json");
        string store = Store.Replace("\\", "\\\\", StringComparison.Ordinal);
        await File.WriteAllTextAsync(config, $$"""
            { "storage_backend": "sqlite", "storage_path": "{{store}}", "user_id": "dpo", "encrypt_sensitive_data": true,
              "encryption_key_path": "subject.key", "subject_fields": ["applicant.id"] }
            """);
        string id = (await Ok("save", "credit", "inference", "scored", "--config", config, "-d", """{"applicant": {"id": "A-9", "ssn": "123-45-6789"}}""")).Stdout.Trim();
        var before = (await Ok("subject", "export", "A-9", "--config", config)).Stdout.Trim();
        Assert.Contains("123-45-6789", before, StringComparison.Ordinal);

        var erased = (await Ok("erase", "--subject", "A-9", "--reason", "GDPR request 311", "--config", config, "--json")).Json();

        Assert.Equal("dpo", (string?)erased["erased_by"]);
        Assert.False((bool)erased["already_erased"]!);
        var after = JsonNode.Parse((await Ok("subject", "export", "A-9", "--config", config)).Stdout.Trim())!;
        Assert.Equal(id, (string?)after["id"]);
        Assert.Equal("v1", (string?)after["metadata"]!["applicant"]!["ssn"]!["$ciaf_erased"]);
        await Ok("verify", "--config", config);
        Assert.True((bool)(await Ok("erase", "--subject", "A-9", "--reason", "again", "--config", config, "--json")).Json()["already_erased"]!);
        AssertOneLineError(await Run("erase", "--subject", "nobody", "--reason", "x", "--config", config), 1, "holds no key for that data subject");
        AssertOneLineError(await Run("erase", "--subject", "A-9", "--reason", " ", "--config", config), 2, "--reason must not be empty");
    }
}
