using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ciaf.Metadata.Tests.Storage;

/// <summary>
/// Overlapping writes (a backend that takes two at once, <see cref="IConcurrentWritesBackend"/>): the next batch is
/// written while the one before is still under way, never more than two at a time, never two sharing an id, and saves
/// are reported durable in the order they were queued.
/// </summary>
public sealed class BatchingWriterTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30); // a hang guard, not a timing
    private readonly SqliteTestFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task ConcurrentBackend_TheNextBatchIsWrittenWhileTheFirstIsHeld_ButReportedDurableAfterIt()
    {
        var backend = new ConcurrentInMemoryBackend(_folder.Path);
        var firstHeld = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        backend.BeforeWrite = async records =>
        {
            if (records[0].Id != "r0") return;
            firstHeld.SetResult();
            await release.Task.WaitAsync(Patience);
        };
        var durable = new List<string>();
        await using var writer = Writer(backend, durable);

        await writer.WriteAsync(Save("r0"), CancellationToken.None);
        await firstHeld.Task.WaitAsync(Patience);
        await writer.WriteAsync(Save("r1"), CancellationToken.None);

        // r1 reaches the backend while r0 is still held (a writer that waited for r0 first would time out here)...
        await Until(() => backend.Records.ContainsKey("r1"));
        // ...but it is not reported durable (pending removed, hooks, audit) before r0 is.
        Assert.Empty(Snapshot(durable));
        release.SetResult();
        await writer.FlushAsync(CancellationToken.None).AsTask().WaitAsync(Patience);
        Assert.Equal(["r0", "r1"], Snapshot(durable));
    }

    [Fact]
    public async Task ConcurrentBackend_ALaterSaveOfTheSameId_WaitsForTheEarlierWrite_AndWins()
    {
        var backend = new ConcurrentInMemoryBackend(_folder.Path);
        var firstHeld = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        int writes = 0;
        backend.BeforeWrite = async records =>
        {
            if (Interlocked.Increment(ref writes) != 1) return;
            firstHeld.SetResult();
            await release.Task.WaitAsync(Patience);
        };
        var durable = new List<string>();
        await using var writer = Writer(backend, durable);

        await writer.WriteAsync(Save("same", accuracy: 0.1), CancellationToken.None);
        await firstHeld.Task.WaitAsync(Patience);
        await writer.WriteAsync(Save("same", accuracy: 0.2), CancellationToken.None);
        await Task.Delay(300); // room for a wrong writer to start the second write beside the first

        Assert.Equal(1, Volatile.Read(ref writes));
        release.SetResult();
        await writer.FlushAsync(CancellationToken.None).AsTask().WaitAsync(Patience);
        Assert.Equal(2, Volatile.Read(ref writes));
        Assert.Equal(0.2, (double)backend.Records["same"].Metadata["accuracy"]!);
    }

    private static BatchingWriter Writer(InMemoryBackend backend, List<string> durable) =>
        new(backend, new PendingWrites(), batch => { lock (durable) durable.AddRange(batch.Records.Select(r => r.Id)); },
            new StorageMetrics("memory", () => 0), NullLogger.Instance, batchSize: 1, queueCapacity: 100, retries: 0);

    // Left unhashed, so each save is its own write (records the writer still hashes are not grouped).
    private static WriteBatch Save(string id, double accuracy = 0.9) =>
        new([SampleRecords.Create(id: id, metadata: new() { ["accuracy"] = accuracy }) with { MetadataHash = "" }], []);

    private static List<string> Snapshot(List<string> list)
    {
        lock (list) return [.. list];
    }

    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The condition did not hold in time.");
            await Task.Delay(10);
        }
    }
}
