using System.Text.Json.Nodes;
using Ciaf.Cli.Infrastructure;

namespace Ciaf.Cli.Tests.Support;

/// <summary>The result of one in-process run of the tool.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public JsonNode Json()
    {
        try
        {
            return JsonNode.Parse(Stdout) ?? throw new InvalidOperationException("stdout is JSON null");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new InvalidOperationException($"stdout is not JSON: {e.Message}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}", e);
        }
    }

    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>Runs the tool in-process, in a working folder of the test's choosing, with no terminal attached.</summary>
public static class CiafTool
{
    public static Task<CliResult> RunAsync(string workingDirectory, params string[] args) =>
        RunAsync(workingDirectory, new Dictionary<string, string>(), args);

    /// <summary>Runs with <paramref name="environment"/> over the process's variables (as the tool's host sees them).</summary>
    public static async Task<CliResult> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var host = new CliHost
        {
            WorkingDirectory = workingDirectory,
            GetEnvironmentVariable = name => environment.TryGetValue(name, out var value) ? value : Environment.GetEnvironmentVariable(name),
        };
        int code = await CliApp.RunAsync(args, stdout, stderr, host);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    public static async Task<CliResult> OkAsync(string workingDirectory, params string[] args)
    {
        var result = await RunAsync(workingDirectory, args);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }
}
