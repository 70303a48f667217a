using System.Diagnostics;
using System.Reflection;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;
using Xunit.Abstractions;
using static Ciaf.Metadata.Tests.Backends.SqliteTestData;

namespace Ciaf.Metadata.Tests.Backends;

/// <summary>Several processes writing one SQLite store at once (the probe in test/Ciaf.SqliteWriterProbe, as child processes).</summary>
public sealed class SqliteMultiProcessTests(ITestOutputHelper output) : IDisposable
{
    private readonly SqliteTestFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static string ProbeDll()
    {
        string? path = typeof(SqliteMultiProcessTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == "SqliteWriterProbeDll")?.Value;
        Assert.True(path is not null && File.Exists(path),
            $"The writer probe was not built at '{path}'. Build CiafMetadata.slnx (the test project references test/Ciaf.SqliteWriterProbe).");
        return path;
    }

    [Fact]
    public async Task WriteAsync_ThreeProcessesAtOnce_AllRecordsStored()
    {
        const int processes = 3;
        const int perProcess = 300;
        string probe = ProbeDll();
        var stopwatch = Stopwatch.StartNew();
        var children = Enumerable.Range(0, processes).Select(i =>
        {
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[] { probe, _folder.Path, perProcess.ToString(System.Globalization.CultureInfo.InvariantCulture), $"proc{i}" })
            {
                start.ArgumentList.Add(arg);
            }
            return Process.Start(start)!;
        }).ToList();

        foreach (var child in children)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            var stdout = child.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = child.StandardError.ReadToEndAsync(timeout.Token);
            await child.WaitForExitAsync(timeout.Token);
            output.WriteLine($"child {child.Id}: exit {child.ExitCode}: {await stdout}{await stderr}");
            Assert.True(child.ExitCode == 0, $"writer process failed: {await stderr}");
            child.Dispose();
        }
        output.WriteLine($"{processes} x {perProcess} single-record transactions in {stopwatch.ElapsedMilliseconds} ms (including process start-up)");

        await using var backend = Open(_folder.Path);
        Assert.Equal(processes * perProcess, await backend.CountAsync());
        var ids = (await ToListAsync(backend.QueryAsync(new MetadataQuery { ModelName = "probe_model" }))).Select(r => r.Id).ToHashSet();
        for (int i = 0; i < processes; i++)
        {
            for (int n = 0; n < perProcess; n++) Assert.Contains($"proc{i}-{n:D6}", ids);
        }
    }

    [Fact]
    public async Task WriteAsync_ProcessKilledAfterWriteReturned_LosesNothing()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { ProbeDll(), _folder.Path, "250", "killed", "10", "--then-hang" }) start.ArgumentList.Add(arg);
        using var child = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        // "ok" is printed only after the last WriteAsync returned; the backend (and its WAL) is still open.
        string? line = await child.StandardOutput.ReadLineAsync(timeout.Token);
        child.Kill(entireProcessTree: true);
        Assert.True(line?.StartsWith("ok ", StringComparison.Ordinal) == true,
            $"probe said '{line}': {await child.StandardError.ReadToEndAsync(timeout.Token)}");
        await child.WaitForExitAsync(timeout.Token);

        await using var backend = Open(_folder.Path);
        Assert.Equal(250, await backend.CountAsync());
        Assert.NotNull(await backend.GetAsync("killed-000249"));
    }
}
