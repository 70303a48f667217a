using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ciaf.Benchmarks;

/// <summary>The results as a Markdown table (printed and saved) and as JSON.</summary>
internal static class Report
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string Markdown(MachineInfo machine, BenchSettings settings, TimeSpan elapsed, IReadOnlyList<Measurement> results, IReadOnlyList<string> errors)
    {
        var sb = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        sb.AppendLine(c, $"# Ciaf.Metadata benchmarks ({settings.Mode} mode)");
        sb.AppendLine();
        sb.AppendLine(c, $"Machine: {machine.Line}");
        sb.AppendLine();
        sb.AppendLine(c, $"Run: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, {elapsed.TotalSeconds:0} s.");
        sb.AppendLine();
        sb.AppendLine("Ratio = library ÷ baseline of the metric as shown (throughput: above 1 is faster than raw; " +
            "latency and memory: above 1 is slower or bigger than raw). Each baseline does the same raw I/O in the same run.");
        sb.AppendLine();
        sb.AppendLine("| scenario | backend | metric | library | baseline | ratio | target | met |");
        sb.AppendLine("|---|---|---|---:|---|---:|---|:-:|");
        foreach (var r in results)
        {
            string baseline = r.Baseline is { } b ? $"{Format(b)} ({r.BaselineName})" : r.BaselineName;
            string met = r.Met switch { true => "met", false => "**missed**", null => "" };
            sb.AppendLine(c,
                $"| {r.Scenario} | {r.Backend} | {r.Metric} ({r.Unit}) | {(r.Library is { } l ? Format(l) : "n/a")} | {baseline} | {(r.Ratio is { } q ? q.ToString("0.00", c) + "×" : "")} | {r.Target} | {met} |");
        }
        var notes = results.Where(r => r.Note.Length > 0).ToList();
        if (notes.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("Notes:");
            sb.AppendLine();
            foreach (var r in notes) sb.AppendLine(c, $"- {r.Scenario}, {r.Backend}, {r.Metric}: {r.Note}");
        }
        if (errors.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("Errors:");
            sb.AppendLine();
            foreach (var e in errors) sb.AppendLine(c, $"- {e}");
        }
        return sb.ToString();
    }

    public static string Json(MachineInfo machine, BenchSettings settings, TimeSpan elapsed, IReadOnlyList<Measurement> results, IReadOnlyList<string> errors) =>
        JsonSerializer.Serialize(new
        {
            Machine = machine,
            MachineLine = machine.Line,
            Mode = settings.Mode,
            Settings = settings,
            StartedUtc = DateTimeOffset.UtcNow - elapsed,
            ElapsedSeconds = Math.Round(elapsed.TotalSeconds, 1),
            Results = results.Select(r => new
            {
                r.Scenario, r.Backend, r.Metric, r.Unit, r.Better, r.Library, Baseline = r.BaselineName, BaselineValue = r.Baseline,
                r.Ratio, r.Target, r.Met, r.Note,
            }),
            Errors = errors,
        }, JsonOptions);

    public static string Format(double value) => value switch
    {
        double.NaN => "n/a",
        >= 100_000 => value.ToString("#,0", CultureInfo.InvariantCulture),
        >= 100 => value.ToString("0", CultureInfo.InvariantCulture),
        >= 1 => value.ToString("0.0#", CultureInfo.InvariantCulture),
        >= 0.01 => value.ToString("0.000", CultureInfo.InvariantCulture),
        _ => value.ToString("0.0000", CultureInfo.InvariantCulture),
    };
}
