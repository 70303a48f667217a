using System.Diagnostics;
using Ciaf.Metadata.Storage;

namespace Ciaf.Benchmarks;

/// <summary>What every scenario gets: the sizes, a scratch folder, and where to put its measurements.</summary>
internal sealed class BenchContext(BenchSettings settings, string workRoot) : IDisposable
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _folders;

    public BenchSettings Settings { get; } = settings;
    public List<Measurement> Results { get; } = [];

    /// <summary>The backends to measure: the built-in ones that are registered (pickle once it has landed).</summary>
    public IReadOnlyList<string> Backends { get; } = [.. new[] { "json", "sqlite", "pickle" }.Where(MetadataBackends.IsRegistered)];

    /// <summary>A new, empty folder under the scratch root.</summary>
    public string NewFolder(string name)
    {
        string path = Path.Combine(workRoot, $"{Interlocked.Increment(ref _folders):000}-{name}");
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Deletes a scratch folder as soon as a scenario is done with it (large stores take disk).</summary>
    public static void Delete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"  (could not delete {folder}: {ex.Message})");
        }
    }

    public void Log(string message) => Console.Error.WriteLine($"[{_clock.Elapsed:mm\\:ss}] {message}");

    public void Add(Measurement measurement) => Results.Add(measurement);

    public void Dispose() => Delete(workRoot);
}
