using System.Net;
using System.Net.Sockets;
using Ciaf.Metadata;
using Ciaf.Metadata.Backends.Remote;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;
using Ciaf.Remote.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Ciaf.Remote.Tests;

/// <summary>Transient failures between the remote backend and its server: retried, waited for as asked, and nothing lost or stored twice.</summary>
public sealed class RemoteRetryTests : ServedStoreTests
{
    private const string Records = "api/v1/records";
    private (MetadataStorage Storage, FaultHandler Faults) Open(WriteMode mode = WriteMode.Immediate, TimeSpan? retryBudget = null, ILoggerFactory? logs = null)
    {
        FaultHandler faults = null!;
        var storage = Server.Open(new MetadataStorageOptions
        {
            StoragePath = Client.Path,
            Backend = RemoteBuilderExtensions.BackendName,
            WriteMode = mode,
            LoggerFactory = logs ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance,
        }, configure: o =>
        {
            o.Handler = faults = new FaultHandler(o.Handler!);
            o.TransientRetryTimeout = retryBudget ?? TimeSpan.FromSeconds(30);
        });
        return (storage, faults);
    }

    private List<SeenRequest> Posts(FaultHandler faults) => [.. faults.Seen.Where(r => r.Method == "POST" && r.Path.EndsWith(Records, StringComparison.Ordinal))];

    [Fact]
    public async Task Save_BusyFailingAndRefusingServer_RetriedUntilStoredOnce()
    {
        var (storage, faults) = Open();
        await using var _ = storage;
        faults.Enqueue(new Fault(FaultKind.Status, HttpStatusCode.ServiceUnavailable, TimeSpan.Zero), new Fault(FaultKind.Status, HttpStatusCode.InternalServerError),
            new Fault(FaultKind.Refused), new Fault(FaultKind.Status, HttpStatusCode.BadGateway));

        string id = storage.SaveMetadata("m", "training", "trained", new { accuracy = 0.9 });

        var posts = Posts(faults);
        Assert.Equal(5, posts.Count);
        Assert.Equal([false, true, true, true, true], posts.Select(p => p.MarkedRetry));
        Assert.Equal(HttpStatusCode.Created, posts[^1].Status);
        Assert.Equal(1, (await Server.Storage.GetPerformanceMetricsAsync()).RecordCount);
        Assert.Equal(0.9, (double?)(await Server.Storage.GetMetadataAsync(id))!.Metadata["accuracy"]);
    }

    [Fact]
    public async Task Save_AnswerLostAfterTheServerWrote_StoredOnceAndLoggedOnce()
    {
        var (storage, faults) = Open();
        await using var _ = storage;
        faults.Enqueue(new Fault(FaultKind.LostAnswer));

        string id = storage.SaveMetadata("m", "training", "trained", new { a = 1 });

        var posts = Posts(faults);
        Assert.Equal(2, posts.Count);
        Assert.All(posts, p => Assert.Equal(HttpStatusCode.Created, p.Status)); // the server wrote both times it was asked
        Assert.True(posts[1].MarkedRetry);
        Assert.Equal(1, (await Server.Storage.GetPerformanceMetricsAsync()).RecordCount);
        Assert.NotNull(await Server.Storage.GetMetadataAsync(id));
        // The resent record was already held unchanged: the server's ledger logged one save, not two.
        Assert.Equal(1, (await Server.Storage.Ledger.StatusAsync()).Size);
        Assert.True((await Server.Storage.VerifyAsync()).IsValid);
    }

    [Fact]
    public async Task BufferedBatch_FailingBeyondTheRequestBudget_ResentByTheBatcherAndStoredOnce()
    {
        // No retry inside a request: the batcher's own retry (write_retries) sends the batch again.
        var (storage, faults) = Open(WriteMode.Buffered, retryBudget: TimeSpan.Zero);
        faults.Enqueue(new Fault(FaultKind.LostAnswer), new Fault(FaultKind.Status, HttpStatusCode.ServiceUnavailable));
        var ids = new List<string>();
        await using (storage)
        {
            for (int i = 0; i < 40; i++) ids.Add(await storage.SaveMetadataAsync("m", "inference", "predicted", new { i }));
            // Read-your-writes while the batch is failing: the pending records are served locally.
            Assert.Equal(40, (await storage.GetModelMetadataAsync("m", limit: null)).Count);
            await storage.FlushAsync();
        }

        var posts = Posts(faults);
        Assert.True(posts.Count >= 3, $"{posts.Count} posts");
        Assert.True(posts[1].MarkedRetry && posts[2].MarkedRetry);
        var stored = await Server.Storage.GetModelMetadataAsync("m", limit: null);
        Assert.Equal(ids.Order(StringComparer.Ordinal), stored.Select(r => r.Id).Order(StringComparer.Ordinal));
        Assert.Equal(40, (await Server.Storage.Ledger.StatusAsync()).Size);
    }

    [Fact]
    public async Task Save_TooManyRequests_WaitsAsLongAsRetryAfterSays()
    {
        var (storage, faults) = Open();
        await using var _ = storage;
        faults.Enqueue(new Fault(FaultKind.Status, HttpStatusCode.TooManyRequests, TimeSpan.FromSeconds(1)));

        storage.SaveMetadata("m", "training", "trained", new { a = 1 });

        var posts = Posts(faults);
        Assert.Equal(2, posts.Count);
        // A lower bound only: the client must not ask again sooner than the server said (a loaded machine only adds to it).
        Assert.True(posts[1].At - posts[0].At >= TimeSpan.FromMilliseconds(950), $"asked again after {(posts[1].At - posts[0].At).TotalMilliseconds} ms");
    }

    [Fact]
    public void Open_NoServerListening_FailsWithinTheBudgetNamingTheServerNeverTheKey()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        string key = "ciaf_00000000deadbeef_" + Guid.NewGuid().ToString("N");
        using var logs = new RecordingLoggerFactory();

        var ex = Assert.Throws<MetadataStorageException>(() => MetadataStorage.Create(b => b
            .Configure(o =>
            {
                o.StoragePath = Client.Path;
                o.LoggerFactory = logs;
            })
            .UseRemote(o =>
            {
                o.ServerUrl = $"http://127.0.0.1:{port}";
                o.ApiKey = key;
                o.TransientRetryTimeout = TimeSpan.FromSeconds(1);
            })));

        Assert.Contains($"http://127.0.0.1:{port}/", ex.Message, StringComparison.Ordinal);
        Assert.Contains("could not be reached", ex.Message, StringComparison.Ordinal);
        Assert.Equal("remote", ex.Backend);
        Assert.Contains(logs.Entries, e => e.EventId == 4301); // it retried, and said so
        Assert.DoesNotContain(key, ex.ToString(), StringComparison.Ordinal);
        Assert.All(logs.Entries, e => Assert.DoesNotContain(key, e.Text, StringComparison.Ordinal));
    }
}
