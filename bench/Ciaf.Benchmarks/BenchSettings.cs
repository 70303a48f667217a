namespace Ciaf.Benchmarks;

/// <summary>The sizes of one run: <c>--quick</c> (a smoke test, under two minutes) or full.</summary>
internal sealed record BenchSettings
{
    public required string Mode { get; init; }
    /// <summary>Records saved one by one, each durable on return (an fsync each).</summary>
    public required int IngestImmediate { get; init; }
    /// <summary>Records saved in buffered mode, then flushed.</summary>
    public required int IngestBuffered { get; init; }
    /// <summary>Records saved in buffered mode on a file backend (still one fsync per file).</summary>
    public required int IngestBufferedFiles { get; init; }
    /// <summary>Batch size of buffered mode and of the raw SQLite loop (the library's default).</summary>
    public int BatchSize { get; init; } = Ciaf.Metadata.Storage.MetadataStorageOptions.DefaultBatchSize;
    /// <summary>Library and raw runs alternate this many times; the median of each is reported.</summary>
    public required int Repeats { get; init; }
    /// <summary>The small and the large store of the get-by-id scenario (the 10k and 100k).</summary>
    public required int GetSmall { get; init; }
    public required int GetLarge { get; init; }
    /// <summary>Lookups of random ids per store.</summary>
    public required int Lookups { get; init; }
    /// <summary>Records of the model queried and traced (the 10k).</summary>
    public required int TraceModelRecords { get; init; }
    public required int QueryRepeats { get; init; }
    public required int TraceRepeats { get; init; }
    /// <summary>Records exported (the 1M).</summary>
    public required int ExportRecords { get; init; }
    /// <summary>Capture scopes per measurement.</summary>
    public required int CaptureScopes { get; init; }
    /// <summary>Use BenchmarkDotNet for the micro-benchmarks (full mode); a Stopwatch loop otherwise.</summary>
    public required bool UseBenchmarkDotNet { get; init; }

    public static BenchSettings Quick { get; } = new()
    {
        Mode = "quick",
        IngestImmediate = 60,
        IngestBuffered = 2_000,
        IngestBufferedFiles = 150,
        Repeats = 1,
        GetSmall = 1_000,
        GetLarge = 10_000,
        Lookups = 400,
        TraceModelRecords = 1_000,
        QueryRepeats = 50,
        TraceRepeats = 3,
        ExportRecords = 20_000,
        CaptureScopes = 5_000,
        UseBenchmarkDotNet = false,
    };

    public static BenchSettings Full { get; } = new()
    {
        Mode = "full",
        IngestImmediate = 300,
        IngestBuffered = 20_000,
        IngestBufferedFiles = 600,
        Repeats = 3,
        GetSmall = 10_000,
        GetLarge = 100_000,
        Lookups = 5_000,
        TraceModelRecords = 10_000,
        QueryRepeats = 300,
        TraceRepeats = 10,
        ExportRecords = 1_000_000,
        CaptureScopes = 50_000,
        UseBenchmarkDotNet = true,
    };
}
