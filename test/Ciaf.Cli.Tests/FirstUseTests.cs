using System.Diagnostics;
using Ciaf.Cli.Commands;
using Ciaf.Cli.Infrastructure;
using Ciaf.Cli.Tests.Support;

namespace Ciaf.Cli.Tests;

/// <summary>The first minutes of a user: the store found with no options, --version, help examples, completion.</summary>
public sealed class FirstUseTests : IDisposable
{
    private static readonly Dictionary<string, string> NoStoreVariables = new() { ["CIAF_STORAGE_PATH"] = "", ["CIAF_STORAGE_BACKEND"] = "" };

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private Task<CliResult> Run(string folder, params string[] args) => CiafTool.RunAsync(folder, NoStoreVariables, args);

    private async Task<CliResult> Ok(string folder, params string[] args)
    {
        var result = await Run(folder, args);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    [Fact]
    public async Task DemoThenListThenTrace_InAnEmptyFolder_NeedNoOptions()
    {
        var demo = await Ok(_folder.Path, "demo", "--rows", "1000", "--batches", "1", "--batch-size", "100");
        Assert.Contains("ciaf list --stage inference", demo.Stdout);   // the next steps need no --store either

        var list = await Ok(_folder.Path, "list", "--json");
        Assert.NotEmpty(list.Json().AsArray());
        Assert.Contains($"store: {_folder.Combine(DemoCommand.DefaultStore)} [sqlite] from ./{StoreMarker.FileName}", list.Stderr);
        var trace = await Ok(_folder.Path, "trace", "credit_scoring_demo", "--json");
        Assert.Equal((int)(await Ok(_folder.Path, "stats", "--json")).Json()["record_count"]!, (int)trace.Json()["record_count"]!);
    }

    [Fact]
    public async Task Resolve_CurrentFolderIsAStore_UsesItBeforeAnyMarker()
    {
        string store = _folder.Combine("store");
        await Ok(_folder.Path, "save", "m", "training", "trained", "--store", store, "--backend", "sqlite");
        await File.WriteAllTextAsync(Path.Combine(store, StoreMarker.FileName), """{ "storage_path": "elsewhere" }""");

        var list = await Ok(store, "list", "--json");
        Assert.Single(list.Json().AsArray());
        Assert.Contains("from the current folder (a store)", list.Stderr);
    }

    [Fact]
    public async Task Resolve_ConfigHere_WinsOverTheFolderBeingAStore_SoItsSettingsApply()
    {
        await File.WriteAllTextAsync(_folder.Combine("ciaf_config.json"), """{ "storage_backend": "sqlite", "storage_path": "." }""");
        await Ok(_folder.Path, "save", "m", "training", "trained");
        Assert.True(File.Exists(_folder.Combine("ciaf_metadata.db")));

        var list = await Ok(_folder.Path, "list", "--json");
        Assert.Single(list.Json().AsArray());
        Assert.Contains($"from {_folder.Combine("ciaf_config.json")}", list.Stderr);
    }

    [Fact]
    public async Task Resolve_ConfigInAParentFolder_IsFound_AndItsRelativePathIsFromItsOwnFolder()
    {
        await Ok(_folder.Path, "init", "proj", "--backend", "sqlite");
        string deep = _folder.Combine("src", "pipelines");
        Directory.CreateDirectory(deep);
        await File.WriteAllTextAsync(Path.Combine(deep, StoreMarker.FileName), """{ "storage_path": "not_this_one" }""");

        var list = await Ok(deep, "list", "--json");
        Assert.Equal("project_initialized", (string?)Assert.Single(list.Json().AsArray())!["event_type"]);
        Assert.Contains($"store: {_folder.Combine("proj_metadata")} [sqlite] from {_folder.Combine("ciaf_config.json")}", list.Stderr);
        Assert.False(Directory.Exists(Path.Combine(deep, "proj_metadata")));
    }

    [Fact]
    public async Task Init_WithAnotherConfigFile_IsFoundThroughTheMarker()
    {
        string project = _folder.Combine("project");
        Directory.CreateDirectory(project);
        await Ok(project, "init", "proj", "--backend", "sqlite", "--output", "conf/prod.json");

        var list = await Ok(project, "list", "--json");
        Assert.Single(list.Json().AsArray());
        Assert.Contains($"{Path.Combine(project, "conf", "prod.json")}, named by ./{StoreMarker.FileName} (the last 'ciaf init' here)", list.Stderr);
    }

    [Fact]
    public async Task Resolve_MarkerNamingAMissingStore_FailsNamingTheMarker_AndCreatesNothing()
    {
        await File.WriteAllTextAsync(_folder.Combine(StoreMarker.FileName), """{ "storage_path": "gone", "storage_backend": "sqlite" }""");
        var result = await Run(_folder.Path, "list");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(StoreMarker.FileName, result.Stderr);
        Assert.False(Directory.Exists(_folder.Combine("gone")));

        await File.WriteAllTextAsync(_folder.Combine(StoreMarker.FileName), "not json");
        var broken = await Run(_folder.Path, "list");
        Assert.Equal(1, broken.ExitCode);
        Assert.Contains($"Cannot read {_folder.Combine(StoreMarker.FileName)}", broken.Stderr);
    }

    [Fact]
    public async Task Version_PrintsTheVersionAndTheCommit()
    {
        var result = await Ok(_folder.Path, "--version");
        Assert.Matches(@"^ciaf \d+\.\d+\.\d+\S* \(commit [0-9a-f]{7,40}\)\s*$", result.Stdout);
    }

    [Fact]
    public async Task Help_EveryCommandAndSubcommand_ShowsAnExample()
    {
        var missing = CommandExamples.Walk(CliApp.CreateRootCommand(), string.Empty)
            .Where(c => c.Command.Description?.Contains("Example:", StringComparison.Ordinal) != true)
            .Select(c => c.Path).ToList();
        Assert.True(missing.Count == 0, "no example in --help: " + string.Join(", ", missing));

        Assert.Contains("Example:\n    ciaf hold add credit_scoring_demo", (await Ok(_folder.Path, "hold", "add", "--help")).Stdout.ReplaceLineEndings("\n"));
        Assert.Contains("Example:\n    ciaf list --model", (await Ok(_folder.Path, "list", "--help")).Stdout.ReplaceLineEndings("\n"));
    }

    [SkippableFact]
    public async Task CompletionBash_CompletesCommandsAndOptions_ThroughTheTool()
    {
        Skip.If(OperatingSystem.IsWindows(), "bash completion is tested where bash is the shell");
        string script = _folder.Combine("ciaf.bash");
        await File.WriteAllTextAsync(script, (await Ok(_folder.Path, "completion", "bash")).Stdout);
        // The script runs `ciaf` as the user would have it on PATH: a wrapper around the built tool.
        string bin = _folder.Combine("bin");
        Directory.CreateDirectory(bin);
        string wrapper = Path.Combine(bin, "ciaf");
        await File.WriteAllTextAsync(wrapper, $"#!/bin/sh\nexec dotnet '{Path.Combine(AppContext.BaseDirectory, "ciaf.dll")}' \"$@\"\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        Assert.Equal(["list"], await CompleteAsync(script, bin, "ciaf li"));
        Assert.Equal(["--model"], await CompleteAsync(script, bin, "ciaf list --mo"));
        Assert.Equal(["powershell"], await CompleteAsync(script, bin, "ciaf completion po"));
    }

    private static async Task<string[]> CompleteAsync(string script, string bin, string line)
    {
        string words = string.Join(' ', line.Split(' ').Select(w => $"'{w}'"));
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"source '{script}'; COMP_LINE='{line}'; COMP_POINT={line.Length}; COMP_WORDS=({words}); COMP_CWORD={line.Split(' ').Length - 1}; _ciaf_complete; printf '%s\\n' \"${{COMPREPLY[@]}}\"");
        start.Environment["PATH"] = bin + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
        using var process = Process.Start(start)!;
        string output = await process.StandardOutput.ReadToEndAsync();
        string error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, error);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
