using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ciaf.Metadata.Storage;

/// <summary>What a backend is given when it is opened.</summary>
public sealed class BackendContext
{
    /// <summary>The store's root folder (created if missing). For server backends, see <see cref="ConnectionString"/>.</summary>
    public required string StoragePath { get; init; }

    /// <summary>A connection string, for server backends (PostgreSQL).</summary>
    public string? ConnectionString { get; init; }

    /// <summary>Where the backend logs.</summary>
    public ILogger Logger { get; init; } = NullLogger.Instance;

    /// <summary>How long a database backend waits on a lock before failing (config <c>db_connection_timeout</c>).</summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether records whose compact metadata JSON is larger than <see cref="CompressionThresholdBytes"/> are written
    /// compressed. Reads always understand compressed entries, whatever this says.
    /// </summary>
    public bool EnableCompression { get; init; }

    /// <summary>With <see cref="EnableCompression"/>, the size in bytes above which metadata is compressed (64 KiB by default).</summary>
    public long CompressionThresholdBytes { get; init; } = MetadataStorageOptions.DefaultCompressionThresholdBytes;

    /// <summary>
    /// The store's limit on one record's serialized metadata (16 MiB by default): a compressed entry that would expand
    /// past it is refused as corrupt without being expanded.
    /// </summary>
    public long MaxMetadataBytes { get; init; } = MetadataStorageOptions.DefaultMaxMetadataBytes;

    /// <summary>
    /// Whether writes append to the store's ledger (config <c>ledger_enabled</c>, on by default; docs/ledger.md). Off, the
    /// backend appends nothing, and a store it creates starts without a log.
    /// </summary>
    public bool LedgerEnabled { get; init; } = true;

    /// <summary>Called for every corrupt or unreadable entry a read skips: its location (path or row id) and why.</summary>
    public Action<string, Exception> ReportCorrupt { get; init; } = static (_, _) => { };
}
