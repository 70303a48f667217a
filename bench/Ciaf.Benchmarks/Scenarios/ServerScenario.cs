using System.Diagnostics;
using Ciaf.Metadata;
using Ciaf.Metadata.Storage;

namespace Ciaf.Benchmarks.Scenarios;

/// <summary>
/// The server and the remote backend (issue 16), loopback only, server and clients in this process (they share its
/// cores, as they would share a machine):
/// <list type="bullet">
/// <item>remote buffered ingest — <c>SaveMetadata</c> on a <c>remote</c> store, then <c>Flush</c> — against the same saves
/// on a local SQLite store in buffered mode: target ≥ 0.5×.</item>
/// <item><c>GET /api/v1/records/{id}</c> p50/p99 on a store of 100k records (a plain HttpClient with a key, random ids,
/// one at a time), against <c>GetMetadata</c> on the same store in this process: target p99 ≤ 10 ms. The remote
/// backend's own <c>GetMetadata</c> is reported beside it.</item>
/// <item>16 clients (remote stores, a writer key each) for 30 s, each saving, reading back what it saved and querying its
/// model: every operation must succeed and every save be on the server; against the same 16 loops on one local SQLite
/// store.</item>
/// </list>
/// </summary>
internal static class ServerScenario
{
    private const double IngestTarget = 0.5;
    private const double GetP99TargetMs = 10;
    private const int Clients = 16;

    public static async Task RunAsync(BenchContext ctx)
    {
        await IngestAsync(ctx).ConfigureAwait(false);
        await GetByIdAsync(ctx).ConfigureAwait(false);
        await ConcurrentClientsAsync(ctx).ConfigureAwait(false);
    }

    private static async Task IngestAsync(BenchContext ctx)
    {
        int count = ctx.Settings.ServerIngest;
        ctx.Log($"server: remote buffered ingest vs local SQLite, {count} records × {ctx.Settings.Repeats}");
        object[] payloads = [.. Enumerable.Range(0, count).Select(Workload.SeedPayload)];
        var remote = new List<double>();
        var local = new List<double>();
        var remoteCpu = new List<double>();
        var localCpu = new List<double>();
        // A first, unmeasured round: both paths compiled and warm (Kestrel, HttpClient, the server's pipeline), so that
        // the comparison is of steady ingest, not of the remote path's first-use JIT.
        for (int rep = -1; rep < ctx.Settings.Repeats; rep++)
        {
            bool measured = rep >= 0;
            var round = payloads;
            string served = ctx.NewFolder("server-ingest-served");
            await using (var server = await BenchServer.StartAsync(served, writers: 1).ConfigureAwait(false))
            {
                string client = ctx.NewFolder("server-ingest-client");
                var cpu0 = IngestScenario.CpuTime();
                var run = IngestScenario.RunLibrary(new MetadataStorageOptions
                {
                    StoragePath = client,
                    Backend = RemoteBuilderExtensions.BackendName,
                    ServerUrl = server.Url,
                    ApiKey = server.WriterKeys[0],
                    WriteMode = WriteMode.Buffered,
                }, round);
                if (measured)
                {
                    remote.Add(count / run.Seconds);
                    remoteCpu.Add((IngestScenario.CpuTime() - cpu0).TotalMicroseconds / count);
                }
                long stored = (await server.Storage.GetPerformanceMetricsAsync().ConfigureAwait(false)).RecordCount;
                if (stored != round.Length) throw new InvalidOperationException($"the server holds {stored} records after {round.Length} remote saves");
                BenchContext.Delete(client);
            }
            BenchContext.Delete(served);

            string folder = ctx.NewFolder("server-ingest-local");
            var localCpu0 = IngestScenario.CpuTime();
            var direct = IngestScenario.RunLibrary(new MetadataStorageOptions { StoragePath = folder, Backend = "sqlite", WriteMode = WriteMode.Buffered }, round);
            if (measured)
            {
                local.Add(count / direct.Seconds);
                localCpu.Add((IngestScenario.CpuTime() - localCpu0).TotalMicroseconds / count);
            }
            BenchContext.Delete(folder);
        }
        double ratio = Latency.Median(remote) / Latency.Median(local);
        ctx.Add(new Measurement
        {
            Scenario = "server: remote buffered ingest",
            Backend = "remote (sqlite served)",
            Metric = $"seed-style payloads: {count} saves",
            Unit = "records/s",
            Better = Better.Higher,
            Library = Latency.Median(remote),
            BaselineName = "the same saves on a local SQLite store, buffered",
            Baseline = Latency.Median(local),
            Target = $"≥ {IngestTarget:0.0}× local",
            Met = ratio >= IngestTarget,
            Note = $"process CPU per record {Latency.Median(remoteCpu):0} µs (client + server, one process) vs {Latency.Median(localCpu):0} µs; "
                + "throughput counts until Flush returns (every record durable on the server)",
        });
    }

    private static async Task GetByIdAsync(BenchContext ctx)
    {
        int size = ctx.Settings.ServerGetRecords;
        ctx.Log($"server: GET /records/{{id}} on {size} records, {ctx.Settings.Lookups} lookups");
        string folder = ctx.NewFolder("server-get");
        var ids = await RawSqlite.FillRawAsync(folder, size, models: 10).ConfigureAwait(false);
        var random = new Random(42);
        string[] lookups = [.. Enumerable.Range(0, ctx.Settings.Lookups).Select(_ => ids[random.Next(ids.Length)])];
        await using (var server = await BenchServer.StartAsync(folder, writers: 1).ConfigureAwait(false))
        {
            using var http = new HttpClient { BaseAddress = new Uri(server.Url) };
            http.DefaultRequestHeaders.Add("X-API-Key", server.AdminKey);
            var api = await TimeAsync(lookups, async id =>
            {
                using var response = await http.GetAsync($"/api/v1/records/{id}").ConfigureAwait(false);
                response.EnsureSuccessStatusCode();
                await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            }).ConfigureAwait(false);
            var direct = await TimeAsync(lookups, async id => _ = await server.Storage.GetMetadataAsync(id).ConfigureAwait(false) ?? throw new InvalidOperationException(id))
                .ConfigureAwait(false);
            string clientFolder = ctx.NewFolder("server-get-client");
            await using (var remote = server.Client(clientFolder, server.AdminKey, WriteMode.Immediate))
            {
                var backend = await TimeAsync(lookups, async id => _ = await remote.GetMetadataAsync(id).ConfigureAwait(false) ?? throw new InvalidOperationException(id))
                    .ConfigureAwait(false);
                AddLatency(ctx, size, "remote backend GetMetadata", backend, direct, target: false);
            }
            AddLatency(ctx, size, "GET /api/v1/records/{id}", api, direct, target: true);
            BenchContext.Delete(clientFolder);
        }
        BenchContext.Delete(folder);
    }

    private static void AddLatency(BenchContext ctx, int size, string what, List<double> times, List<double> direct, bool target)
    {
        foreach (var (p, name) in new[] { (50.0, "p50"), (99.0, "p99") })
        {
            double value = Latency.Percentile(times, p);
            ctx.Add(new Measurement
            {
                Scenario = "server: get by id",
                Backend = "remote (sqlite served)",
                Metric = $"{what} {name}, {size} records",
                Unit = "ms",
                Better = Better.Lower,
                Library = value,
                BaselineName = "GetMetadata on the served store, in process",
                Baseline = Latency.Percentile(direct, p),
                Target = target && name == "p99" ? $"≤ {GetP99TargetMs:0} ms" : "",
                Met = target && name == "p99" ? value <= GetP99TargetMs : null,
                Note = target && name == "p50" ? "one request at a time, a kept-alive connection, the response read whole" : "",
            });
        }
    }

    private static async Task ConcurrentClientsAsync(BenchContext ctx)
    {
        var duration = ctx.Settings.ServerClientsDuration;
        ctx.Log($"server: {Clients} clients for {duration.TotalSeconds:0} s");
        string served = ctx.NewFolder("server-clients-served");
        (long Ops, long Saves, List<string> Errors) remote;
        await using (var server = await BenchServer.StartAsync(served, writers: Clients).ConfigureAwait(false))
        {
            var folders = Enumerable.Range(0, Clients).Select(i => ctx.NewFolder($"server-client-{i}")).ToList();
            var stores = Enumerable.Range(0, Clients).Select(i => server.Client(folders[i], server.WriterKeys[i], WriteMode.Immediate)).ToList();
            try
            {
                remote = await LoopAsync(stores, duration).ConfigureAwait(false);
            }
            finally
            {
                foreach (var store in stores) await store.DisposeAsync().ConfigureAwait(false);
            }
            long stored = (await server.Storage.GetPerformanceMetricsAsync().ConfigureAwait(false)).RecordCount;
            if (stored != remote.Saves) remote.Errors.Add($"the server holds {stored} records after {remote.Saves} saves");
            foreach (var folder in folders) BenchContext.Delete(folder);
        }
        BenchContext.Delete(served);

        string localFolder = ctx.NewFolder("server-clients-local");
        (long Ops, long Saves, List<string> Errors) local;
        await using (var shared = new MetadataStorage(localFolder, "sqlite"))
        {
            local = await LoopAsync([.. Enumerable.Repeat(shared, Clients)], duration).ConfigureAwait(false);
        }
        BenchContext.Delete(localFolder);

        ctx.Add(new Measurement
        {
            Scenario = "server: concurrent clients",
            Backend = "remote (sqlite served)",
            Metric = $"{Clients} clients × {duration.TotalSeconds:0} s: save, read back, query (errors: {remote.Errors.Count})",
            Unit = "operations/s",
            Better = Better.Higher,
            Library = remote.Ops / duration.TotalSeconds,
            BaselineName = $"the same {Clients} loops on one local SQLite store (immediate)",
            Baseline = local.Ops / duration.TotalSeconds,
            Target = "no errors",
            Met = remote.Errors.Count == 0,
            Note = remote.Errors.Count == 0
                ? $"{remote.Saves} saves, every one on the server; each client a remote store with its own writer key, immediate writes"
                : "first error: " + remote.Errors[0],
        });
    }

    // Each client: save a record, read it back (it must be there, equal), and every tenth time query its model.
    private static async Task<(long Ops, long Saves, List<string> Errors)> LoopAsync(IReadOnlyList<MetadataStorage> stores, TimeSpan duration)
    {
        long ops = 0, saves = 0;
        var errors = new List<string>();
        using var stop = new CancellationTokenSource(duration);
        await Task.WhenAll(stores.Select((store, client) => Task.Run(async () =>
        {
            string model = $"client_{client:00}";
            for (int i = 0; !stop.IsCancellationRequested; i++)
            {
                try
                {
                    string id = await store.SaveMetadataAsync(model, "inference", "prediction", Workload.SeedPayload(i)).ConfigureAwait(false);
                    Interlocked.Increment(ref saves);
                    var back = await store.GetMetadataAsync(id).ConfigureAwait(false);
                    if (back is null || back.ModelName != model) throw new InvalidOperationException($"record {id} did not read back");
                    if (i % 10 == 0) await store.GetModelMetadataAsync(model, limit: 10).ConfigureAwait(false);
                    Interlocked.Add(ref ops, i % 10 == 0 ? 3 : 2);
                }
                catch (Exception ex)
                {
                    lock (errors) errors.Add($"client {client}: {ex.GetType().Name}: {ex.Message}");
                }
            }
        }))).ConfigureAwait(false);
        return (ops, saves, errors);
    }

    private static async Task<List<double>> TimeAsync(IReadOnlyList<string> ids, Func<string, Task> get)
    {
        for (int i = 0; i < Math.Min(50, ids.Count); i++) await get(ids[i]).ConfigureAwait(false); // warm-up: connections, JIT
        var times = new List<double>(ids.Count);
        foreach (var id in ids)
        {
            long start = Stopwatch.GetTimestamp();
            await get(id).ConfigureAwait(false);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return times;
    }
}
