using System.Diagnostics;
using Ciaf.Metadata;
using Ciaf.Metadata.Capture;
using Ciaf.Metadata.Storage;

namespace Ciaf.Benchmarks.Scenarios;

/// <summary>
/// Capture scope overhead on the caller's thread in buffered mode, against an empty <c>using</c> block:
/// <c>using (new MetadataCapture(...))</c> with one value added (<c>AddMetadata</c>), and with a seed-style
/// payload (nested anonymous objects and an array of ten small objects, given to <c>UpdateMetadata</c>,
/// issue 13's ≤ 5 µs). The record is saved on <c>Dispose</c> through the buffered writer. Each payload is measured two
/// ways in the same store:
/// <list type="bullet">
/// <item>paced (the target rows): 1,000 scopes, then a flush outside the timing, so the writer's queue never holds more
/// than a thousand records, as in a service whose writer keeps up with its captures;</item>
/// <item>back to back: every scope of a run queued before the writer catches up (the writer needs ~30 µs a record), so
/// the queue holds tens of thousands of records; each garbage collection then copies that backlog, and a collection runs
/// on the thread that allocates: the caller's.</item>
/// </list>
/// Rows: the caller thread's CPU time per scope (what the scope costs that thread: the target), and its wall-clock time
/// per scope (that, plus the time the thread was off the CPU while the writer, the GC or another process ran on this
/// 2-core machine).
/// </summary>
internal static class CaptureScenario
{
    private const int Runs = 5;

    // Scopes between two flushes in the paced mode.
    private const int Pace = 1_000;

    public static void Run(BenchContext ctx)
    {
        // 1,000 distinct payloads, made beforehand: building the caller's objects is not the scope's cost.
        var seedPayloads = Enumerable.Range(0, 1_000).Select(Workload.SeedPayload).ToArray();
        foreach (bool paced in new[] { true, false })
        {
            Measure(ctx, "per scope, caller thread", targetMicros: 10, "one AddMetadata per scope", paced,
                (scope, i) => scope.AddMetadata("accuracy", 0.5 + i * 1e-6));
            Measure(ctx, "per scope, caller thread, seed-style payload", targetMicros: 5,
                "UpdateMetadata with a seed-style anonymous object (about 700 bytes as JSON)", paced,
                (scope, i) => scope.UpdateMetadata(seedPayloads[i % seedPayloads.Length]));
        }
    }

    private static void Measure(BenchContext ctx, string metric, double targetMicros, string note, bool paced, Action<MetadataCapture, int> fill)
    {
        int scopes = ctx.Settings.CaptureScopes;
        string mode = paced ? $"paced ({Pace:N0} scopes, then a flush outside the timing)" : "back to back (the whole run queued)";
        ctx.Log($"capture, {metric}, {mode}: {scopes} scopes × {Runs}");
        string folder = ctx.NewFolder("capture");
        var lib = new List<double>();
        var libCpu = new List<double>();
        var empty = new List<double>();
        var gcPause = new List<double>();
        using (var storage = new MetadataStorage(new MetadataStorageOptions
        {
            StoragePath = folder,
            Backend = "sqlite",
            WriteMode = WriteMode.Buffered,
            QueueCapacity = scopes + 1,
        }))
        {
            string model = Workload.ModelName(0);
            for (int run = 0; run < Runs + 1; run++)
            {
                double micros = 0, cpuMicros = 0;
                bool cpuKnown = true;
                var pause0 = GC.GetTotalPauseDuration();
                for (int done = 0; done < scopes;)
                {
                    int chunk = paced ? Math.Min(Pace, scopes - done) : scopes;
                    double? cpu0 = ThreadCpu.Seconds();
                    long t0 = Stopwatch.GetTimestamp();
                    for (int i = done; i < done + chunk; i++)
                    {
                        using var scope = new MetadataCapture(model, PipelineStages.Training, Workload.EventType, storage);
                        fill(scope, i);
                    }
                    micros += Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
                    if (ThreadCpu.Seconds() - cpu0 is { } cpu) cpuMicros += cpu * 1e6;
                    else cpuKnown = false;
                    done += chunk;
                    if (paced) storage.Flush();
                }
                if (run > 0) // the first run warms up
                {
                    lib.Add(micros / scopes);
                    if (cpuKnown) libCpu.Add(cpuMicros / scopes);
                    gcPause.Add((GC.GetTotalPauseDuration() - pause0).TotalMicroseconds / scopes);
                }
                empty.Add(EmptyUsingMicros(scopes));
                storage.Flush();
            }
        }
        BenchContext.Delete(folder);
        double libMicros = Latency.Median(lib);
        bool known = libCpu.Count > 0;
        double cpuMedian = known ? Latency.Median(libCpu) : double.NaN;
        string pauses = $"GC pauses {Latency.Median(gcPause):F1} µs per scope (whole process, flushes included)";
        string name = paced ? metric : metric + ", back to back";
        if (known)
        {
            ctx.Add(new Measurement
            {
                Scenario = "capture scope, buffered",
                Backend = "sqlite",
                Metric = name + " CPU",
                Unit = "µs",
                Better = Better.Lower,
                Library = cpuMedian,
                BaselineName = "empty using block (wall clock)",
                Baseline = Latency.Median(empty),
                Target = paced ? $"≤ {targetMicros} µs" : "",
                Met = paced ? cpuMedian <= targetMicros : null,
                Note = $"{note}; {mode}; the caller thread's CPU time per scope (clock_gettime(CLOCK_THREAD_CPUTIME_ID)), GC work done on it included; {pauses}",
            });
        }
        ctx.Add(new Measurement
        {
            Scenario = "capture scope, buffered",
            Backend = "sqlite",
            Metric = name + " wall clock",
            Unit = "µs",
            Better = Better.Lower,
            Library = libMicros,
            BaselineName = "empty using block",
            Baseline = Latency.Median(empty),
            // The target is on the CPU row where the OS reports a thread's CPU time; on the wall clock otherwise.
            Target = known || !paced ? "" : $"≤ {targetMicros} µs",
            Met = known || !paced ? null : libMicros <= targetMicros,
            Note = $"{note}; {mode}; the record is saved on Dispose through the buffered writer; wall clock includes the time the caller was off the CPU (writer, GC pauses, other processes)",
        });
    }

    private static double EmptyUsingMicros(int scopes)
    {
        long t0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < scopes; i++)
        {
            using var scope = new EmptyScope();
            EmptyScope.Touch(scope);
        }
        return Stopwatch.GetElapsedTime(t0).TotalMicroseconds / scopes;
    }

    private sealed class EmptyScope : IDisposable
    {
        private static object? _sink;

        public static void Touch(EmptyScope scope) => Volatile.Write(ref _sink, scope);

        public void Dispose()
        {
        }
    }
}
