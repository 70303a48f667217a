using System.Diagnostics;
using System.Linq.Expressions;
using Ciaf.Metadata;
using Ciaf.Metadata.Storage;

namespace Ciaf.Benchmarks.Scenarios;

/// <summary>
/// Capture scope overhead on the caller's thread in buffered mode: <c>using (new MetadataCapture(...))</c>
/// with one value added, against an empty <c>using</c> block. The capture type is found by name (compiled
/// into delegates once, so the call costs what a direct call does): the harness builds whether or not
/// <c>Ciaf.Metadata.Capture</c> has landed, and reports "n/a" until it has.
/// </summary>
internal static class CaptureScenario
{
    private const double TargetMicros = 10;
    private const int Runs = 5;

    public static void Run(BenchContext ctx)
    {
        var capture = CaptureApi.TryFind();
        if (capture is null)
        {
            ctx.Log("capture: Ciaf.Metadata.Capture.MetadataCapture not in this build; n/a");
            ctx.Add(new Measurement
            {
                Scenario = "capture scope, buffered",
                Backend = "sqlite",
                Metric = "per scope, caller thread",
                Unit = "µs",
                Better = Better.Lower,
                BaselineName = "empty using block",
                Baseline = EmptyUsingMicros(ctx.Settings.CaptureScopes),
                Target = $"≤ {TargetMicros} µs",
                Note = "n/a: MetadataCapture has not landed on main yet",
            });
            return;
        }

        int scopes = ctx.Settings.CaptureScopes;
        ctx.Log($"capture: {scopes} scopes × {Runs}");
        string folder = ctx.NewFolder("capture");
        var lib = new List<double>();
        var empty = new List<double>();
        using (var storage = new MetadataStorage(new MetadataStorageOptions
        {
            StoragePath = folder,
            Backend = "sqlite",
            WriteMode = WriteMode.Buffered,
            // Room for every scope: the caller never waits on a full queue, so this measures the scope, not the disk.
            QueueCapacity = scopes * (Runs + 1) + 1,
        }))
        {
            for (int run = 0; run < Runs + 1; run++)
            {
                long t0 = Stopwatch.GetTimestamp();
                for (int i = 0; i < scopes; i++)
                {
                    using var scope = capture.Create(storage);
                    capture.Add(scope, "accuracy", 0.5 + i * 1e-6);
                }
                double micros = Stopwatch.GetElapsedTime(t0).TotalMicroseconds / scopes;
                if (run > 0) lib.Add(micros); // the first run warms up
                empty.Add(EmptyUsingMicros(scopes));
                storage.Flush();
            }
        }
        BenchContext.Delete(folder);
        double libMicros = Latency.Median(lib);
        ctx.Add(new Measurement
        {
            Scenario = "capture scope, buffered",
            Backend = "sqlite",
            Metric = "per scope, caller thread",
            Unit = "µs",
            Better = Better.Lower,
            Library = libMicros,
            BaselineName = "empty using block",
            Baseline = Latency.Median(empty),
            Target = $"≤ {TargetMicros} µs",
            Met = libMicros <= TargetMicros,
            Note = "one AddMetadata per scope; the record is saved on Dispose through the buffered writer",
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

    /// <summary>MetadataCapture's constructor and AddMetadata as compiled delegates.</summary>
    private sealed record CaptureApi(Func<MetadataStorage, IDisposable> Create, Action<IDisposable, string, object?> Add)
    {
        public static CaptureApi? TryFind()
        {
            var type = typeof(MetadataStorage).Assembly.GetType("Ciaf.Metadata.Capture.MetadataCapture");
            var ctor = type?.GetConstructor([typeof(string), typeof(string), typeof(string), typeof(MetadataStorage), typeof(string)]);
            var add = type?.GetMethod("AddMetadata", [typeof(string), typeof(object)]);
            if (type is null || ctor is null || add is null || !typeof(IDisposable).IsAssignableFrom(type)) return null;

            var storage = Expression.Parameter(typeof(MetadataStorage), "storage");
            var create = Expression.Lambda<Func<MetadataStorage, IDisposable>>(
                Expression.Convert(Expression.New(ctor,
                    Expression.Constant(Workload.ModelName(0)), Expression.Constant(PipelineStages.Training),
                    Expression.Constant(Workload.EventType), storage, Expression.Constant(null, typeof(string))), typeof(IDisposable)),
                storage).Compile();

            var scope = Expression.Parameter(typeof(IDisposable), "scope");
            var key = Expression.Parameter(typeof(string), "key");
            var value = Expression.Parameter(typeof(object), "value");
            var addValue = Expression.Lambda<Action<IDisposable, string, object?>>(
                Expression.Call(Expression.Convert(scope, type), add, key, value), scope, key, value).Compile();
            return new CaptureApi(create, addValue);
        }
    }
}
