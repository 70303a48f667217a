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
}
