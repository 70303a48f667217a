using System.Diagnostics;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ciaf.Metadata.Storage;

namespace Ciaf.Benchmarks.Scenarios;

/// <summary>
/// SQLite buffered ingest per payload shape (issue 13: dictionaries, seed-style anonymous objects, non-ASCII
/// strings, 50 KB records): <c>SaveMetadata</c> of every payload with the default options, then <c>Flush</c>.
/// <list type="bullet">
/// <item>Against the loop a user writes by hand on the same schema (<see cref="RawSqlite.SaveNaively"/>:
/// <c>JsonSerializer</c> + SHA-256 + a prepared INSERT, 1,000 rows per transaction): target ≥ 1×.</item>
/// <item>Against the storage floor, no target: the rows the library wrote and one ledger leaf row each, inserted by
/// hand (prepared INSERTs, 1,000 rows per transaction, leaf text and hash made beforehand) — what the records and the
/// log cost SQLite alone, with nothing converted or hashed. Library ÷ floor says how much of the gap to the naive loop
/// is the library's own work; naive ÷ floor, how much is the log's rows.</item>
/// <item>The same floor while the other core converts the payloads as a save does (<c>TryWriteText</c> in a loop), no
/// target: the library's writer always has a busy neighbour, which on a shared machine can slow SQLite's thread too.</item>
/// <item>The same saves with <c>ledger_enabled = false</c>, against the naive loop, no target: the save path without the log.</item>
/// <item>Allocation per saved record, on the caller's thread during the save loop and in the whole process until
/// <c>Flush</c> returned (the writer included), against the record's JSON size (UTF-8, unescaped): target ≤ 3×.</item>
/// </list>
/// </summary>
internal static class PayloadShapesScenario
{
    private const double TargetRatio = 1.0;
    private const double AllocationLimit = 3;

    private static readonly JsonSerializerOptions Unescaped = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task RunAsync(BenchContext ctx)
    {
        foreach (var shape in Workload.Shapes)
        {
            int count = shape.Large ? ctx.Settings.IngestShapeLargeRecords : ctx.Settings.IngestBuffered;
            await MeasureAsync(ctx, shape, count).ConfigureAwait(false);
        }
    }

    private static async Task MeasureAsync(BenchContext ctx, PayloadShape shape, int count)
    {
        ctx.Log($"ingest sqlite buffered, {shape.Name}: {count} records × {ctx.Settings.Repeats}");
        object[] payloads = [.. Enumerable.Range(0, count).Select(shape.Create)];
        double jsonBytes = payloads.Take(1_000).Average(p => JsonSerializer.SerializeToUtf8Bytes(p, Unescaped).Length);
        var lib = new Samples();
        var naive = new Samples();
        var floor = new Samples();
        var busyFloor = new Samples();
        var ledgerOff = new Samples();
        var callerMicros = new List<double>();
        var callerCpuMicros = new List<double>();
        var callerBytes = new List<double>();
        var totalBytes = new List<double>();
        var naiveBytes = new List<double>();
        await WarmUpAsync(ctx, payloads).ConfigureAwait(false);
        for (int rep = 0; rep < ctx.Settings.Repeats; rep++)
        {
            string libFolder = ctx.NewFolder("shapes-lib");
            Settle();
            var cpu0 = IngestScenario.CpuTime();
            var run = IngestScenario.RunLibrary(new MetadataStorageOptions
            {
                StoragePath = libFolder,
                Backend = "sqlite",
                WriteMode = WriteMode.Buffered,
            }, payloads);
            lib.Add(count, run.Seconds, IngestScenario.CpuTime() - cpu0);
            callerMicros.Add(run.CallerSeconds * 1e6 / count);
            if (run.CallerCpuSeconds is { } callerCpu) callerCpuMicros.Add(callerCpu * 1e6 / count);
            callerBytes.Add((double)run.CallerBytes / count);
            totalBytes.Add((double)run.TotalBytes / count);

            string naiveFolder = ctx.NewFolder("shapes-naive");
            await RawSqlite.CreateSchemaAsync(naiveFolder).ConfigureAwait(false);
            using (var raw = RawSqlite.Open(naiveFolder))
            {
                Settle();
                cpu0 = IngestScenario.CpuTime();
                long start = Stopwatch.GetTimestamp();
                long allocated = raw.SaveNaively(payloads, Workload.ModelName(0), ctx.Settings.NaiveBatchSize);
                naive.Add(count, Stopwatch.GetElapsedTime(start).TotalSeconds, IngestScenario.CpuTime() - cpu0);
                naiveBytes.Add((double)allocated / count);
            }

            string offFolder = ctx.NewFolder("shapes-ledger-off");
            Settle();
            cpu0 = IngestScenario.CpuTime();
            var off = IngestScenario.RunLibrary(new MetadataStorageOptions
            {
                StoragePath = offFolder,
                Backend = "sqlite",
                WriteMode = WriteMode.Buffered,
                LedgerEnabled = false,
            }, payloads);
            ledgerOff.Add(count, off.Seconds, IngestScenario.CpuTime() - cpu0);

            var rows = RawSqlite.ReadAllRows(libFolder);
            if (rows.Count != count) throw new InvalidOperationException($"expected {count} rows from the sqlite backend, found {rows.Count}");
            await MeasureFloorAsync(ctx, rows, floor, converting: null).ConfigureAwait(false);
            await MeasureFloorAsync(ctx, rows, busyFloor, converting: payloads).ConfigureAwait(false);
            BenchContext.Delete(libFolder);
            BenchContext.Delete(offFolder);
            BenchContext.Delete(naiveFolder);
        }

        string metric = $"{shape.Name}: {count} saves";
        ctx.Add(new Measurement
        {
            Scenario = "ingest buffered vs naive loop",
            Backend = "sqlite",
            Metric = metric,
            Unit = "records/s",
            Better = Better.Higher,
            Library = lib.Rate,
            BaselineName = $"JsonSerializer + SHA-256 + prepared INSERT, {ctx.Settings.NaiveBatchSize} rows/transaction",
            Baseline = naive.Rate,
            Target = $"≥ {TargetRatio:0.0}× raw",
            Met = lib.Rate / naive.Rate >= TargetRatio,
            Note = $"JSON {jsonBytes:0} bytes/record; process CPU per record {lib.CpuMicros:0} µs (library) vs {naive.CpuMicros:0} µs (naive loop); "
                + $"caller thread {Latency.Median(callerMicros):0.0} µs per save{CallerCpu(callerCpuMicros)}; "
                + $"the storage floor below is {floor.Rate / naive.Rate:0.00}× the naive loop; throughput counts until Flush returns",
        });
        ctx.Add(new Measurement
        {
            Scenario = "ingest buffered vs storage floor",
            Backend = "sqlite",
            Metric = metric,
            Unit = "records/s",
            Better = Better.Higher,
            Library = lib.Rate,
            BaselineName = $"the library's rows and a ledger leaf row each, by hand, {ctx.Settings.NaiveBatchSize} per transaction",
            Baseline = floor.Rate,
            Note = $"storage alone, nothing converted or hashed: process CPU per record {floor.CpuMicros:0} µs",
        });
        ctx.Add(new Measurement
        {
            Scenario = "ingest buffered vs storage floor, other core converting",
            Backend = "sqlite",
            Metric = metric,
            Unit = "records/s",
            Better = Better.Higher,
            Library = lib.Rate,
            BaselineName = $"the same floor while another thread converts the payloads as saves do",
            Baseline = busyFloor.Rate,
            Note = $"the floor alone is {floor.Rate:0} records/s; with the busy core it runs at {busyFloor.Rate / floor.Rate:0.00}× that",
        });
        ctx.Add(new Measurement
        {
            Scenario = "ingest buffered vs naive loop, ledger off",
            Backend = "sqlite",
            Metric = metric,
            Unit = "records/s",
            Better = Better.Higher,
            Library = ledgerOff.Rate,
            BaselineName = $"JsonSerializer + SHA-256 + prepared INSERT, {ctx.Settings.NaiveBatchSize} rows/transaction",
            Baseline = naive.Rate,
            Note = $"ledger_enabled = false (no log rows); process CPU per record {ledgerOff.CpuMicros:0} µs",
        });
        AddAllocation(ctx, $"{shape.Name}, caller thread", Latency.Median(callerBytes), jsonBytes,
            $"SaveMetadata loop on the caller's thread; the naive loop allocates {Latency.Median(naiveBytes):0} bytes/record in all");
        AddAllocation(ctx, $"{shape.Name}, writer", Latency.Median(totalBytes) - Latency.Median(callerBytes), jsonBytes,
            "every thread but the caller's (the background writer's batches, SQLite's binding) until Flush returned: whole process − caller thread");
        AddAllocation(ctx, $"{shape.Name}, whole process", Latency.Median(totalBytes), jsonBytes,
            "every thread from the first save until Flush returned (the issue's limit is per thread: caller and writer above)", target: false);
    }

    /// <summary>
    /// One untimed run of the library and of the naive loop on the shape's payloads. A process's first saves of a shape
    /// are JIT-compiled and then tiered up on the background JIT thread, which in the first 100,000 or so took a quarter
    /// of a core beside the caller and the writer; the timed runs measure the steady state, as the PostgreSQL scenario does.
    /// </summary>
    private static async Task WarmUpAsync(BenchContext ctx, object[] payloads)
    {
        string libFolder = ctx.NewFolder("shapes-warm-up-lib");
        IngestScenario.RunLibrary(new MetadataStorageOptions { StoragePath = libFolder, Backend = "sqlite", WriteMode = WriteMode.Buffered }, payloads);
        BenchContext.Delete(libFolder);
        string naiveFolder = ctx.NewFolder("shapes-warm-up-naive");
        await RawSqlite.CreateSchemaAsync(naiveFolder).ConfigureAwait(false);
        using (var raw = RawSqlite.Open(naiveFolder)) raw.SaveNaively(payloads, Workload.ModelName(0), ctx.Settings.NaiveBatchSize);
        BenchContext.Delete(naiveFolder);
    }

    /// <summary>
    /// The storage floor: <paramref name="rows"/> and a leaf row each inserted by hand into a fresh store, 1,000 per
    /// transaction; with <paramref name="converting"/>, while another thread converts those payloads as saves do.
    /// </summary>
    private static async Task MeasureFloorAsync(BenchContext ctx, List<object?[]> rows, Samples samples, object[]? converting)
    {
        string folder = ctx.NewFolder(converting is null ? "shapes-floor" : "shapes-floor-busy");
        await RawSqlite.CreateSchemaAsync(folder).ConfigureAwait(false);
        using (var raw = RawSqlite.Open(folder))
        {
            Settle();
            using var stop = new CancellationTokenSource();
            var neighbour = converting is null ? Task.CompletedTask
                : Task.Factory.StartNew(() => ConvertUntil(converting, stop.Token), TaskCreationOptions.LongRunning);
            var cpu0 = IngestScenario.CpuTime();
            double seconds = raw.InsertWithLeaves(rows, ctx.Settings.NaiveBatchSize, leaves: true);
            samples.Add(rows.Count, seconds, IngestScenario.CpuTime() - cpu0);
            stop.Cancel();
            await neighbour.ConfigureAwait(false);
        }
        BenchContext.Delete(folder);
    }

    // The caller's share of a save, over and over: what keeps the second core busy while the library's writer writes.
    private static void ConvertUntil(object[] payloads, CancellationToken stop)
    {
        for (int i = 0; !stop.IsCancellationRequested; i++)
        {
            if (Ciaf.Metadata.Hashing.MetadataConverter.TryWriteText(payloads[i % payloads.Length], out _, out _, out _, wantCanonical: false, out _)) continue;
            throw new InvalidOperationException("a payload of the shapes scenario left the fast lane");
        }
    }

    private static string CallerCpu(List<double> micros) => micros.Count == 0 ? "" : $" ({Latency.Median(micros):0.0} µs of it on the CPU)";

    private static void AddAllocation(BenchContext ctx, string metric, double bytes, double jsonBytes, string note, bool target = true) => ctx.Add(new Measurement
    {
        Scenario = "allocation per saved record, sqlite buffered",
        Backend = "sqlite",
        Metric = metric,
        Unit = "bytes/record",
        Better = Better.Lower,
        Library = bytes,
        BaselineName = "the record's JSON size",
        Baseline = jsonBytes,
        Target = target ? $"≤ {AllocationLimit}× JSON size" : "",
        Met = target ? bytes <= AllocationLimit * jsonBytes : null,
        Note = note,
    });

    /// <summary>Collects what the previous run left, so that no run pays for another's garbage.</summary>
    private static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    /// <summary>Rates and CPU per record over the repeats; medians reported.</summary>
    private sealed class Samples
    {
        private readonly List<double> _rates = [];
        private readonly List<double> _cpuMicros = [];

        public double Rate => Latency.Median(_rates);
        public double CpuMicros => Latency.Median(_cpuMicros);

        public void Add(int count, double seconds, TimeSpan cpu)
        {
            _rates.Add(count / seconds);
            _cpuMicros.Add(cpu.TotalMicroseconds / count);
        }
    }
}
