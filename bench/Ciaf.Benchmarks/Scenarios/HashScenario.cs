using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Benchmarks.Scenarios;

/// <summary>
/// The canonical JSON + hash of one record's metadata (what every save computes) against
/// <c>JsonSerializer</c> + <c>SHA256.HashData</c> of the same object: from the caller's payload
/// (dictionaries), and from an already-built <see cref="JsonObject"/>. BenchmarkDotNet in full mode
/// (in-process, short run); a Stopwatch loop in quick mode.
/// </summary>
internal static class HashScenario
{
    public static void Run(BenchContext ctx)
    {
        ctx.Log($"canonical JSON + hash ({(ctx.Settings.UseBenchmarkDotNet ? "BenchmarkDotNet" : "Stopwatch")})");
        var ns = ctx.Settings.UseBenchmarkDotNet ? WithBenchmarkDotNet() : WithStopwatch();
        Add(ctx, "from the payload (dictionaries)", ns[nameof(HashBenchmarks.CanonicalHashOfPayload)], ns[nameof(HashBenchmarks.SerializerHashOfPayload)]);
        Add(ctx, "from a JsonObject", ns[nameof(HashBenchmarks.CanonicalHashOfNode)], ns[nameof(HashBenchmarks.SerializerHashOfNode)]);
    }

    private static void Add(BenchContext ctx, string metric, double libNs, double rawNs) => ctx.Add(new Measurement
    {
        Scenario = "canonical JSON + SHA-256",
        Backend = "-",
        Metric = metric,
        Unit = "µs",
        Better = Better.Lower,
        Library = libNs / 1000,
        BaselineName = "JsonSerializer + SHA256.HashData",
        Baseline = rawNs / 1000,
        Note = metric.StartsWith("from the payload", StringComparison.Ordinal)
            ? "the library's form is Python's json.dumps(sort_keys=True) (code-point key order, float repr, ensure_ascii), which the baseline is not"
            : "",
    });

    private static Dictionary<string, double> WithBenchmarkDotNet()
    {
        var config = ManualConfig.CreateEmpty()
            .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance))
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddLogger(NullLogger.Instance)
            .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "ciaf-bench-bdn"))
            .WithOptions(ConfigOptions.DisableLogFile);
        var summary = BenchmarkRunner.Run<HashBenchmarks>(config);
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var report in summary.Reports)
        {
            result[report.BenchmarkCase.Descriptor.WorkloadMethod.Name] = report.ResultStatistics?.Mean
                ?? throw new InvalidOperationException($"BenchmarkDotNet produced no result for {report.BenchmarkCase.Descriptor.WorkloadMethod.Name}");
        }
        return result;
    }

    private static Dictionary<string, double> WithStopwatch()
    {
        var b = new HashBenchmarks();
        b.Setup();
        var cases = new (string Name, Func<string> Run)[]
        {
            (nameof(HashBenchmarks.CanonicalHashOfPayload), b.CanonicalHashOfPayload),
            (nameof(HashBenchmarks.SerializerHashOfPayload), () => Convert.ToHexString(b.SerializerHashOfPayload())),
            (nameof(HashBenchmarks.CanonicalHashOfNode), b.CanonicalHashOfNode),
            (nameof(HashBenchmarks.SerializerHashOfNode), () => Convert.ToHexString(b.SerializerHashOfNode())),
        };
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, run) in cases)
        {
            const int n = 5_000;
            var samples = new List<double>();
            for (int s = 0; s < 6; s++)
            {
                long t0 = Stopwatch.GetTimestamp();
                for (int i = 0; i < n; i++) run();
                if (s > 0) samples.Add(Stopwatch.GetElapsedTime(t0).TotalNanoseconds / n);
            }
            result[name] = Latency.Median(samples);
        }
        return result;
    }
}

/// <summary>The micro-benchmarks BenchmarkDotNet runs (public and unsealed, as it requires).</summary>
[MemoryDiagnoser(false)]
public class HashBenchmarks
{
    private Dictionary<string, object?> _payload = null!;
    private JsonObject _node = null!;

    [GlobalSetup]
    public void Setup()
    {
        _payload = Workload.Payload(7);
        _node = MetadataConverter.ToJsonObject(_payload);
    }

    [Benchmark]
    public string CanonicalHashOfPayload() => PythonJson.Hash(MetadataConverter.ToJsonObject(_payload));

    [Benchmark]
    public byte[] SerializerHashOfPayload() => SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(_payload));

    [Benchmark]
    public string CanonicalHashOfNode() => PythonJson.Hash(_node);

    [Benchmark]
    public byte[] SerializerHashOfNode() => SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(_node));
}
