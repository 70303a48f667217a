using System.Diagnostics;
using Ciaf.Metadata;
using Ciaf.Metadata.Search;
using Ciaf.Metadata.Tests.Backends.PostgreSql;

namespace Ciaf.Benchmarks.Scenarios;

/// <summary>
/// Search (issue 15) on a SQLite store of seed-style records (10 models, 8 stages; 1M in full mode, filled by a raw
/// INSERT loop): the first page (50) of a filter on indexed columns, of a metadata-path filter with a declared index,
/// and of the same path without one (a full scan); then paging through every match of a filter by cursor, the cost of a
/// page at the end against one at the start. Baselines: the same SELECT written by hand, prepared on an open connection.
/// On PostgreSQL (the tests' throwaway server, filled through the library), a containment filter the GIN index answers.
/// </summary>
internal static class SearchScenario
{
    private const string Scenario = "search";
    private const int Page = 50;
    // Record i has model i % 10 and stage i % 8: model 2 and training (stage 2) share a fortieth of the store.
    private const string ColumnFilter = "model_name = 'bench_model_002' AND stage = 'training'";
    // n_estimators is 50 + a random number below 450: 50, 51 or 52 in about 1 record in 150.
    private const string PathFilter = "metadata.hyperparameters.n_estimators < 53";
    private const string EqualityFilter = "metadata.hyperparameters.n_estimators = 123";
    private const string IndexedPath = "metadata.hyperparameters.n_estimators";

    public static async Task RunAsync(BenchContext ctx)
    {
        await SqliteAsync(ctx).ConfigureAwait(false);
        await PostgreSqlAsync(ctx).ConfigureAwait(false);
    }

    private static async Task SqliteAsync(BenchContext ctx)
    {
        int count = ctx.Settings.SearchRecords;
        string folder = ctx.NewFolder("search-sqlite");
        ctx.Log($"search sqlite: filling {count} records");
        await RawSqlite.FillRawAsync(folder, count, 10).ConfigureAwait(false);
        string size = K(count);
        using (var storage = new MetadataStorage(folder, "sqlite"))
        using (var raw = RawSqlite.Open(folder))
        {
            var first = new SearchOptions { Limit = Page };
            using (var byColumns = raw.Prepare("WHERE model_name = $m AND stage = $s ORDER BY timestamp DESC, id DESC LIMIT 50", "$m", "$s"))
            {
                Compare(ctx, $"first page, indexed columns, {size}", () => storage.Search(ColumnFilter, first), () => byColumns.Run("bench_model_002", "training"),
                    "the same SELECT by hand", 10);
            }

            ctx.Log("search sqlite: metadata path without an index (full scans)");
            using (var byPath = raw.Prepare("WHERE json_extract(metadata_json, '$.hyperparameters.n_estimators') < $a ORDER BY timestamp DESC, id DESC LIMIT 50", "$a"))
            {
                Compare(ctx, $"first page, metadata path, no index, {size}", () => storage.Search(PathFilter, first), () => byPath.Run(53),
                    "json_extract SELECT by hand", 3000, repeats: Math.Max(3, ctx.Settings.SearchRepeats / 10));
            }

            // The first page may stop early (matches are frequent enough along the timestamp index); a count reads them all.
            using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(folder, "ciaf_metadata.db")};Mode=ReadOnly"))
            {
                connection.Open();
                using var countByHand = connection.CreateCommand();
                countByHand.CommandText = "SELECT COUNT(*) FROM metadata WHERE json_extract(metadata_json, '$.hyperparameters.n_estimators') < 53";
                int scans = Math.Max(3, ctx.Settings.SearchRepeats / 20);
                var lib = Repeat(scans, () => storage.Count(PathFilter));
                var byHand = Repeat(scans, () => countByHand.ExecuteScalar());
                double p50 = Latency.Median(lib);
                ctx.Add(new Measurement
                {
                    Scenario = Scenario, Backend = "sqlite", Metric = $"count, metadata path, no index (full scan), {size} (p50)", Unit = "ms", Better = Better.Lower,
                    Library = p50, BaselineName = "COUNT(*) with json_extract by hand", Baseline = Latency.Median(byHand), Target = "≤ 3000 ms", Met = p50 <= 3000,
                });
            }

            ctx.Log("search sqlite: declaring the index");
            var watch = Stopwatch.StartNew();
            storage.AddSearchIndex(IndexedPath);
            string indexNote = $"index creation {watch.Elapsed.TotalSeconds:0.0} s";
            using (var byIndex = raw.Prepare("WHERE json_extract(metadata_json, '$.\"hyperparameters\".\"n_estimators\"') < $a ORDER BY +timestamp DESC, +id DESC LIMIT 50", "$a"))
            {
                Compare(ctx, $"first page, metadata path, declared index, {size}", () => storage.Search(PathFilter, first), () => byIndex.Run(53),
                    "json_extract SELECT by hand on the index", 10, indexNote + "; 1 record in 150 match (their ids sorted from the covering index, 50 rows read); by hand: a plain SELECT on the index");
            }
            using (var byIndex = raw.Prepare("WHERE json_extract(metadata_json, '$.\"hyperparameters\".\"n_estimators\"') = $a ORDER BY +timestamp DESC, +id DESC LIMIT 50", "$a"))
            {
                Compare(ctx, $"first page, metadata path = value, declared index, {size}", () => storage.Search(EqualityFilter, first), () => byIndex.Run(123),
                    "json_extract SELECT by hand on the index", 10, "1 record in 450 match");
            }
            Paging(ctx, storage, size);
        }
        BenchContext.Delete(folder);
    }

    // Every match of one stage (an eighth of the store) page by page: the first pages against the last ones.
    private static void Paging(BenchContext ctx, MetadataStorage storage, string size)
    {
        ctx.Log("search sqlite: paging through every match by cursor");
        var times = new List<double>();
        string? cursor = null;
        long total = 0;
        do
        {
            long start = Stopwatch.GetTimestamp();
            var page = storage.Search("stage = 'training'", new SearchOptions { Limit = Page, Cursor = cursor });
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            total += page.Records.Count;
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        int n = Math.Max(1, Math.Min(20, times.Count / 4));
        double head = Latency.Median(times.Skip(1).Take(n).ToList()), tail = Latency.Median(times.TakeLast(n).ToList());
        ctx.Add(new Measurement
        {
            Scenario = Scenario,
            Backend = "sqlite",
            Metric = $"page at the end ÷ page at the start, {size}",
            Unit = "×",
            Better = Better.Lower,
            Library = tail / head,
            BaselineName = "",
            Target = "≤ 1.5",
            Met = tail / head <= 1.5,
            Note = $"{times.Count} pages of {Page} ({total} records); median page {head:0.00} ms at the start, {tail:0.00} ms at the end",
        });
    }

    private static async Task PostgreSqlAsync(BenchContext ctx)
    {
        int count = ctx.Settings.SearchPostgreSqlRecords;
        const string metric = "first page, containment (GIN)";
        ctx.Log("search postgresql: starting a server");
        var server = new PostgreSqlServer();
        try
        {
            await server.InitializeAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            string reason = ex.Message.Split('\n')[0].Trim();
            ctx.Log($"search postgresql skipped: {reason}");
            ctx.Add(new Measurement
            {
                Scenario = Scenario, Backend = "postgresql", Metric = metric, Unit = "ms", Better = Better.Lower, BaselineName = "",
                Target = "≤ 50 ms", Note = $"skipped: no PostgreSQL server could be started ({reason})",
            });
            await server.DisposeAsync().ConfigureAwait(false);
            return;
        }
        try
        {
            ctx.Log($"search postgresql: filling {count} records through the library");
            await using var storage = MetadataStorage.Create(b => b.UsePostgreSql(server.NewSchemaConnectionString("bench_search"))
                .Configure(o => { o.WriteMode = Metadata.Storage.WriteMode.Buffered; o.BatchSize = 5_000; }));
            for (int first = 0; first < count; first += 10_000)
            {
                await storage.SaveMetadataBatchAsync(Enumerable.Range(first, Math.Min(10_000, count - first)).Select(i =>
                    new MetadataEntry(Workload.ModelName(i % 10), Workload.Stages[i % Workload.Stages.Length], Workload.EventType, Workload.Payload(i)))).ConfigureAwait(false);
            }
            await storage.FlushAsync().ConfigureAwait(false);
            // About 1 record in 450: the GIN index finds them, the order by time takes the first 50.
            const string filter = "metadata.hyperparameters.n_estimators = 123";
            var lib = Repeat(ctx.Settings.SearchRepeats, () => storage.Search(filter, new SearchOptions { Limit = Page }));
            double p50 = Latency.Median(lib);
            ctx.Add(new Measurement
            {
                Scenario = Scenario, Backend = "postgresql", Metric = $"{metric}, {K(count)}", Unit = "ms", Better = Better.Lower, Library = p50,
                BaselineName = "", Target = "≤ 50 ms", Met = p50 <= 50, Note = $"{filter}; p99 {Latency.Percentile(lib, 99):0.00} ms",
            });
        }
        finally
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static void Compare(BenchContext ctx, string metric, Func<SearchPage> library, Func<int> baseline, string baselineName, double targetMs,
        string note = "", int? repeats = null)
    {
        int n = repeats ?? ctx.Settings.SearchRepeats;
        // Both sides read the same page, and not an empty one: a baseline that finds nothing would measure nothing.
        int libRows = library().Records.Count, rawRows = baseline();
        if (libRows != rawRows || libRows == 0) throw new InvalidOperationException($"{metric}: the library read {libRows} rows, the baseline {rawRows}; both should read the same page");
        var lib = Repeat(n, () => library());
        var raw = Repeat(n, () => baseline());
        double p50 = Latency.Median(lib);
        ctx.Add(new Measurement
        {
            Scenario = Scenario,
            Backend = "sqlite",
            Metric = metric + " (p50)",
            Unit = "ms",
            Better = Better.Lower,
            Library = p50,
            BaselineName = baselineName,
            Baseline = Latency.Median(raw),
            Target = $"≤ {targetMs} ms",
            Met = p50 <= targetMs,
            Note = note,
        });
    }

    private static List<double> Repeat(int n, Action action)
    {
        var times = new List<double>(n);
        for (int i = 0; i < n; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return times;
    }

    private static string K(int n) => n >= 1_000_000 ? $"{n / 1_000_000}M" : $"{n / 1_000}k";
}
