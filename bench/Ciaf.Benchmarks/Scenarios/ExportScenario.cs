using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Ciaf.Metadata;

namespace Ciaf.Benchmarks.Scenarios;

/// <summary>
/// Export of a whole SQLite store (1M records in full mode) to jsonl (and csv once it exists): rate and
/// peak memory. Each export runs in a fresh child process of this program, so its peak resident set is
/// its own; the baseline child streams a raw SELECT to a jsonl file with Utf8JsonWriter.
/// </summary>
internal static class ExportScenario
{
    private const double MemoryLimitMb = 200;

    public static async Task RunAsync(BenchContext ctx)
    {
        int count = ctx.Settings.ExportRecords;
        string store = ctx.NewFolder("export-store");
        ctx.Log($"export: filling a sqlite store with {count} records");
        await RawSqlite.FillRawAsync(store, count, models: 10).ConfigureAwait(false);

        var idle = RunChild(ctx, "idle");
        ctx.Log("export: raw streaming SELECT → jsonl");
        var raw = RunChild(ctx, "export-raw", store, Path.Combine(store, "raw.jsonl"));
        Check(raw, count, "raw export");
        File.Delete(Path.Combine(store, "raw.jsonl"));

        foreach (var format in new[] { "jsonl", "csv" })
        {
            if (!MetadataStorage.ExportFormats.Contains(format))
            {
                ctx.Add(new Measurement
                {
                    Scenario = $"export {StoreScenario.K(count)} → {format}",
                    Backend = "sqlite",
                    Metric = "rate",
                    Unit = "records/s",
                    Better = Better.Higher,
                    BaselineName = "n/a",
                    Note = $"MetadataStorage.ExportFormats has no '{format}' yet",
                });
                continue;
            }
            ctx.Log($"export: library → {format}");
            string output = Path.Combine(store, "lib." + format);
            var lib = RunChild(ctx, "export-lib", store, format, output);
            Check(lib, count, "library export");
            File.Delete(output);

            ctx.Add(new Measurement
            {
                Scenario = $"export {StoreScenario.K(count)} → {format}",
                Backend = "sqlite",
                Metric = "rate",
                Unit = "records/s",
                Better = Better.Higher,
                Library = count / lib.Seconds,
                BaselineName = "streaming SELECT → jsonl",
                Baseline = count / raw.Seconds,
                Note = $"output {lib.Bytes / 1048576.0:0} MB (library) vs {raw.Bytes / 1048576.0:0} MB (raw)",
            });
            double peakMb = lib.PeakRssBytes / 1048576.0;
            ctx.Add(new Measurement
            {
                Scenario = $"export {StoreScenario.K(count)} → {format}",
                Backend = "sqlite",
                Metric = "peak memory (process RSS)",
                Unit = "MB",
                Better = Better.Lower,
                Library = peakMb,
                BaselineName = "raw export child",
                Baseline = raw.PeakRssBytes / 1048576.0,
                Target = $"< {MemoryLimitMb} MB",
                Met = peakMb < MemoryLimitMb,
                Note = $"a child that only starts the runtime peaks at {idle.PeakRssBytes / 1048576.0:0} MB",
            });
        }
        BenchContext.Delete(store);
    }

    private static void Check(ChildResult result, int count, string what)
    {
        if (result.Records != count) throw new InvalidOperationException($"{what} wrote {result.Records} records, expected {count}");
    }

    internal sealed record ChildResult(long Records, double Seconds, long PeakRssBytes, long Bytes);

    private static ChildResult RunChild(BenchContext ctx, params string[] args)
    {
        string self = Environment.ProcessPath ?? throw new InvalidOperationException("unknown process path");
        var psi = new ProcessStartInfo { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            psi.FileName = self;
            psi.ArgumentList.Add(Assembly.GetExecutingAssembly().Location);
        }
        else
        {
            psi.FileName = self;
        }
        psi.ArgumentList.Add("--child");
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the child");
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"child '{string.Join(' ', args)}' exited with {process.ExitCode}: {output}");
        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last();
        var result = JsonSerializer.Deserialize<ChildResult>(line) ?? throw new InvalidOperationException("no result from the child");
        ctx.Log($"  {args[0]}: {result.Records} records in {result.Seconds:0.0} s, peak RSS {result.PeakRssBytes / 1048576.0:0} MB");
        return result;
    }

    /// <summary>The child side: runs one export and prints its result as one JSON line.</summary>
    public static int RunChildCommand(string[] args)
    {
        long start = Stopwatch.GetTimestamp();
        long records;
        string? output = null;
        switch (args[0])
        {
            case "idle":
                records = 0;
                break;
            case "export-lib":
            {
                output = args[3];
                using (var storage = new MetadataStorage(args[1], "sqlite"))
                {
                    storage.ExportMetadata(null, args[2], output);
                }
                double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds; // counting the lines below is not part of the export
                Print(new ChildResult(CountRecords(output, args[2]), seconds, PeakRss(), new FileInfo(output).Length));
                return 0;
            }
            case "export-raw":
                output = args[2];
                records = RawExport(args[1], output);
                break;
            default:
                Console.Error.WriteLine("unknown child command " + args[0]);
                return 2;
        }
        Print(new ChildResult(records, Stopwatch.GetElapsedTime(start).TotalSeconds, PeakRss(), output is null ? 0 : new FileInfo(output).Length));
        return 0;
    }

    private static long CountRecords(string path, string format)
    {
        long lines = 0;
        foreach (var _ in File.ReadLines(path)) lines++;
        return format == "csv" ? lines - 1 : lines; // csv has a header line
    }

    private static long RawExport(string store, string output)
    {
        using var raw = RawSqlite.Open(store);
        using var stream = new FileStream(output, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { SkipValidation = true });
        string[] names = ["id", "model_name", "model_version", "stage", "event_type", "timestamp", "metadata_hash", "details"];
        long n = raw.StreamAll(reader =>
        {
            writer.WriteStartObject();
            for (int i = 0; i < names.Length; i++)
            {
                if (reader.IsDBNull(i)) writer.WriteNull(names[i]);
                else writer.WriteString(names[i], reader.GetString(i));
            }
            writer.WritePropertyName("metadata");
            writer.WriteRawValue(reader.GetString(8), skipInputValidation: true);
            writer.WriteEndObject();
            writer.Flush();
            stream.WriteByte((byte)'\n');
            writer.Reset();
        });
        writer.Dispose();
        stream.Flush(flushToDisk: true);
        return n;
    }

    private static long PeakRss()
    {
        const string status = "/proc/self/status";
        if (File.Exists(status))
        {
            foreach (var line in File.ReadLines(status))
            {
                if (!line.StartsWith("VmHWM:", StringComparison.Ordinal)) continue;
                var kb = line["VmHWM:".Length..].Trim().Split(' ')[0];
                return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
            }
        }
        using var self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64;
    }

    private static void Print(ChildResult result) => Console.WriteLine(JsonSerializer.Serialize(result));
}
