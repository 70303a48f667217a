namespace Ciaf.Metadata;

/// <summary>A snapshot of a storage's performance counters (<c>MetadataStorage.GetPerformanceMetrics</c>).</summary>
public sealed record StoragePerformanceMetrics
{
    /// <summary>The backend name.</summary>
    public required string Backend { get; init; }
    /// <summary>Records written by this instance (durable).</summary>
    public long Writes { get; init; }
    /// <summary>Mean time a save took on the caller's thread, in milliseconds.</summary>
    public double AvgWriteTimeMs { get; init; }
    /// <summary>95th percentile of the save time on the caller's thread, in milliseconds.</summary>
    public double P95WriteTimeMs { get; init; }
    /// <summary>Reads (get and queries) served by this instance.</summary>
    public long Reads { get; init; }
    /// <summary>Mean read latency, in milliseconds.</summary>
    public double AvgReadTimeMs { get; init; }
    /// <summary>95th percentile read latency, in milliseconds.</summary>
    public double P95ReadTimeMs { get; init; }
    /// <summary>Records in the store (durable plus pending).</summary>
    public long RecordCount { get; init; }
    /// <summary>Records accepted but not yet written (buffered mode).</summary>
    public long PendingWrites { get; init; }
    /// <summary>Background write failures seen (each retried; see <c>MetadataStorage.Flush</c>).</summary>
    public long WriteFailures { get; init; }
    /// <summary>Corrupt or unreadable entries skipped by reads.</summary>
    public long CorruptEntriesSkipped { get; init; }
    /// <summary>Bytes the store occupies on disk.</summary>
    public long TotalSizeBytes { get; init; }
    /// <summary>Bytes on disk, in MiB.</summary>
    public double TotalSizeMb => TotalSizeBytes / (1024.0 * 1024.0);
}
