using System.Text.Json.Nodes;
using Ciaf.Cli.Tests.Support;

namespace Ciaf.Cli.Tests;

/// <summary><c>ciaf search</c> and the <c>--filter</c> of list, events and export.</summary>
public sealed class SearchCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private string Store => _folder.Combine("store");

    public void Dispose() => _folder.Dispose();

    private Task<CliResult> Run(params string[] args) => CiafTool.RunAsync(_folder.Path, [.. args, "--store", Store]);

    private async Task<CliResult> Ok(params string[] args) => await CiafTool.OkAsync(_folder.Path, [.. args, "--store", Store]);

    private async Task<List<string>> SaveAccuracies(params double[] accuracies)
    {
        var ids = new List<string>();
        foreach (double a in accuracies)
        {
            var result = await CiafTool.OkAsync(_folder.Path, "save", "credit_scoring", "training", "model_trained", "--metadata",
                "{\"performance\": {\"accuracy\": " + a.ToString(System.Globalization.CultureInfo.InvariantCulture) + "}}", "--store", Store, "--backend", "sqlite");
            ids.Add(result.Stdout.Trim());
        }
        return ids;
    }

    [Fact]
    public async Task Search_JsonPages_RecordsAsGetPrintsThemAndCursorToTheEnd()
    {
        var ids = await SaveAccuracies(0.95, 0.80, 0.85, 0.70);
        var first = (await Ok("search", "metadata.performance.accuracy < 0.9", "--order-by", "metadata.performance.accuracy", "asc", "--limit", "2", "--json")).Json();
        var records = first["records"]!.AsArray();
        Assert.Equal([ids[3], ids[1]], records.Select(r => (string)r!["id"]!));
        var get = (await Ok("get", ids[3], "--json")).Json();
        Assert.True(JsonNode.DeepEquals(get, records[0]), "records print exactly as ciaf get --json prints them");
        string cursor = (string)first["next_cursor"]!;
        var second = (await Ok("search", "metadata.performance.accuracy < 0.9", "--order-by", "metadata.performance.accuracy", "asc", "--limit", "2", "--cursor", cursor, "--json")).Json();
        Assert.Equal([ids[2]], second["records"]!.AsArray().Select(r => (string)r!["id"]!));
        Assert.Null(second["next_cursor"]);
    }

    [Fact]
    public async Task Search_CountJson_PrintsCount()
    {
        await SaveAccuracies(0.95, 0.80, 0.85);
        var json = (await Ok("search", "metadata.performance.accuracy >= 0.85", "--count", "--json")).Json();
        Assert.Equal(2, (long)json["count"]!);
        Assert.Equal("2", (await Ok("search", "metadata.performance.accuracy >= 0.85", "--count")).Stdout.Trim());
    }

    [Fact]
    public async Task Search_SyntaxError_FilterAndCaretExitCode2()
    {
        await SaveAccuracies(0.9);
        var result = await Run("search", "stage = 'training' AND colour = 'red'");
        Assert.Equal(2, result.ExitCode);
        var lines = result.Stderr.Split('\n').Select(l => l.TrimEnd('\r')).SkipWhile(l => !l.StartsWith("ciaf: error:", StringComparison.Ordinal)).ToList();
        Assert.Contains("ciaf: error: invalid filter: unknown field 'colour'", lines[0]);
        Assert.Contains("(column 24)", lines[0]);
        Assert.Equal("  stage = 'training' AND colour = 'red'", lines[1]);
        Assert.Equal(new string(' ', 2 + 23) + "^", lines[2]);
    }

    [Fact]
    public async Task Search_BadOrderDirection_UsageError()
    {
        await SaveAccuracies(0.9);
        var result = await Run("search", "stage = 'training'", "--order-by", "timestamp", "sideways");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("asc or desc", result.Stderr);
    }

    [Fact]
    public async Task ListFilter_JoinsModelOption()
    {
        var ids = await SaveAccuracies(0.95, 0.80);
        await CiafTool.OkAsync(_folder.Path, "save", "other", "training", "model_trained", "--metadata", """{"performance": {"accuracy": 0.5}}""", "--store", Store);
        var json = (await Ok("list", "--filter", "metadata.performance.accuracy < 0.9", "--model", "credit_scoring", "--json")).Json();
        Assert.Equal([ids[1]], json.AsArray().Select(r => (string)r!["id"]!));
        Assert.Equal(2, (await Run("list", "--filter", "metadata.performance.accuracy <")).ExitCode);
    }

    [Fact]
    public async Task EventsFilter_OverEventFields()
    {
        var ids = await SaveAccuracies(0.9);
        await using (var storage = new Ciaf.Metadata.MetadataStorage(Store, "sqlite"))
        {
            storage.AddComplianceEvent(ids[0], "GDPR", 0.4, "failed");
            storage.AddComplianceEvent(ids[0], "EEOC", 0.9, "passed");
            storage.AddComplianceEvent(ids[0], "EEOC", 0.3, "failed");
        }
        var json = (await Ok("events", "--filter", "validation_status = 'failed' AND framework IN ('GDPR', 'EEOC')", "--framework", "EEOC", "--json")).Json();
        Assert.Equal([0.3], json.AsArray().Select(e => (double)e!["compliance_score"]!));
        var bad = await Run("events", "--filter", "metadata.x = 1");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("unknown field 'metadata'", bad.Stderr);
    }

    [Fact]
    public async Task ExportFilter_WritesOnlyMatches()
    {
        var ids = await SaveAccuracies(0.95, 0.80, 0.85);
        string output = _folder.Combine("out.jsonl");
        var json = (await Ok("export", "--filter", "metadata.performance.accuracy > 0.82", "--format", "jsonl", "--output", output, "--json")).Json();
        Assert.Equal(2, (long)json["records"]!);
        var exported = File.ReadAllLines(output).Select(l => (string)JsonNode.Parse(l)!["id"]!).Order().ToList();
        Assert.Equal(new[] { ids[0], ids[2] }.Order(), exported);
        var bad = await Run("export", "--filter", "metadata.x LIKE 3", "--output", _folder.Combine("bad.json"));
        Assert.Equal(2, bad.ExitCode);
        Assert.False(File.Exists(_folder.Combine("bad.json")));
    }

    [Fact]
    public async Task Index_AddListDrop_SqliteAndFileBackendRefuses()
    {
        await SaveAccuracies(0.9);
        var added = (await Ok("index", "add", "metadata.performance.accuracy", "--json")).Json();
        Assert.True((bool)added["created"]!);
        Assert.Equal(["metadata.performance.accuracy"], (await Ok("index", "list", "--json")).Json().AsArray().Select(p => (string)p!));
        Assert.Equal("1", (await Ok("search", "metadata.performance.accuracy > 0.5", "--count")).Stdout.Trim());
        Assert.True((bool)(await Ok("index", "drop", "metadata.performance.accuracy", "--json")).Json()["dropped"]!);
        Assert.Empty((await Ok("index", "list", "--json")).Json().AsArray());
        Assert.Equal(2, (await Run("index", "add", "metadata.items[0]")).ExitCode);

        string json = _folder.Combine("json-store");
        await CiafTool.OkAsync(_folder.Path, "save", "m", "training", "t", "--store", json, "--backend", "json");
        var refused = await CiafTool.RunAsync(_folder.Path, "index", "add", "metadata.a", "--store", json);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("Indexes do not apply to the json backend", refused.Stderr);
    }
}
