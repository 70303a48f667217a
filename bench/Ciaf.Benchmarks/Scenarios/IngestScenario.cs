using System.Diagnostics;
using Ciaf.Metadata;
using Ciaf.Metadata.Storage;

namespace Ciaf.Benchmarks.Scenarios;

/// <summary>
/// Ingest: <c>SaveMetadata</c> one record at a time, immediate (durable on return) and buffered (then
/// <c>Flush</c>), per backend. The baseline replays exactly what the library wrote in that run: the same
/// rows through a prepared INSERT with the same schema, indexes, pragmas and batch size (SQLite), or
/// the same file bytes with write-temp-flush-rename (JSON, Pickle).
/// </summary>
internal static class IngestScenario
{
    public static async Task RunAsync(BenchContext ctx)
    {
        foreach (var backend in ctx.Backends)
        {
            foreach (var mode in new[] { WriteMode.Immediate, WriteMode.Buffered })
            {
                int count = mode == WriteMode.Immediate ? ctx.Settings.IngestImmediate
                    : backend == "sqlite" ? ctx.Settings.IngestBuffered : ctx.Settings.IngestBufferedFiles;
                await MeasureAsync(ctx, backend, mode, count).ConfigureAwait(false);
            }
        }
    }

    private static async Task MeasureAsync(BenchContext ctx, string backend, WriteMode mode, int count)
    {
        ctx.Log($"ingest {backend} {mode.ToString().ToLowerInvariant()}: {count} records × {ctx.Settings.Repeats}");
        var payloads = Enumerable.Range(0, count).Select(Workload.Payload).ToArray();
        int rawBatch = mode == WriteMode.Immediate ? 1 : ctx.Settings.BatchSize;
        var libRates = new List<double>();
        var rawRates = new List<double>();
        var callerMicros = new List<double>();
        var libCpu = new List<double>();
        var rawCpu = new List<double>();
        for (int rep = 0; rep < ctx.Settings.Repeats; rep++)
        {
            string libFolder = ctx.NewFolder($"ingest-{backend}-{mode}-lib");
            var cpu0 = CpuTime();
            var (seconds, callerSeconds) = RunLibrary(libFolder, backend, mode, payloads, ctx.Settings.BatchSize);
            libCpu.Add((CpuTime() - cpu0).TotalMicroseconds / count);
            libRates.Add(count / seconds);
            callerMicros.Add(callerSeconds * 1e6 / count);

            string rawFolder = ctx.NewFolder($"ingest-{backend}-{mode}-raw");
            double rawSeconds;
            if (backend == "sqlite")
            {
                var rows = RawSqlite.ReadAllRows(libFolder);
                await RawSqlite.CreateSchemaAsync(rawFolder).ConfigureAwait(false);
                using var raw = RawSqlite.Open(rawFolder);
                var rawCpu0 = CpuTime();
                long start = Stopwatch.GetTimestamp();
                raw.Insert(rows, rawBatch);
                rawSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                rawCpu.Add((CpuTime() - rawCpu0).TotalMicroseconds / count);
            }
            else
            {
                var files = FileStores.Snapshot(libFolder, FileStores.Extension(backend));
                if (files.Count != count) throw new InvalidOperationException($"expected {count} files from the {backend} backend, found {files.Count}");
                var rawCpu0 = CpuTime();
                long start = Stopwatch.GetTimestamp();
                FileStores.Replay(rawFolder, files);
                rawSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                rawCpu.Add((CpuTime() - rawCpu0).TotalMicroseconds / count);
            }
            rawRates.Add(count / rawSeconds);
            BenchContext.Delete(libFolder);
            BenchContext.Delete(rawFolder);
        }

        double lib = Latency.Median(libRates), rawRate = Latency.Median(rawRates);
        string baselineName = backend == "sqlite"
            ? $"prepared INSERT, batch {rawBatch}"
            : "temp+fsync+rename of the same bytes";
        string target = "";
        bool? met = null;
        if (backend == "sqlite" && mode == WriteMode.Buffered)
        {
            target = "≥ 0.8× raw";
            met = lib / rawRate >= 0.8;
        }
        else if (backend == "json")
        {
            target = "≥ 0.7× raw";
            met = lib / rawRate >= 0.7;
        }
        ctx.Add(new Measurement
        {
            Scenario = $"ingest {mode.ToString().ToLowerInvariant()}",
            Backend = backend,
            Metric = $"{count} saves",
            Unit = "records/s",
            Better = Better.Higher,
            Library = lib,
            BaselineName = baselineName,
            Baseline = rawRate,
            Target = target,
            Met = met,
            Note = $"process CPU per record {Latency.Median(libCpu):0} µs (library) vs {Latency.Median(rawCpu):0} µs (raw)"
                + (mode == WriteMode.Buffered
                    ? $"; caller thread {Latency.Median(callerMicros):0.0} µs per save; throughput counts until Flush returns"
                    : ""),
        });
    }

    /// <summary>CPU time of the whole process (user + system, every thread): robust where wall time is not, on a shared machine.</summary>
    private static TimeSpan CpuTime()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    private static (double Seconds, double CallerSeconds) RunLibrary(string folder, string backend, WriteMode mode,
        IReadOnlyList<Dictionary<string, object?>> payloads, int batchSize)
    {
        var storage = new MetadataStorage(new MetadataStorageOptions
        {
            StoragePath = folder,
            Backend = backend,
            WriteMode = mode,
            BatchSize = batchSize,
        });
        try
        {
            string model = Workload.ModelName(0);
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < payloads.Count; i++)
            {
                storage.SaveMetadata(model, Workload.Stages[i % Workload.Stages.Length], Workload.EventType, payloads[i],
                    details: "benchmark record");
            }
            double caller = Stopwatch.GetElapsedTime(start).TotalSeconds;
            storage.Flush();
            return (Stopwatch.GetElapsedTime(start).TotalSeconds, caller);
        }
        finally
        {
            storage.Dispose();
        }
    }
}
