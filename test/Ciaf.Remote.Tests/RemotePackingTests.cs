using System.Net;
using Ciaf.Metadata;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;
using Ciaf.Remote.Tests.Support;

namespace Ciaf.Remote.Tests;

/// <summary>Writes packed into requests the server accepts: by its body limit, in halves when it says 413, refused when one record cannot fit.</summary>
public sealed class RemotePackingTests() : ServedStoreTests(o => o.MaxMetadataBytes = ServerMaxMetadataBytes)
{
    // The server's max_metadata_bytes: its request bodies are limited to this + 64 KiB.
    private const long ServerMaxMetadataBytes = 4096;
    private const long ServerBodyLimit = ServerMaxMetadataBytes + 64 * 1024;

    private (MetadataStorage Storage, FaultHandler Faults) Open(WriteMode mode, int batchSize = 100)
    {
        FaultHandler faults = null!;
        var storage = Server.Open(new MetadataStorageOptions
        {
            StoragePath = Client.Path,
            Backend = RemoteBuilderExtensions.BackendName,
            WriteMode = mode,
            BatchSize = batchSize,
        }, configure: o => o.Handler = faults = new FaultHandler(o.Handler!));
        return (storage, faults);
    }

    private static List<SeenRequest> Posts(FaultHandler faults) =>
        [.. faults.Seen.Where(r => r.Method == "POST" && r.Path.EndsWith("api/v1/records", StringComparison.Ordinal))];

    [Fact]
    public async Task BufferedIngest_LargerThanOneBody_PackedIntoRequestsUnderTheServersLimit()
    {
        var (storage, faults) = Open(WriteMode.Buffered, batchSize: 1000);
        var ids = new List<string>();
        await using (storage)
        {
            for (int i = 0; i < 1500; i++) ids.Add(await storage.SaveMetadataAsync("bulk", "inference", "predicted", new { i, text = new string('p', 300) }));
        }

        var posts = Posts(faults);
        Assert.True(posts.Count >= 1500 * 300 / ServerBodyLimit, $"{posts.Count} requests for ~{1500 * 300 / 1024} KB");
        Assert.All(posts, p => Assert.True(p.BodyBytes <= ServerBodyLimit, $"a {p.BodyBytes}-byte body"));
        Assert.All(posts, p => Assert.Equal(HttpStatusCode.Created, p.Status));
        var stored = await Server.Storage.GetModelMetadataAsync("bulk", limit: null);
        Assert.Equal(ids.Order(StringComparer.Ordinal), stored.Select(r => r.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Batch_ServerSaysTooLarge_SentAgainInHalves()
    {
        var (storage, faults) = Open(WriteMode.Immediate);
        await using var _ = storage;
        faults.Enqueue(new Fault(FaultKind.Status, HttpStatusCode.RequestEntityTooLarge));

        var ids = storage.SaveMetadataBatch(Enumerable.Range(0, 100).Select(i => new MetadataEntry("m", "training", "epoch", new { i })));

        var posts = Posts(faults);
        Assert.Equal([HttpStatusCode.RequestEntityTooLarge, HttpStatusCode.Created, HttpStatusCode.Created], posts.Select(p => p.Status));
        Assert.True(posts[1].BodyBytes < posts[0].BodyBytes && posts[2].BodyBytes < posts[0].BodyBytes);
        Assert.Equal(100, (await Server.Storage.GetModelMetadataAsync("m", limit: null)).Count);
        Assert.Equal(ids, (await Server.Storage.GetModelMetadataAsync("m", limit: null)).OrderBy(r => r.Timestamp).Select(r => r.Id));
    }

    [Fact]
    public async Task Save_MoreMetadataThanTheServerAllows_RefusedNamingItsLimitAndNothingStored()
    {
        var (storage, _) = Open(WriteMode.Immediate);
        await using var _s = storage;

        var tooLarge = Assert.Throws<ArgumentException>(() => storage.SaveMetadata("m", "training", "e", new { blob = new string('x', 10_000) }));
        Assert.Contains("max_metadata_bytes", tooLarge.Message, StringComparison.Ordinal);
        Assert.Contains($"{ServerMaxMetadataBytes}", tooLarge.Message, StringComparison.Ordinal);

        var pastTheBody = Assert.Throws<MetadataStorageException>(() => storage.SaveMetadata("m", "training", "e", new { blob = new string('x', 100_000) }));
        Assert.Contains("more than the server", pastTheBody.Message, StringComparison.Ordinal);
        Assert.NotNull(pastTheBody.RecordId);
        Assert.Equal(0, (await Server.Storage.GetPerformanceMetricsAsync()).RecordCount);
    }
}
