using System.Threading.Channels;
using Ciaf.Metadata.Storage;
using Microsoft.Extensions.Logging;

namespace Ciaf.Metadata.Audit;

/// <summary>
/// The facade's audit trail writer: entries are queued on the store's <see cref="BackgroundBatcher{T}"/> and written
/// in batches of up to <c>batchSize</c> on its task, so an audited read does no audit I/O. The queue is bounded:
/// when it is full (the backend far behind), the caller waits rather than entries being dropped. A failed batch is
/// retried by the core's policy, kept, retried on the next flush and reported by <see cref="FlushAsync"/>.
/// </summary>
internal sealed class AuditWriter : IAsyncDisposable
{
    private const int Retries = 3;

    private readonly ILogger _logger;
    private readonly BackgroundBatcher<AuditEntry> _batcher;

    public AuditWriter(IMetadataBackend backend, ILogger logger, int batchSize)
    {
        _logger = logger;
        const string What = "audit entries";
        // A backend without an audit log fails each batch with this (reported at the next flush); a store auditing all
        // access is refused such a backend when it opens.
        ValueTask Write(IReadOnlyList<AuditEntry> entries) => (backend as IAuditLog
            ?? throw new NotSupportedException($"The {backend.Name} backend keeps no audit trail: it does not implement IAuditLog.")).WriteAuditAsync(entries);
        _batcher = new BackgroundBatcher<AuditEntry>(What, Write, static _ => 1, backend,
            StoreRetryPolicy.BackgroundWrites(Retries, What, logger), logger, batchSize, capacity: batchSize * 20);
    }

    public void Enqueue(AuditEntry entry)
    {
        try
        {
            var queued = _batcher.EnqueueAsync(entry, CancellationToken.None);
            if (!queued.IsCompletedSuccessfully) queued.AsTask().GetAwaiter().GetResult(); // full: backpressure
        }
        catch (ChannelClosedException)
        {
            _logger.LogWarning("An audit entry ({Action} {ParentId}) arrived after the store was closed; it is not recorded", entry.Action, entry.ParentId);
        }
    }

    public void Enqueue(IReadOnlyList<AuditEntry> entries)
    {
        foreach (var entry in entries) Enqueue(entry);
    }

    /// <summary>Returns once every entry enqueued before the call is durable.</summary>
    /// <exception cref="MetadataStorageException">Some entries could not be written; they are kept and retried on the next flush.</exception>
    public ValueTask FlushAsync(CancellationToken cancellationToken) => _batcher.FlushAsync(cancellationToken);

    public ValueTask DisposeAsync() => _batcher.DisposeAsync();
}
