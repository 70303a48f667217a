using System.Diagnostics;
using System.Globalization;
using Ciaf.Benchmarks;
using Ciaf.Benchmarks.Scenarios;

// Usage: dotnet run -c Release --project bench/Ciaf.Benchmarks -- [--quick] [--only a,b] [--out DIR]
//   --quick  small sizes, under two minutes (CI's smoke test; asserts nothing about speed)
//   --only   a subset of: hash, capture, ingest, shapes, postgresql, store, export, compression, ledger, search, server, fairness
//   --out    where the .md and .json results go (default: bench/results of the repository)
if (args.Length > 0 && args[0] == "--child") return ExportScenario.RunChildCommand(args[1..]);

if (!IsOptimized())
{
    Console.Error.WriteLine("Benchmarks must run an optimized build: add -c Release.");
    return 2;
}

var settings = BenchSettings.Full;
string? outDir = null;
var only = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--quick": settings = BenchSettings.Quick; break;
        case "--full": settings = BenchSettings.Full; break;
        case "--out" when i + 1 < args.Length: outDir = args[++i]; break;
        case "--only" when i + 1 < args.Length: only.UnionWith(args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)); break;
        default:
            Console.Error.WriteLine($"Unknown argument '{args[i]}'. Usage: [--quick|--full] [--only hash,capture,ingest,shapes,postgresql,store,export,compression,ledger,search,server,fairness] [--out DIR]");
            return 2;
    }
}
outDir ??= Path.Combine(RepositoryRoot() ?? Directory.GetCurrentDirectory(), "bench", "results");

string workRoot = Path.Combine(Path.GetTempPath(), $"ciaf-bench-{Environment.ProcessId}-{Guid.NewGuid():N}"[..32]);
Directory.CreateDirectory(workRoot);
var machine = MachineInfo.Detect(workRoot);
Console.Error.WriteLine($"Ciaf.Metadata benchmarks, {settings.Mode} mode. Machine: {machine.Line}");
Console.Error.WriteLine($"Scratch folder: {workRoot}");

var errors = new List<string>();
var clock = Stopwatch.StartNew();
using var ctx = new BenchContext(settings, workRoot);
var scenarios = new (string Name, Func<Task> Run)[]
{
    ("hash", () => { HashScenario.Run(ctx); return Task.CompletedTask; }),
    ("capture", () => { CaptureScenario.Run(ctx); return Task.CompletedTask; }),
    ("ingest", () => IngestScenario.RunAsync(ctx)),
    ("shapes", () => PayloadShapesScenario.RunAsync(ctx)),
    ("postgresql", () => PostgreSqlIngestScenario.RunAsync(ctx)),
    ("store", () => StoreScenario.RunAsync(ctx)),
    ("export", () => ExportScenario.RunAsync(ctx)),
    ("compression", () => CompressionScenario.RunAsync(ctx)),
    ("ledger", () => LedgerScenario.RunAsync(ctx)),
    ("search", () => SearchScenario.RunAsync(ctx)),
    ("server", () => ServerScenario.RunAsync(ctx)),
    ("fairness", () => { FairnessScenario.Run(ctx); return Task.CompletedTask; }),
};
foreach (var (name, run) in scenarios)
{
    if (only.Count > 0 && !only.Contains(name)) continue;
    try
    {
        await run();
    }
    catch (Exception ex)
    {
        // One broken scenario must not hide the others; the run still fails at the end.
        ctx.Log($"{name} FAILED: {ex}");
        errors.Add($"{name}: {ex.GetType().Name}: {ex.Message}");
    }
}
clock.Stop();

string markdown = Report.Markdown(machine, settings, clock.Elapsed, ctx.Results, errors);
Console.WriteLine(markdown);
Directory.CreateDirectory(outDir);
string stem = Path.Combine(outDir, $"{settings.Mode}-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}");
await File.WriteAllTextAsync(stem + ".md", markdown);
await File.WriteAllTextAsync(stem + ".json", Report.Json(machine, settings, clock.Elapsed, ctx.Results, errors));
Console.Error.WriteLine($"Results: {stem}.md and {stem}.json ({clock.Elapsed.TotalSeconds:0} s)");
return errors.Count == 0 ? 0 : 1;

static bool IsOptimized() =>
    !typeof(BenchContext).Assembly.GetCustomAttributes(typeof(DebuggableAttribute), false)
        .OfType<DebuggableAttribute>().Any(a => a.IsJITOptimizerDisabled);

static string? RepositoryRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "CiafMetadata.slnx"))) return dir.FullName;
    }
    return null;
}
