using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Ciaf.Metadata;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;

namespace Ciaf.Benchmarks.Scenarios;

/// <summary>
/// Compression of large records (docs/compression.md): per backend, the same large records (a per-feature
/// statistics table, a SHAP matrix or a confusion matrix, 200–600 KB of JSON each) saved in batches of 10, then read
/// back by id and by one query, with compression on (the library's number) and off (the baseline), in the same run.
/// Reported: size on disk, write and read rates in records/s and in MB/s of compact metadata JSON.
/// </summary>
internal static class CompressionScenario
{
    private const int BatchSize = 10;

    public static async Task RunAsync(BenchContext ctx)
    {
        int count = ctx.Settings.Mode == "quick" ? 20 : 150;
        var payloads = Enumerable.Range(0, count).Select(LargePayload).ToArray();
        double megabytes = payloads.Sum(p => PythonJson.Serialize(p, PythonJsonStyle.Compact).Length) / 1e6;
        foreach (var backend in ctx.Backends)
        {
            ctx.Log($"compression {backend}: {count} records, {megabytes:0.0} MB of metadata JSON, on and off");
            var on = new List<Run>();
            var off = new List<Run>();
            for (int rep = 0; rep < ctx.Settings.Repeats; rep++)
            {
                // Alternate which goes first, so neither always meets a warm or a cold page cache.
                if (rep % 2 == 0)
                {
                    on.Add(await MeasureAsync(ctx, backend, compress: true, payloads).ConfigureAwait(false));
                    off.Add(await MeasureAsync(ctx, backend, compress: false, payloads).ConfigureAwait(false));
                }
                else
                {
                    off.Add(await MeasureAsync(ctx, backend, compress: false, payloads).ConfigureAwait(false));
                    on.Add(await MeasureAsync(ctx, backend, compress: true, payloads).ConfigureAwait(false));
                }
            }
            Add(ctx, backend, "size on disk", "MB", Better.Lower, on.Median(r => r.Bytes / 1e6), off.Median(r => r.Bytes / 1e6), "");
            Add(ctx, backend, "write", "records/s", Better.Higher, on.Median(r => count / r.WriteSeconds), off.Median(r => count / r.WriteSeconds),
                $"{on.Median(r => megabytes / r.WriteSeconds):0} MB/s on, {off.Median(r => megabytes / r.WriteSeconds):0} MB/s off");
            Add(ctx, backend, "get by id", "records/s", Better.Higher, on.Median(r => count / r.GetSeconds), off.Median(r => count / r.GetSeconds),
                $"{on.Median(r => megabytes / r.GetSeconds):0} MB/s on, {off.Median(r => megabytes / r.GetSeconds):0} MB/s off");
            Add(ctx, backend, "query all", "records/s", Better.Higher, on.Median(r => count / r.QuerySeconds), off.Median(r => count / r.QuerySeconds),
                $"{on.Median(r => megabytes / r.QuerySeconds):0} MB/s on, {off.Median(r => megabytes / r.QuerySeconds):0} MB/s off");
        }
    }

    private sealed record Run(long Bytes, double WriteSeconds, double GetSeconds, double QuerySeconds);

    private static async Task<Run> MeasureAsync(BenchContext ctx, string backend, bool compress, JsonObject[] payloads)
    {
        string folder = ctx.NewFolder($"compression-{backend}-{(compress ? "on" : "off")}");
        try
        {
            var options = new MetadataStorageOptions { StoragePath = folder, Backend = backend, EnableCompression = compress };
            var ids = new List<string>(payloads.Length);
            double write, get, query;
            long bytes;
            await using (var storage = new MetadataStorage(options))
            {
                long start = Stopwatch.GetTimestamp();
                foreach (var chunk in payloads.Chunk(BatchSize))
                {
                    ids.AddRange(await storage.SaveMetadataBatchAsync(chunk.Select(p => new MetadataEntry("large_model", "validation", "explained", p))).ConfigureAwait(false));
                }
                write = Stopwatch.GetElapsedTime(start).TotalSeconds;
                bytes = (await storage.GetPerformanceMetricsAsync().ConfigureAwait(false)).TotalSizeBytes;
            }
            await using (var storage = new MetadataStorage(options))
            {
                long start = Stopwatch.GetTimestamp();
                foreach (var id in ids)
                {
                    _ = await storage.GetMetadataAsync(id).ConfigureAwait(false) ?? throw new InvalidOperationException("missed " + id);
                }
                get = Stopwatch.GetElapsedTime(start).TotalSeconds;
                start = Stopwatch.GetTimestamp();
                int n = (await storage.GetModelMetadataAsync("large_model", limit: null).ConfigureAwait(false)).Count;
                query = Stopwatch.GetElapsedTime(start).TotalSeconds;
                if (n != ids.Count) throw new InvalidOperationException($"query returned {n} of {ids.Count}");
            }
            return new Run(bytes, write, get, query);
        }
        finally
        {
            BenchContext.Delete(folder);
        }
    }

    private static void Add(BenchContext ctx, string backend, string metric, string unit, Better better, double on, double off, string note) =>
        ctx.Add(new Measurement
        {
            Scenario = "large records",
            Backend = backend,
            Metric = metric + " (compression on)",
            Unit = unit,
            Better = better,
            Library = on,
            BaselineName = "compression off",
            Baseline = off,
            Note = note,
        });

    private static double Median(this List<Run> runs, Func<Run, double> value)
    {
        var sorted = runs.Select(value).Order().ToList();
        return sorted[sorted.Count / 2];
    }

    /// <summary>Realistic large metadata, three kinds in turn: per-feature statistics, SHAP values, a confusion matrix.</summary>
    internal static JsonObject LargePayload(int i)
    {
        var rng = new Random(i);
        double R(double scale) => Math.Round((rng.NextDouble() * 2 - 1) * scale, rng.Next(4, 16));
        switch (i % 3)
        {
            case 0:
                var stats = new JsonObject();
                for (int f = 0; f < 400; f++)
                {
                    stats[$"feature_{f:000}"] = new JsonObject
                    {
                        ["dtype"] = f % 4 == 0 ? "category" : "float64", ["count"] = 100000, ["missing"] = rng.Next(0, 200),
                        ["mean"] = R(100), ["std"] = Math.Abs(R(30)), ["min"] = R(1000), ["max"] = R(1000),
                        ["quantiles"] = new JsonObject { ["p05"] = R(10), ["p25"] = R(10), ["p50"] = R(10), ["p75"] = R(10), ["p95"] = R(10) },
                        ["histogram"] = new JsonArray([.. Enumerable.Range(0, 20).Select(_ => (JsonNode)rng.Next(0, 5000))]),
                        ["psi"] = Math.Abs(R(0.3)), ["drift_detected"] = rng.Next(2) == 0,
                    };
                }
                return new JsonObject { ["dataset"] = "applications_" + i.ToString(CultureInfo.InvariantCulture), ["rows"] = 100000, ["feature_stats"] = stats };
            case 1:
                var shap = new JsonArray();
                for (int s = 0; s < 600; s++) shap.Add(new JsonArray([.. Enumerable.Range(0, 40).Select(_ => (JsonNode)R(0.5))]));
                return new JsonObject { ["explainer"] = "TreeExplainer", ["expected_value"] = 0.2731, ["shap_values"] = shap };
            default:
                var matrix = new JsonArray();
                for (int a = 0; a < 150; a++) matrix.Add(new JsonArray([.. Enumerable.Range(0, 150).Select(b => (JsonNode)(a == b ? rng.Next(800, 1000) : rng.Next(0, 30)))]));
                return new JsonObject { ["labels"] = new JsonArray([.. Enumerable.Range(0, 150).Select(c => (JsonNode)$"class_{c:000}")]), ["confusion_matrix"] = matrix, ["accuracy"] = 0.9312 };
        }
    }
}
