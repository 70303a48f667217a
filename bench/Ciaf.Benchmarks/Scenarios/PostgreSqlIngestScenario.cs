using System.Diagnostics;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Backends.PostgreSql;

namespace Ciaf.Benchmarks.Scenarios;

/// <summary>
/// PostgreSQL buffered ingest (issue 13): <c>SaveMetadata</c> of seed-style payloads, then <c>Flush</c>, against a
/// binary <c>COPY</c> of the rows the library wrote (every column as stored) into a schema the backend created
/// (same indexes), 1,000 rows per <c>COPY</c>; and, with no target, against the storage floor of what the library writes:
/// a binary <c>COPY</c> of the same rows and of the ledger rows the library wrote for them (leaves and stored nodes,
/// read back from its schema), 1,000 records per transaction. The server is the tests' throwaway one (<see cref="PostgreSqlServer"/>,
/// linked from the test project): <c>CIAF_TEST_POSTGRES</c>, else a cluster from the PostgreSQL 15 binaries. Without
/// either, the report says "skipped" and why, and the run does not fail.
/// </summary>
internal static class PostgreSqlIngestScenario
{
    private const string Scenario = "ingest buffered vs binary COPY";
    private const double TargetRatio = 0.9;

    public static async Task RunAsync(BenchContext ctx)
    {
        int count = ctx.Settings.IngestPostgreSql;
        string baselineName = $"binary COPY of the same rows, {ctx.Settings.NaiveBatchSize} per COPY";
        string floorName = $"binary COPY of the same rows and their ledger leaves and nodes, {ctx.Settings.NaiveBatchSize} records per transaction";
        ctx.Log("postgresql ingest: starting a server");
        var server = new PostgreSqlServer();
        try
        {
            await server.InitializeAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            string reason = ex.Message.Split('\n')[0].Trim();
            ctx.Log($"postgresql ingest skipped: {reason}");
            ctx.Add(new Measurement
            {
                Scenario = Scenario,
                Backend = "postgresql",
                Metric = $"{count} saves",
                Unit = "records/s",
                Better = Better.Higher,
                BaselineName = baselineName,
                Target = $"≥ {TargetRatio}× raw",
                Note = $"skipped: no PostgreSQL server could be started ({reason})",
            });
            await server.DisposeAsync().ConfigureAwait(false);
            return;
        }

        try
        {
            ctx.Log($"postgresql ingest: {count} records × {ctx.Settings.Repeats}");
            object[] payloads = [.. Enumerable.Range(0, count).Select(Workload.SeedPayload)];
            var libRates = new List<double>();
            var rawRates = new List<double>();
            var floorRates = new List<double>();
            var callerMicros = new List<double>();
            // Run -1 warms up, untimed: Npgsql's COPY and the backend's write path are JIT-compiled and tiered up there
            // (its first runs spent as much CPU on the background JIT as on the saves), for the library and the baselines.
            for (int rep = -1; rep < ctx.Settings.Repeats; rep++)
            {
                bool timed = rep >= 0;
                string folder = ctx.NewFolder("ingest-postgresql");
                string libConnection = server.NewSchemaConnectionString("bench_lib");
                var run = IngestScenario.RunLibrary(new MetadataStorageOptions
                {
                    StoragePath = folder,
                    Backend = "postgresql",
                    ConnectionString = libConnection,
                    WriteMode = WriteMode.Buffered,
                }, payloads);
                if (timed)
                {
                    libRates.Add(count / run.Seconds);
                    callerMicros.Add(run.CallerSeconds * 1e6 / count);
                }

                var table = RawPostgreSql.ReadAll(libConnection);
                if (table.Rows.Count != count) throw new InvalidOperationException($"expected {count} rows from the postgresql backend, found {table.Rows.Count}");
                string rawConnection = server.NewSchemaConnectionString("bench_raw");
                await using (MetadataBackends.Create("postgresql", new BackendContext { StoragePath = folder, ConnectionString = rawConnection }).ConfigureAwait(false))
                {
                    // Opening the backend creates the schema, its tables and indexes.
                }
                long start = Stopwatch.GetTimestamp();
                RawPostgreSql.Copy(rawConnection, table, ctx.Settings.NaiveBatchSize);
                if (timed) rawRates.Add(count / Stopwatch.GetElapsedTime(start).TotalSeconds);

                var ledger = RawPostgreSql.ReadLedger(libConnection);
                if (ledger.Leaves.Rows.Count < count) throw new InvalidOperationException($"expected {count} ledger leaves from the postgresql backend, found {ledger.Leaves.Rows.Count}");
                string floorConnection = server.NewSchemaConnectionString("bench_floor");
                await using (MetadataBackends.Create("postgresql", new BackendContext { StoragePath = folder, ConnectionString = floorConnection }).ConfigureAwait(false))
                {
                    // The same layout again: the ledger's tables and indexes too.
                }
                start = Stopwatch.GetTimestamp();
                RawPostgreSql.CopyWithLedger(floorConnection, table, ledger, ctx.Settings.NaiveBatchSize);
                if (timed) floorRates.Add(count / Stopwatch.GetElapsedTime(start).TotalSeconds);
                BenchContext.Delete(folder);
                // Each run starts from the same server state: no earlier run's tables left for autovacuum and checkpoints.
                foreach (string used in new[] { libConnection, rawConnection, floorConnection }) RawPostgreSql.DropSchema(used);
            }
            double lib = Latency.Median(libRates), raw = Latency.Median(rawRates), floor = Latency.Median(floorRates);
            ctx.Add(new Measurement
            {
                Scenario = Scenario,
                Backend = "postgresql",
                Metric = $"{count} saves",
                Unit = "records/s",
                Better = Better.Higher,
                Library = lib,
                BaselineName = baselineName,
                Baseline = raw,
                Target = $"≥ {TargetRatio}× raw",
                Met = lib / raw >= TargetRatio,
                Note = $"seed-style payloads; caller thread {Latency.Median(callerMicros):0.0} µs per save (wall); throughput counts until Flush returns; "
                    + "after one untimed warm-up run of each; "
                    + (server.OwnsServer ? "throwaway local server on this machine" : "server from " + PostgreSqlServer.ExternalVariable),
            });
            ctx.Add(new Measurement
            {
                Scenario = Scenario,
                Backend = "postgresql",
                Metric = $"{count} saves, against the storage floor",
                Unit = "records/s",
                Better = Better.Higher,
                Library = lib,
                BaselineName = floorName,
                Baseline = floor,
                Note = "the same library runs as the row above; the floor copies what the library stored (records, one ledger leaf each, "
                    + "a stored Merkle node every 16 leaves), without staging, merging or the ledger's lock",
            });
        }
        finally
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }
}
