using Ciaf.Cli.Tests.Support;

namespace Ciaf.Cli.Tests;

/// <summary>Record contents of issue 11 through the command line: lone surrogates and metadata nested too deeply.</summary>
public sealed class HardeningContentTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private string Store => _folder.Combine("store");

    public void Dispose() => _folder.Dispose();

    private Task<CliResult> Run(params string[] args) => CiafTool.RunAsync(_folder.Path, args);

    private Task<CliResult> Ok(params string[] args) => CiafTool.OkAsync(_folder.Path, args);

    [Fact]
    public async Task Save_LoneSurrogateEscape_SavesAndTheStoreStaysUsable()
    {
        var saved = await Ok("save", "m", "s", "e", "--store", Store, "--metadata", """{"a":"\ud800"}""", "--json");
        string id = saved.Json()["id"]!.GetValue<string>();

        var got = await Ok("get", id, "--store", Store, "--json");
        var verified = await Run("verify", "--store", Store);
        var exported = await Ok("export", "--store", Store, "--format", "jsonl", "--output", _folder.Combine("out.jsonl"));

        // The stored hash is Python's for {"a": "\ud800"}; --json output (System.Text.Json) shows the lone surrogate as U+FFFD.
        Assert.Equal("f6ce88b5d0b4f17a625764062775db270c469f9cdc94f09e66828315f5c547a9", got.Json()["metadata_hash"]!.GetValue<string>());
        Assert.True(verified.ExitCode == 0, verified.ToString());
        Assert.Contains("\\ud800", await File.ReadAllTextAsync(_folder.Combine("out.jsonl")), StringComparison.Ordinal);
        Assert.DoesNotContain("Unexpected error", saved.Stderr + got.Stderr + exported.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Save_Metadata255LevelsDeep_IsRefusedNamingTheLimit()
    {
        string deep = string.Concat(Enumerable.Repeat("{\"n\":", 254)) + "{}" + new string('}', 254);

        var result = await Run("save", "m", "s", "e", "--store", Store, "--metadata", deep);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("64 levels", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unexpected error", result.Stderr, StringComparison.Ordinal);
    }
}
