using Ciaf.Metadata;
using Ciaf.Metadata.Access;
using Ciaf.Metadata.Storage;
using Ciaf.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Ciaf.Benchmarks;

/// <summary>
/// A <c>ciaf serve</c> in this process on 127.0.0.1 (Kestrel, a port the system picks; loopback only) over a SQLite
/// store written immediately, as <c>ciaf serve</c> opens it, with an admin key and a writer key per client. No rate limit
/// (a per-identity budget, not a capacity) and no request log (one line per request would be measured too).
/// </summary>
internal sealed class BenchServer : IAsyncDisposable
{
    private BenchServer(MetadataStorage storage, WebApplication app, string url, string adminKey, IReadOnlyList<string> writerKeys)
    {
        Storage = storage;
        App = app;
        Url = url;
        AdminKey = adminKey;
        WriterKeys = writerKeys;
    }

    public MetadataStorage Storage { get; }

    public WebApplication App { get; }

    /// <summary>Where it listens, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string Url { get; }

    public string AdminKey { get; }

    /// <summary>One writer key per client.</summary>
    public IReadOnlyList<string> WriterKeys { get; }

    public static async Task<BenchServer> StartAsync(string storeFolder, int writers)
    {
        var storage = MetadataStorage.Create(b => b.UseSqlite(storeFolder));
        string admin = (await storage.ApiKeys.CreateAsync("bench-admin", AccessRoles.Admin)).Key;
        var keys = new List<string>();
        for (int i = 0; i < writers; i++) keys.Add((await storage.ApiKeys.CreateAsync($"bench-writer-{i}", AccessRoles.Writer)).Key);
        var options = new CiafServerOptions { Storage = storage, Urls = ["http://127.0.0.1:0"] };
        options.RateLimit.Requests = 0;
        var app = CiafServer.Build(options, configure: b => b.Logging.ClearProviders());
        await app.StartAsync().ConfigureAwait(false);
        return new BenchServer(storage, app, app.Urls.First(), admin, keys);
    }

    /// <summary>A remote store on this server, as a client process would open it (by name, pooled sockets).</summary>
    public MetadataStorage Client(string folder, string key, WriteMode mode, int batchSize = MetadataStorageOptions.DefaultBatchSize) => new(new MetadataStorageOptions
    {
        StoragePath = folder,
        Backend = RemoteBuilderExtensions.BackendName,
        ServerUrl = Url,
        ApiKey = key,
        WriteMode = mode,
        BatchSize = batchSize,
    });

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync().ConfigureAwait(false);
        await App.DisposeAsync().ConfigureAwait(false);
        await Storage.DisposeAsync().ConfigureAwait(false);
    }
}
