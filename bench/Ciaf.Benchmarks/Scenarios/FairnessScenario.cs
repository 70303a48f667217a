using System.Diagnostics;
using Ciaf.Metadata.Compliance;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Benchmarks.Scenarios;

/// <summary>
/// The fairness bootstrap (issue 17): <c>FairnessMetrics.Compute</c> with n_boot resamples over a predictions table with
/// labels and scores (four groups), against the plain way of doing the same resamples (<see cref="NaiveFairnessBootstrap"/>:
/// a new list of observations per resample, the point-estimate computation on it), drawing the same rows. The two must
/// give identical intervals, which the scenario checks before reporting a time.
/// </summary>
internal static class FairnessScenario
{
    public static void Run(BenchContext ctx)
    {
        int rows = ctx.Settings.FairnessRows, samples = ctx.Settings.FairnessBootstrapSamples;
        ctx.Log($"fairness bootstrap: {samples} resamples × {rows} rows");
        var data = Predictions(rows);
        var options = new FairnessOptions { BootstrapSamples = samples, Seed = 1 };

        // Warm up both paths (JIT, thread pool) on a small slice, outside the timings.
        var warmUp = new FairnessOptions { BootstrapSamples = 20, Seed = 1 };
        FairnessMetrics.Compute(data.Take(2_000).ToList(), warmUp);
        NaiveFairnessBootstrap.Intervals(data.Take(2_000).ToList(), warmUp);

        var library = new List<double>();
        var naive = new List<double>();
        var libraryCpu = new List<double>();
        var naiveCpu = new List<double>();
        FairnessReport? report = null;
        Dictionary<string, ConfidenceInterval>? reference = null;
        for (int run = 0; run < ctx.Settings.Repeats; run++)
        {
            report = Time(() => FairnessMetrics.Compute(data, options), library, libraryCpu);
            reference = Time(() => NaiveFairnessBootstrap.Intervals(data, options), naive, naiveCpu);
        }
        var intervals = report!.Intervals!;
        foreach (var (name, expected) in reference!)
        {
            var actual = name switch
            {
                "demographic_parity_difference" => intervals.DemographicParityDifference,
                "demographic_parity_ratio" => intervals.DemographicParityRatio,
                "equalized_odds_difference" => intervals.EqualizedOddsDifference,
                _ when name.StartsWith("selection_rate:", StringComparison.Ordinal) => intervals.SelectionRates[name[15..]],
                _ => intervals.ExpectedCalibrationErrors[name[(name.IndexOf(':', StringComparison.Ordinal) + 1)..]],
            };
            if (actual != expected) throw new InvalidOperationException($"fairness: {name} is {actual} by the library, {expected} by plain resampling");
        }
        ctx.Add(new Measurement
        {
            Scenario = "fairness bootstrap",
            Backend = "-",
            Metric = $"{samples:N0} resamples × {rows:N0} rows, 4 groups, labels and scores",
            Unit = "s",
            Better = Better.Lower,
            Library = Latency.Median(library),
            BaselineName = "a list of observations per resample + FairnessMetrics.Compute",
            Baseline = Latency.Median(naive),
            Note = $"identical intervals (checked); process CPU time {Latency.Median(libraryCpu):0.00} s against {Latency.Median(naiveCpu):0.00} s "
                + $"(the library spreads the resamples over the {Environment.ProcessorCount} cores); median of {ctx.Settings.Repeats}",
        });
    }

    /// <summary>Runs <paramref name="work"/>, adding its wall-clock and process CPU seconds.</summary>
    private static T Time<T>(Func<T> work, List<double> wall, List<double> cpu)
    {
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        long t0 = Stopwatch.GetTimestamp();
        var result = work();
        wall.Add(Stopwatch.GetElapsedTime(t0).TotalSeconds);
        cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds);
        return result;
    }

    /// <summary>A credit model's decisions: four groups of unequal size and rates, labels, scores in [0, 1].</summary>
    private static List<FairnessObservation> Predictions(int rows)
    {
        var random = new Random(17);
        string[] groups = ["female & 18-40", "female & 41+", "male & 18-40", "male & 41+"];
        var data = new List<FairnessObservation>(rows);
        for (int i = 0; i < rows; i++)
        {
            int g = random.Next(10) switch { < 3 => 0, < 5 => 1, < 8 => 2, _ => 3 };
            bool label = random.NextDouble() < 0.45 + (0.05 * g);
            double score = Math.Clamp((label ? 0.62 : 0.38) + ((random.NextDouble() - 0.5) * 0.6) + (0.02 * g), 0, 1);
            data.Add(new FairnessObservation(groups[g], score > 0.5, label, score));
        }
        return data;
    }
}
