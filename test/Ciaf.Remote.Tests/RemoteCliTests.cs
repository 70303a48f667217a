using System.Diagnostics;
using System.Text.Json.Nodes;
using Ciaf.Metadata;
using Ciaf.Metadata.Access;
using Ciaf.Metadata.Tests.Support;
using Ciaf.Remote.Tests.Support;

namespace Ciaf.Remote.Tests;

/// <summary>The <c>ciaf</c> tool on a remote store: <c>--backend remote</c> with the server and key from the environment.</summary>
public sealed class RemoteCliTests
{
    [Fact]
    public async Task Ciaf_SaveThenGet_ThroughAServeProcess_WithTheKeyFromTheEnvironmentOnly()
    {
        await using var server = await ServeProcess.StartAsync();
        using var client = new TempDirectory();
        var env = new Dictionary<string, string> { ["CIAF_SERVER_URL"] = server.Url, ["CIAF_API_KEY"] = server.Keys[AccessRoles.Writer] };

        var saved = await RunAsync(env, "--store", client.Path, "--backend", "remote", "save", "cli_model", "training", "model_trained",
            "--metadata", "{\"accuracy\": 0.95}", "--json");
        Assert.True(saved.Code == 0, saved.Output);
        string id = (string)JsonNode.Parse(saved.Stdout)!["id"]!;

        var got = await RunAsync(env, "--store", client.Path, "--backend", "remote", "get", id, "--json");
        Assert.True(got.Code == 0, got.Output);
        Assert.Equal(0.95, (double)JsonNode.Parse(got.Stdout)!["metadata"]!["accuracy"]!);
        // The key was only ever in the environment: nothing printed shows it.
        Assert.DoesNotContain(server.Keys[AccessRoles.Writer], saved.Output + got.Output, StringComparison.Ordinal);

        await using var served = MetadataStorage.Create(b => b.UseSqlite(server.StoreRoot));
        Assert.NotNull(await served.GetMetadataAsync(id));
    }

    private static async Task<(int Code, string Stdout, string Output)> RunAsync(Dictionary<string, string> env, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ciaf.dll"));
        foreach (var arg in args) psi.ArgumentList.Add(arg);
        foreach (var name in psi.Environment.Keys.Where(k => k.StartsWith("CIAF_", StringComparison.Ordinal)).ToList()) psi.Environment.Remove(name);
        foreach (var (name, value) in env) psi.Environment[name] = value;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2)); // a hang guard
        await process.WaitForExitAsync(guard.Token);
        return (process.ExitCode, await stdout, await stdout + await stderr);
    }
}
