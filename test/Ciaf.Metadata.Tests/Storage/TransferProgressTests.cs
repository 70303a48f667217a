using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Storage;

/// <summary>The <see cref="IProgress{T}"/> overloads of export and import: counts every interval and the total at the end.</summary>
public sealed class TransferProgressTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>Collects reports synchronously (<see cref="Progress{T}"/> would post them to the thread pool).</summary>
    private sealed class Recorder : IProgress<long>
    {
        public List<long> Values { get; } = [];

        public void Report(long value) => Values.Add(value);
    }

    private MetadataStorage Seed(string backend, int records, int events)
    {
        var storage = new MetadataStorage(_folder.Combine(backend + "-store"), backend);
        for (int i = 0; i < records; i++) storage.SaveMetadata(i % 2 == 0 ? "a" : "b", "training", "t", new { i });
        for (int i = 0; i < events; i++) storage.AddComplianceEvent(null, "GDPR", 0.9, "passed");
        return storage;
    }

    [Theory]
    [InlineData("json", "json")]
    [InlineData("sqlite", "csv")]
    [InlineData("sqlite", "xml")]
    [InlineData("json", "parquet")]
    public async Task ExportMetadata_ReportsEveryIntervalAndTheTotal(string backend, string format)
    {
        using var storage = Seed(backend, 250, 0);
        var progress = new Recorder();
        string path = await storage.ExportMetadataAsync(null, format, null, progress);
        Assert.True(File.Exists(path));
        Assert.Equal([100, 200, 250], progress.Values);

        var model = new Recorder();
        storage.ExportMetadata("a", format, _folder.Combine("a." + format), model);
        Assert.Equal([100, 125], model.Values);
    }

    [Fact]
    public async Task ExportMetadata_EmptyStore_ReportsZeroOnce()
    {
        using var storage = new MetadataStorage(_folder.Combine("empty"), "sqlite");
        var progress = new Recorder();
        await storage.ExportMetadataAsync(null, "jsonl", null, progress);
        Assert.Equal([0], progress.Values);
    }

    [Theory]
    [InlineData("json")]
    [InlineData("csv")]
    public void ExportComplianceEvents_ReportsTheTotal(string format)
    {
        using var storage = Seed("sqlite", 1, 3);
        var progress = new Recorder();
        storage.ExportComplianceEvents(format, null, progress);
        Assert.Equal([3], progress.Values);
    }

    [Fact]
    public async Task ImportMetadata_ReportsEntriesProcessed_IncludingSkippedOnes()
    {
        string file;
        using (var source = Seed("sqlite", 150, 0))
        {
            file = source.ExportMetadata(null, "jsonl", _folder.Combine("all.jsonl"));
        }
        using var target = new MetadataStorage(_folder.Combine("target"), "json");
        var first = new Recorder();
        var result = await target.ImportMetadataAsync(file, first);
        Assert.Equal(150, result.Imported);
        Assert.Equal([100, 150], first.Values);

        var again = new Recorder();
        var second = target.ImportMetadata(file, again);
        Assert.Equal(150, second.Skipped);
        Assert.Equal([100, 150], again.Values);
    }

    [Fact]
    public async Task OldOverloads_StillWork()
    {
        using var storage = Seed("sqlite", 2, 1);
        string path = await storage.ExportMetadataAsync("a", "json", cancellationToken: CancellationToken.None);
        Assert.True(File.Exists(path));
        Assert.True(File.Exists(await storage.ExportComplianceEventsAsync("jsonl")));
        Assert.Equal(1, (await storage.ImportMetadataAsync(path, CancellationToken.None)).Skipped);
    }
}
