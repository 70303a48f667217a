using Ciaf.Cli.Tests.Support;
using Ciaf.Metadata.Encryption;

namespace Ciaf.Cli.Tests;

/// <summary>Regression tests for the command-line attacks of issue 11 (response files, bad durations, key-file warnings, import/migrate).</summary>
public sealed class HardeningCliTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private string Store => _folder.Combine("store");

    public void Dispose() => _folder.Dispose();

    private Task<CliResult> Run(params string[] args) => CiafTool.RunAsync(_folder.Path, args);

    private Task<CliResult> Ok(params string[] args) => CiafTool.OkAsync(_folder.Path, args);

    // ------------------------------------------------------------------ --metadata @file (no response files)

    [Fact]
    public async Task SaveMetadataAtFile_ValidJson_SavesTheFileContentAsMetadata()
    {
        await File.WriteAllTextAsync(_folder.Combine("simple.json"), """{"a": 0.5, "b": 1}""");

        var saved = await Ok("save", "m", "training", "t", "--store", Store, "--metadata", "@simple.json", "--json");

        var record = saved.Json();
        Assert.Equal(0.5, record["metadata"]!["a"]!.GetValue<double>());
        Assert.Equal(1, record["metadata"]!["b"]!.GetValue<int>());
        Assert.Equal(2, record["metadata"]!.AsObject().Count);
        Assert.Equal("1.0.0", record["model_version"]!.GetValue<string>());
    }

    [Fact]
    public async Task SaveMetadataAtFile_FileWithOptions_IsInvalidJsonAndNothingIsSaved()
    {
        string other = _folder.Combine("other");
        await File.WriteAllTextAsync(_folder.Combine("other.json"), $$"""{ "storage_backend": "json", "storage_path": "{{other.Replace("\\", "\\\\", StringComparison.Ordinal)}}" }""");
        await File.WriteAllTextAsync(_folder.Combine("evil.json"), "{}\n--details pwned --model-version 6.6.6\n--config other.json\n");

        var result = await Run("save", "m", "training", "t", "--store", Store, "--metadata", "@evil.json");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("not valid JSON", result.Stderr);
        Assert.False(Directory.Exists(other));
        Assert.False(Directory.Exists(Store) && Directory.EnumerateFiles(Store, "*", SearchOption.AllDirectories).Any(),
            "nothing may be saved");
    }

    // ------------------------------------------------------------------ bounded days and durations

    [Fact]
    public async Task ConfigValidate_RetentionBeyondMaximum_FailsNamingTheLimit()
    {
        await File.WriteAllTextAsync(_folder.Combine("big.json"), """{ "metadata_retention_days": 3000000, "compliance_retention_days": 3000000 }""");

        var result = await Run("config", "validate", "big.json");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("metadata_retention_days", result.Stdout + result.Stderr);
        Assert.Contains("at most 365000 days", result.Stdout + result.Stderr);
        Assert.DoesNotContain("un-representable", result.Stdout + result.Stderr);
    }

    [Theory]
    [InlineData("list", "--since", "99999999d")]
    [InlineData("list", "--since", "1e300w")]
    [InlineData("audit", "--until", "800000d")]
    [InlineData("events", "--since", "99999999d")]
    [InlineData("cleanup", "--days", "99999999")]
    public async Task TimeOptions_BeyondWhatADateHolds_AreUsageErrors(string command, string option, string value)
    {
        await Ok("save", "m", "training", "t", "--store", Store);

        var result = await Run(command, option, value, "--store", Store);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains($"ciaf: error:", result.Stderr);
        Assert.DoesNotContain("overflow", result.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Unexpected", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListSince_LargeButRepresentableAge_ListsEverything()
    {
        await Ok("save", "m", "training", "t", "--store", Store);

        var result = await Ok("list", "--since", "700000d", "--store", Store, "--json");

        Assert.Single(result.Json().AsArray());
    }

    // ------------------------------------------------------------------ library warnings on stderr

    /// <summary>A configuration naming an encrypting store whose key file has the given mode.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private async Task<string> EncryptedConfigAsync(UnixFileMode keyMode)
    {
        string key = _folder.Combine("metadata.key");
        MetadataEncryption.GenerateKey(key);
        File.SetUnixFileMode(key, keyMode);
        string file = _folder.Combine("encrypted.json");
        await File.WriteAllTextAsync(file, $$"""
            { "storage_backend": "json", "storage_path": "store", "encrypt_sensitive_data": true, "encryption_key_path": "metadata.key" }
            """);
        return file;
    }

    [UnixFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task OpenStore_KeyFileReadableByOthers_WarnsOnStderr()
    {
        string config = await EncryptedConfigAsync(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var result = await Ok("save", "m", "training", "t", "--config", config);

        var warning = Assert.Single(result.Stderr.Split('\n'), l => l.StartsWith("ciaf: warning:", StringComparison.Ordinal));
        Assert.Contains("key file", warning);
        Assert.Contains("chmod 600", warning);
        Assert.Contains(_folder.Combine("metadata.key"), warning);
    }

    [UnixFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task OpenStore_OwnerOnlyKeyFile_NoWarning()
    {
        string config = await EncryptedConfigAsync(UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var result = await Ok("save", "m", "training", "t", "--config", config);

        Assert.DoesNotContain("warning", result.Stderr, StringComparison.Ordinal);
    }

    // ------------------------------------------------------------------ import: one bad id does not abort

    [Fact]
    public async Task Import_BadIdsAmongGoodEntries_ListsThemImportsTheRestAndExitsOne()
    {
        await Ok("save", "m", "training", "t", "--store", Store, "--metadata", """{"a": 1}""");
        string export = (await Ok("export", "--store", Store, "--format", "jsonl")).Stdout.Trim();
        var record = System.Text.Json.Nodes.JsonNode.Parse(File.ReadLines(export).First())!.AsObject();
        string file = _folder.Combine("bad.jsonl");
        await File.WriteAllLinesAsync(file, new[] { "good-1", "", new string('x', 5000), "good-2" }.Select(id =>
        {
            var copy = record.DeepClone().AsObject();
            copy["id"] = id;
            return copy.ToJsonString();
        }));
        string target = _folder.Combine("target");

        var result = await Run("import", file, "--store", target, "--json");

        Assert.True(result.ExitCode == 1, result.ToString());
        var json = result.Json();
        Assert.Equal(2, json["imported"]!.GetValue<int>());
        Assert.Equal(["line 2", "line 3"], json["errors"]!.AsArray().Select(e => e!["position"]!.GetValue<string>()));
        Assert.Equal(2, (await Ok("list", "--store", target, "--json")).Json().AsArray().Count);
    }

    // ------------------------------------------------------------------ import/migrate into an encrypting store

    [UnixFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Import_PlaintextSensitiveIntoEncryptingStore_RefusedUnlessAllowPlaintext()
    {
        string plain = _folder.Combine("plain");
        await Ok("save", "m", "training", "t", "--store", plain, "--metadata", """{"ssn": "123-45-6789", "score": 0.5}""");
        string export = (await Ok("export", "--store", plain, "--format", "jsonl")).Stdout.Trim();
        string config = await EncryptedConfigAsync(UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var refused = await Run("import", export, "--config", config, "--json");

        Assert.True(refused.ExitCode == 1, refused.ToString());
        Assert.Equal(0, refused.Json()["imported"]!.GetValue<int>());
        Assert.Contains("--allow-plaintext", refused.Json()["errors"]![0]!["reason"]!.GetValue<string>());

        var allowed = await Ok("import", export, "--config", config, "--allow-plaintext", "--json");

        Assert.Equal(1, allowed.Json()["plaintext_sensitive_imported"]!.GetValue<int>());
        Assert.Contains("ciaf: warning: 1 imported record(s) hold sensitive fields in plaintext", allowed.Stderr);
    }

    [UnixFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Migrate_EncryptingStoreWithLegacyPlaintext_RefusedUnlessAllowPlaintext()
    {
        // A record saved before encryption was switched on, then the store's configuration encrypts.
        await Ok("save", "m", "training", "t", "--store", _folder.Combine("store"), "--metadata", """{"ssn": "123-45-6789"}""");
        string config = await EncryptedConfigAsync(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        string target = _folder.Combine("target");

        var refused = await Run("migrate", "--to", target, "--to-backend", "sqlite", "--config", config, "--json");

        Assert.True(refused.ExitCode == 1, refused.ToString());
        Assert.Equal(0, refused.Json()["records_copied"]!.GetValue<long>());
        Assert.Single(refused.Json()["plaintext_sensitive_refused"]!.AsArray());
        Assert.Contains("--allow-plaintext", refused.Stderr);

        var allowed = await Ok("migrate", "--to", target, "--to-backend", "sqlite", "--config", config, "--allow-plaintext", "--json");

        Assert.Equal(1, allowed.Json()["records_copied"]!.GetValue<long>());
        Assert.Contains("ciaf: warning:", allowed.Stderr);
    }
}

/// <summary>A fact that runs only where Unix file modes exist.</summary>
internal sealed class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute()
    {
        if (OperatingSystem.IsWindows()) Skip = "Unix file modes only.";
    }
}
