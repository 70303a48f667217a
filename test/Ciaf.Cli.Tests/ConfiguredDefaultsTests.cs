using System.Text.Json.Nodes;
using Ciaf.Cli.Tests.Support;

namespace Ciaf.Cli.Tests;

/// <summary>Configuration keys the tool reads as defaults for its options.</summary>
public sealed class ConfiguredDefaultsTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Export_NoFormat_UsesDefaultExportFormat_AndAnExplicitOneWins()
    {
        File.WriteAllText(_folder.Combine("cfg.json"), new JsonObject
        {
            ["storage_backend"] = "json", ["storage_path"] = "store", ["default_export_format"] = "jsonl",
        }.ToJsonString());
        await CiafTool.OkAsync(_folder.Path, "--config", "cfg.json", "save", "m", "training", "e", "--metadata", "{\"a\": 1}");

        var configured = (await CiafTool.OkAsync(_folder.Path, "--config", "cfg.json", "export", "--json")).Json();
        var chosen = (await CiafTool.OkAsync(_folder.Path, "--config", "cfg.json", "export", "--format", "csv", "--json")).Json();
        var events = (await CiafTool.OkAsync(_folder.Path, "--config", "cfg.json", "export", "--events", "--json")).Json();

        Assert.Equal("jsonl", (string?)configured["format"]);
        Assert.EndsWith(".jsonl", (string?)configured["path"], StringComparison.Ordinal);
        Assert.Single(File.ReadAllLines((string)configured["path"]!));
        Assert.Equal("csv", (string?)chosen["format"]);
        Assert.Equal("jsonl", (string?)events["format"]); // a format compliance events support too
    }
}
