using System.Diagnostics;

namespace Ciaf.Samples.Tests;

/// <summary>The repository these tests were built from, and how to run a sample's built program.</summary>
internal static class Repository
{
    /// <summary>The repository root: the nearest folder above the test assembly holding the solution.</summary>
    public static readonly string Root = FindRoot();

    /// <summary>Release or Debug: the configuration the tests (and so the samples they reference) were built in.</summary>
    private static readonly string Configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    public static string SamplesFolder => Path.Combine(Root, "samples");

    /// <summary>The samples: every folder under samples/ with a project of its name.</summary>
    public static IEnumerable<string> Samples =>
        Directory.EnumerateDirectories(SamplesFolder).Select(Path.GetFileName).Where(n => File.Exists(Path.Combine(SamplesFolder, n!, n + ".csproj"))).Order(StringComparer.Ordinal)!;

    /// <summary>Runs a sample's built program in <paramref name="workingDirectory"/>; returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunSampleAsync(string sample, string workingDirectory,
        IReadOnlyDictionary<string, string>? environment = null, params string[] args)
    {
        string dll = Path.Combine(SamplesFolder, sample, "bin", Configuration, "net10.0", sample + ".dll");
        Assert.True(File.Exists(dll), $"{dll} is not built (the test project references every sample, so building it builds them)");
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        // A sample's default store is the process-wide one: keep the test runner's CIAF_* settings out of it.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("CIAF_", StringComparison.Ordinal)).ToList()) start.Environment.Remove(key);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"sample {sample} did not finish in 2 minutes");
        }
        return (process.ExitCode, $"{await stdout}\n--- stderr ---\n{await stderr}");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CiafMetadata.slnx"))) return dir.FullName;
        }
        throw new InvalidOperationException($"no CiafMetadata.slnx above {AppContext.BaseDirectory}");
    }
}

/// <summary>A fresh folder under the system temp folder, deleted with its content on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("ciaf-samples-tests-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the OS cleans its temp folder eventually.
        }
    }
}
