namespace Ciaf.Benchmarks;

/// <summary>
/// The sizes of one run: <c>--quick</c> (a smoke test, under two minutes) or full (about 9 minutes on the
/// 2-core reference machine; keep it under 15: the 1M-record get-by-id store and the payload shapes at 50k
/// records each are the biggest parts after the 1M export).
/// </summary>
internal sealed record BenchSettings
{
    public required string Mode { get; init; }
    /// <summary>Records saved one by one, each durable on return (an fsync each).</summary>
    public required int IngestImmediate { get; init; }
    /// <summary>
    /// Records per payload shape saved in buffered mode on SQLite, then flushed (issue 13 measured 100k; 50k keeps
    /// the precomputed payloads near 150 MB and the three repeats of the shapes near a minute and a half).
    /// </summary>
    public required int IngestBuffered { get; init; }
    /// <summary>Records of the 50 KB shape (50 KB each: 2,000 are 100 MB of metadata).</summary>
    public required int IngestShapeLargeRecords { get; init; }
    /// <summary>Records saved in buffered mode on a file backend (still one fsync per file).</summary>
    public required int IngestBufferedFiles { get; init; }
    /// <summary>Batch size of buffered mode and of the SQLite replay of the library's rows (the library's default).</summary>
    public int BatchSize { get; init; } = Ciaf.Metadata.Storage.MetadataStorageOptions.DefaultBatchSize;
    /// <summary>Rows per transaction of the hand-written loops the ingest comparisons run against (SQLite INSERT, PostgreSQL COPY).</summary>
    public int NaiveBatchSize { get; init; } = 1_000;
    /// <summary>Records saved in buffered mode on PostgreSQL, then flushed.</summary>
    public required int IngestPostgreSql { get; init; }
    /// <summary>Library and raw runs alternate this many times; the median of each is reported.</summary>
    public required int Repeats { get; init; }
    /// <summary>The small and the large store of the get-by-id scenario for the file backends (10k and 100k).</summary>
    public required int GetSmall { get; init; }
    /// <summary>The large file store; SQLite's small store, on which the model + stage query and the trace run too (100k).</summary>
    public required int GetLarge { get; init; }
    /// <summary>SQLite's large get-by-id store (issue 13's 1M; filled with a raw INSERT loop, about 30 s and 1 GB of disk).</summary>
    public required int GetSqliteLarge { get; init; }
    /// <summary>Lookups of random ids per store.</summary>
    public required int Lookups { get; init; }

    /// <summary>
    /// How long gets by id run untimed before the timed ones: the library's read path (Microsoft.Data.Sqlite, the retry
    /// pipeline, the record) is tiered up by the background JIT over its first ~20,000 calls (its p50 fell from 0.06 to
    /// 0.027 ms between the first and second 20,000 gets of one run), where the hand-written SELECT settles at once.
    /// </summary>
    public required TimeSpan LookupWarmUp { get; init; }
    /// <summary>Records of the model queried and traced (the 10k).</summary>
    public required int TraceModelRecords { get; init; }
    public required int QueryRepeats { get; init; }
    public required int TraceRepeats { get; init; }
    /// <summary>Records exported (the 1M).</summary>
    public required int ExportRecords { get; init; }
    /// <summary>Capture scopes per measurement.</summary>
    public required int CaptureScopes { get; init; }
    /// <summary>Records in the store the ledger scenario verifies and proves against (issue 14: 1M).</summary>
    public required int LedgerRecords { get; init; }
    /// <summary>Records of the SQLite search store (the 1M).</summary>
    public required int SearchRecords { get; init; }
    /// <summary>Records of the PostgreSQL search store.</summary>
    public required int SearchPostgreSqlRecords { get; init; }
    /// <summary>Timed repetitions of each search.</summary>
    public required int SearchRepeats { get; init; }
    /// <summary>Rows of the fairness bootstrap's predictions table (issue 17: 100k).</summary>
    public required int FairnessRows { get; init; }
    /// <summary>Bootstrap resamples of the fairness scenario (issue 17: 1000).</summary>
    public required int FairnessBootstrapSamples { get; init; }
    /// <summary>Records saved on a remote store (buffered) and on a local SQLite store, in the server scenario.</summary>
    public required int ServerIngest { get; init; }
    /// <summary>Records of the store <c>GET /records/{id}</c> reads from (issue 16: 100k).</summary>
    public required int ServerGetRecords { get; init; }
    /// <summary>How long the 16 concurrent clients run (issue 16: 30 s).</summary>
    public required TimeSpan ServerClientsDuration { get; init; }
    /// <summary>Use BenchmarkDotNet for the micro-benchmarks (full mode); a Stopwatch loop otherwise.</summary>
    public required bool UseBenchmarkDotNet { get; init; }

    public static BenchSettings Quick { get; } = new()
    {
        Mode = "quick",
        IngestImmediate = 60,
        IngestBuffered = 2_000,
        IngestBufferedFiles = 150,
        IngestShapeLargeRecords = 100,
        IngestPostgreSql = 1_000,
        Repeats = 1,
        GetSmall = 1_000,
        GetLarge = 10_000,
        GetSqliteLarge = 50_000,
        Lookups = 400,
        LookupWarmUp = TimeSpan.Zero,
        TraceModelRecords = 1_000,
        QueryRepeats = 50,
        TraceRepeats = 3,
        ExportRecords = 20_000,
        CaptureScopes = 5_000,
        LedgerRecords = 5_000,
        SearchRecords = 20_000,
        SearchPostgreSqlRecords = 2_000,
        SearchRepeats = 20,
        FairnessRows = 10_000,
        FairnessBootstrapSamples = 100,
        ServerIngest = 2_000,
        ServerGetRecords = 10_000,
        ServerClientsDuration = TimeSpan.FromSeconds(3),
        UseBenchmarkDotNet = false,
    };

    public static BenchSettings Full { get; } = new()
    {
        Mode = "full",
        IngestImmediate = 300,
        IngestBuffered = 50_000,
        IngestBufferedFiles = 600,
        IngestShapeLargeRecords = 2_000,
        IngestPostgreSql = 20_000,
        Repeats = 3,
        GetSmall = 10_000,
        GetLarge = 100_000,
        GetSqliteLarge = 1_000_000,
        Lookups = 5_000,
        LookupWarmUp = TimeSpan.FromSeconds(2),
        TraceModelRecords = 10_000,
        QueryRepeats = 300,
        TraceRepeats = 10,
        ExportRecords = 1_000_000,
        CaptureScopes = 50_000,
        LedgerRecords = 1_000_000,
        SearchRecords = 1_000_000,
        SearchPostgreSqlRecords = 1_000_000,
        SearchRepeats = 100,
        FairnessRows = 100_000,
        FairnessBootstrapSamples = 1_000,
        ServerIngest = 50_000,
        ServerGetRecords = 100_000,
        ServerClientsDuration = TimeSpan.FromSeconds(30),
        UseBenchmarkDotNet = true,
    };
}
