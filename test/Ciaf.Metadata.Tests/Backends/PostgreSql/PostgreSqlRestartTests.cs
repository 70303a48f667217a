using System.Collections.Concurrent;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;
using Npgsql;

namespace Ciaf.Metadata.Tests.Backends.PostgreSql;

/// <summary>The server goes away while records are being written: the backend retries, and every record arrives exactly once.</summary>
[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlRestartTests(PostgreSqlServer server) : IDisposable
{
    private readonly TempDirectory _folder = new();
    private readonly string _connectionString = server.NewSchemaConnectionString("restart");
    private readonly CountingLoggerFactory _logs = new();

    /// <summary>The backend's "transient error, retrying" log event (PostgreSqlLog.Transient).</summary>
    private const int TransientRetryEvent = 4102;

    public void Dispose() => _folder.Dispose();

    private MetadataStorage Open(WriteMode mode) => new(new MetadataStorageOptions
    {
        StoragePath = _folder.Path,
        Backend = "postgresql",
        ConnectionString = _connectionString,
        WriteMode = mode,
        BatchSize = 50,
        LoggerFactory = _logs,
    });

    [Theory]
    [InlineData(WriteMode.Buffered)]
    [InlineData(WriteMode.Immediate)]
    public async Task Writes_ServerRestartedMidway_EveryRecordPresentExactlyOnce(WriteMode mode)
    {
        var ids = await WriteThroughAsync(mode, server.RestartAsync);
        AssertExactlyOnce(ids);
        Assert.True(_logs.Count(TransientRetryEvent) > 0, "the restart never hit a write: no retry was logged");
    }

    [Fact]
    public async Task BufferedWrites_ServerDownForSeconds_RetriedUntilItIsBack()
    {
        Assert.True(server.OwnsServer, "stopping the server needs a cluster this run started (CIAF_TEST_POSTGRES is set)");
        var ids = await WriteThroughAsync(WriteMode.Buffered, () => server.StopAndStartAsync(TimeSpan.FromSeconds(3)));
        AssertExactlyOnce(ids);
        Assert.True(_logs.Count(TransientRetryEvent) > 0, "the outage never hit a write: no retry was logged");
    }

    /// <summary>Writes steadily from two tasks, runs <paramref name="disruption"/> once 300 records are durable,
    /// keeps writing for a while after it, then flushes. Returns every id saved.</summary>
    private async Task<List<string>> WriteThroughAsync(WriteMode mode, Func<Task> disruption)
    {
        var ids = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        await using (var storage = Open(mode))
        {
            var writers = Enumerable.Range(0, 2).Select(w => Task.Run(async () =>
            {
                try
                {
                    for (int i = 0; !stop.IsCancellationRequested; i++)
                    {
                        ids.Add(await storage.SaveMetadataAsync("restart_model", "inference", "inference_performed",
                            new { w, i, payload = new string('x', 100) }));
                        if (i % 20 == 0) await Task.Delay(2, stop.Token);
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    // only the pause between saves is cancelled: a save itself always completes, so ids lists every record
                }
            })).ToList();

            while (await storage.GetPerformanceMetricsAsync() is { RecordCount: < 300 })
            {
                Assert.DoesNotContain(writers, t => t.IsFaulted);
                await Task.Delay(20);
            }
            int before = ids.Count;
            await disruption();
            // Keep writing after the server is back, then stop.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (ids.Count < before + 500 && DateTime.UtcNow < deadline) await Task.Delay(20);
            await stop.CancelAsync();
            await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(60));
            using var flushTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await storage.FlushAsync(flushTimeout.Token);
            Assert.True(ids.Count >= before + 500, $"writing did not resume after the disruption ({ids.Count - before} records since)");
        }
        return [.. ids];
    }

    private void AssertExactlyOnce(List<string> ids)
    {
        string schema = new NpgsqlConnectionStringBuilder(_connectionString).SearchPath!;
        using var connection = server.OpenConnection(_connectionString);
        var stored = new List<string>();
        using (var command = new NpgsqlCommand($"SELECT id FROM \"{schema}\".metadata WHERE model_name = 'restart_model'", connection))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read()) stored.Add(reader.GetString(0));
        }
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(ids.Count, stored.Count); // the primary key makes duplicates impossible; this checks nothing is missing or extra
        Assert.Equal(ids.Order(StringComparer.Ordinal), stored.Order(StringComparer.Ordinal));

        using var storage = Open(WriteMode.Immediate);
        Assert.Equal(ids.Count, storage.GetModelMetadata("restart_model", limit: null).Count);
    }
}
