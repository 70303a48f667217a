using Ciaf.Cli.Tests.Support;

namespace Ciaf.Cli.Tests;

/// <summary><c>init</c>, <c>config show|validate|template</c>, and finding the store through configuration.</summary>
public sealed class ConfigAndInitTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private Task<CliResult> Run(params string[] args) => CiafTool.RunAsync(_folder.Path, args);

    private Task<CliResult> Ok(params string[] args) => CiafTool.OkAsync(_folder.Path, args);

    [Fact]
    public async Task Init_WritesConfigCreatesStore_AndLaterCommandsFindIt()
    {
        var init = await Ok("init", "fraud_model", "--backend", "sqlite", "--template", "production");
        Assert.Contains("Initialized", init.Stdout);
        Assert.Contains("Next steps", init.Stdout);
        Assert.Contains("ciaf trace fraud_model", init.Stdout);
        Assert.True(File.Exists(_folder.Combine("ciaf_config.json")));
        Assert.True(File.Exists(_folder.Combine("fraud_model_metadata", "ciaf_metadata.db")));

        var list = await Ok("list", "--json");
        Assert.Contains("ciaf_config.json", list.Stderr);
        var record = Assert.Single(list.Json().AsArray())!;
        Assert.Equal("project_initialized", (string?)record["event_type"]);
        Assert.Equal("production", (string?)record["metadata"]!["template"]);

        var show = (await Ok("config", "show", "--json")).Json();
        Assert.Equal("sqlite", (string?)show["storage_backend"]);
        Assert.Equal("fraud_model_metadata", (string?)show["storage_path"]);
        Assert.Equal("fraud_model", (string?)show["project_name"]);
        Assert.Contains("valid", (await Ok("config", "validate")).Stdout);
    }

    [Fact]
    public async Task ConfigShow_Secrets_AreHiddenInTableAndJson()
    {
        await File.WriteAllTextAsync(_folder.Combine("secrets.json"), """
            { "postgres_connection_string": "Host=db;Username=ciaf;Password=hunter2-secret", "openlineage_api_key": "ol-key-topsecret", "server_oidc_client_secret": "oidc-topsecret" }
            """);
        var json = await CiafTool.RunAsync(_folder.Path, "config", "show", "--config", "secrets.json", "--json");
        var table = await CiafTool.RunAsync(_folder.Path, "config", "show", "--config", "secrets.json");

        foreach (var shown in new[] { json, table })
        {
            Assert.True(shown.ExitCode == 0, shown.ToString());
            Assert.DoesNotContain("hunter2-secret", shown.Stdout + shown.Stderr);
            Assert.DoesNotContain("ol-key-topsecret", shown.Stdout + shown.Stderr);
            Assert.DoesNotContain("oidc-topsecret", shown.Stdout + shown.Stderr);
        }
        Assert.Equal("(set; hidden)", (string?)json.Json()["postgres_connection_string"]);
        Assert.Equal("(set; hidden)", (string?)json.Json()["openlineage_api_key"]);
        Assert.Contains("(set; hidden)", table.Stdout);
    }

    [Fact]
    public async Task Init_JsonAndExistingConfig()
    {
        var json = (await Ok("init", "p", "--store", "custom_store", "--json")).Json();
        Assert.Equal(_folder.Combine("custom_store"), (string?)json["store"]);
        Assert.Equal("json", (string?)json["backend"]);   // the development template's backend
        Assert.True(Directory.Exists(_folder.Combine("custom_store")));

        var again = await Run("init", "p");
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("--force", again.Stderr);
        await Ok("init", "p", "--force", "--template", "testing");

        Assert.Equal(2, (await Run("init", "p", "--template", "nope", "--force")).ExitCode);
        Assert.Equal(2, (await Run("init", "p", "--backend", "nope", "--force")).ExitCode);
    }

    [Fact]
    public async Task ConfigOption_FindsTheStore_AndUnreadableConfigFails()
    {
        string store = _folder.Combine("from_config");
        await File.WriteAllTextAsync(_folder.Combine("my.json"), $$"""{ "storage_backend": "sqlite", "storage_path": "{{store.Replace("\\", "\\\\", StringComparison.Ordinal)}}" }""");
        await Ok("save", "m", "training", "t", "--config", "my.json");
        var list = await Ok("list", "--config", "my.json", "--json");
        Assert.Contains("--config", list.Stderr);
        Assert.Single(list.Json().AsArray());
        Assert.True(File.Exists(Path.Combine(store, "ciaf_metadata.db")));

        await File.WriteAllTextAsync(_folder.Combine("broken.json"), "{ \"storage_backend\": ");
        var broken = await Run("list", "--config", "broken.json");
        Assert.Equal(1, broken.ExitCode);
        Assert.Contains("Cannot read configuration file", broken.Stderr);
        Assert.Single(broken.Stderr.Trim().Split('\n'), l => l.StartsWith("ciaf: error:", StringComparison.Ordinal));

        var missing = await Run("list", "--config", "missing.json");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("not found", missing.Stderr);

        await File.WriteAllTextAsync(_folder.Combine("invalid.json"), """{ "storage_backend": "sqlite", "batch_size": "abc" }""");
        var invalid = await Run("list", "--config", "invalid.json");
        Assert.Equal(1, invalid.ExitCode);
        Assert.Contains("batch_size", invalid.Stderr);
    }

    [Fact]
    public async Task NoStoreAnywhere_Fails()
    {
        if (Environment.GetEnvironmentVariable("CIAF_STORAGE_PATH") is not null) return;
        var result = await Run("list");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("No store found", result.Stderr);
    }

    [Fact]
    public async Task ConfigValidate_ListsEveryError()
    {
        await File.WriteAllTextAsync(_folder.Combine("bad.json"), """{ "batch_size": 0, "compliance_score_threshold": 3 }""");
        var result = await Run("config", "validate", "bad.json", "--json");
        Assert.Equal(1, result.ExitCode);
        var json = result.Json();
        Assert.False((bool)json["valid"]!);
        Assert.NotNull(json["errors"]!["batch_size"]);
        Assert.NotNull(json["errors"]!["compliance_score_threshold"]);
        Assert.Contains("invalid", (await Run("config", "validate", "bad.json")).Stdout);
        Assert.Equal(1, (await Run("config", "validate", "nothing.json")).ExitCode);
    }

    [Fact]
    public async Task ConfigTemplate_ListsPrintsAndWrites()
    {
        var names = (await Ok("config", "template", "--json")).Json().AsArray().Select(n => (string?)n).ToList();
        Assert.Contains("production", names);
        Assert.Contains("compliance_first", (await Ok("config", "template")).Stdout);

        var printed = (await Ok("config", "template", "production")).Json();
        Assert.Equal("sqlite", (string?)printed["storage_backend"]);

        var written = await Ok("config", "template", "testing", "--output", "t.json");
        Assert.Equal(_folder.Combine("t.json"), written.Stdout.Trim());
        Assert.Contains("\"storage_path\": \"test_metadata\"", await File.ReadAllTextAsync(_folder.Combine("t.json")));
        Assert.Equal(1, (await Run("config", "template", "testing", "--output", "t.json")).ExitCode);
        await Ok("config", "template", "testing", "--output", "t.json", "--force");
        Assert.Equal(2, (await Run("config", "template", "nonsense")).ExitCode);
    }
}

/// <summary>The CIAF_* variables are process-wide: these tests run alone.</summary>
[CollectionDefinition(nameof(EnvironmentCollection), DisableParallelization = true)]
public sealed class EnvironmentCollection;

[Collection(nameof(EnvironmentCollection))]
public sealed class EnvironmentResolutionTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("CIAF_STORAGE_PATH", null);
        Environment.SetEnvironmentVariable("CIAF_STORAGE_BACKEND", null);
        _folder.Dispose();
    }

    [Fact]
    public async Task CiafVariables_ComeAfterOptionsAndBeforeTheLocalConfigFile()
    {
        string fromEnv = _folder.Combine("env_store");
        string fromFile = _folder.Combine("file_store");
        string fromOption = _folder.Combine("option_store");
        await File.WriteAllTextAsync(_folder.Combine("ciaf_config.json"), $$"""{ "storage_backend": "json", "storage_path": "{{fromFile.Replace("\\", "\\\\", StringComparison.Ordinal)}}" }""");
        await CiafTool.OkAsync(_folder.Path, "save", "m", "training", "from_file");

        Environment.SetEnvironmentVariable("CIAF_STORAGE_PATH", fromEnv);
        Environment.SetEnvironmentVariable("CIAF_STORAGE_BACKEND", "sqlite");
        await CiafTool.OkAsync(_folder.Path, "save", "m", "training", "from_env");
        var env = await CiafTool.OkAsync(_folder.Path, "list", "--json");
        Assert.Contains("CIAF_STORAGE_PATH", env.Stderr);
        Assert.Equal("from_env", (string?)Assert.Single(env.Json().AsArray())!["event_type"]);
        Assert.True(File.Exists(Path.Combine(fromEnv, "ciaf_metadata.db")));

        await CiafTool.OkAsync(_folder.Path, "save", "m", "training", "from_option", "--store", fromOption);
        var option = await CiafTool.OkAsync(_folder.Path, "list", "--store", fromOption, "--json");
        Assert.Contains("--store", option.Stderr);
        Assert.Equal("from_option", (string?)Assert.Single(option.Json().AsArray())!["event_type"]);

        Environment.SetEnvironmentVariable("CIAF_STORAGE_PATH", null);
        Environment.SetEnvironmentVariable("CIAF_STORAGE_BACKEND", null);
        var file = await CiafTool.OkAsync(_folder.Path, "list", "--json");
        Assert.Equal("from_file", (string?)Assert.Single(file.Json().AsArray())!["event_type"]);
    }
}
