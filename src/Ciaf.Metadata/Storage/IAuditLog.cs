using Ciaf.Metadata.Audit;

namespace Ciaf.Metadata.Storage;

/// <summary>A backend capability: keeping the access audit trail (written by the core's audit queue; read by <c>GetAuditTrail</c>).</summary>
public interface IAuditLog
{
    /// <summary>
    /// Appends audit entries, durably when the returned task completes. Idempotent by id (an entry
    /// written twice, e.g. by a retried batch, is stored once). Entries are never updated or deleted
    /// through this interface. SQLite: the reference's <c>audit_trail</c> table; file backends: one
    /// JSON line per entry in <c>&lt;root&gt;/audit/&lt;YYYY-MM-DD&gt;.jsonl</c> (the entry's UTC date).
    /// The core batches these writes on a background task; a backend need not buffer.
    /// </summary>
    ValueTask WriteAuditAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default);

    /// <summary>
    /// The audit entries matching <paramref name="query"/>, in its order (timestamp, then id), at most
    /// <see cref="AuditQuery.Limit"/>. Unreadable entries are skipped and reported through
    /// <see cref="BackendContext.ReportCorrupt"/>.
    /// </summary>
    IAsyncEnumerable<AuditEntry> QueryAuditAsync(AuditQuery query, CancellationToken cancellationToken = default);
}
