using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;

namespace Ciaf.Metadata.Tests.Storage;

public sealed class BackgroundBatcherTests : IDisposable
{
    private readonly SqliteTestFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task FlushAsync_ACallbackThrowsForOneItem_NothingHangsAndEverythingIsWritten()
    {
        var (_, backend) = InMemoryBackend.RegisterNew(_folder.Path);
        var written = new List<string>();
        var batcher = new BackgroundBatcher<string>("items", items =>
            {
                lock (written) written.AddRange(items);
                return ValueTask.CompletedTask;
            },
            units: item => item == "bad" ? throw new InvalidOperationException("a bug") : 1,
            backend, ResiliencePipeline.Empty, NullLogger.Instance, batchSize: 10, capacity: 100, groupable: _ => true);
        await using (batcher)
        {
            foreach (var item in new[] { "a", "bad", "c" }) await batcher.EnqueueAsync(item, CancellationToken.None);

            await batcher.FlushAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal(["a", "bad", "c"], written.Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task Batcher_Overlappable_NeverMoreThanTwoWritesAtOnce_AndFlushWaitsForAll()
    {
        var (_, backend) = InMemoryBackend.RegisterNew(_folder.Path);
        int running = 0, most = 0;
        var written = new List<string>();
        var batcher = new BackgroundBatcher<string>("items", async items =>
            {
                int now = Interlocked.Increment(ref running);
                lock (written) most = Math.Max(most, now);
                await Task.Delay(30);
                lock (written) written.AddRange(items);
                Interlocked.Decrement(ref running);
            },
            units: _ => 1, backend, ResiliencePipeline.Empty, NullLogger.Instance, batchSize: 1, capacity: 100,
            overlappable: (_, _) => true);
        await using (batcher)
        {
            for (int i = 0; i < 12; i++) await batcher.EnqueueAsync($"i{i}", CancellationToken.None);

            await batcher.FlushAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal(12, written.Count); // every write ended before the flush returned
            Assert.Equal(2, most);
        }
    }

    [Fact]
    public async Task Batcher_NotOverlappable_WritesOneAtATime()
    {
        var (_, backend) = InMemoryBackend.RegisterNew(_folder.Path);
        int running = 0, most = 0;
        var batcher = new BackgroundBatcher<string>("items", async items =>
            {
                int now = Interlocked.Increment(ref running);
                lock (backend) most = Math.Max(most, now);
                await Task.Delay(10);
                Interlocked.Decrement(ref running);
            },
            units: _ => 1, backend, ResiliencePipeline.Empty, NullLogger.Instance, batchSize: 1, capacity: 100,
            overlappable: (_, _) => false);
        await using (batcher)
        {
            for (int i = 0; i < 8; i++) await batcher.EnqueueAsync($"i{i}", CancellationToken.None);
            await batcher.FlushAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(1, most);
        }
    }
}
