using Ciaf.Metadata.Audit;

namespace Ciaf.Metadata.Storage;

/// <summary>
/// A storage backend: writes batches and answers queries. It knows nothing of hooks, hashing,
/// validation, buffering or configuration; <c>MetadataStorage</c> does all of that once.
/// Implementations are safe to call from many threads at once.
/// </summary>
public interface IMetadataBackend : IAsyncDisposable
{
    /// <summary>The backend's registered name (<c>json</c>, <c>sqlite</c>, ...).</summary>
    string Name { get; }

    /// <summary>The folder the store lives in.</summary>
    string StoragePath { get; }

    /// <summary>The database file, for backends that have one (SQLite); otherwise <c>null</c>.</summary>
    string? DbPath { get; }

    /// <summary>
    /// Writes records, durably when the returned task completes. Idempotent by id: writing a record
    /// whose id is already stored replaces it and never duplicates it. SQLite writes the batch in one
    /// transaction; file backends write each file atomically (temporary file, flush, rename).
    /// </summary>
    ValueTask WriteAsync(IReadOnlyList<MetadataRecord> records, CancellationToken cancellationToken = default);

    /// <summary>Writes compliance events durably; idempotent by id.</summary>
    ValueTask WriteComplianceEventsAsync(IReadOnlyList<ComplianceEvent> events, CancellationToken cancellationToken = default);

    /// <summary>The record with this id, or <c>null</c>. Never scans the whole store.</summary>
    ValueTask<MetadataRecord?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>
    /// The records matching <paramref name="query"/>, in its order (timestamp, then id as tie-break).
    /// Corrupt entries are skipped and reported through <see cref="BackendContext.ReportCorrupt"/>.
    /// </summary>
    IAsyncEnumerable<MetadataRecord> QueryAsync(MetadataQuery query, CancellationToken cancellationToken = default);

    /// <summary>The compliance events matching <paramref name="query"/>, newest first.</summary>
    IAsyncEnumerable<ComplianceEvent> QueryComplianceEventsAsync(ComplianceEventQuery query, CancellationToken cancellationToken = default);

    /// <summary>Deletes the records with these ids; returns how many existed.</summary>
    ValueTask<int> DeleteAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default);

    /// <summary>Deletes the compliance events with these ids; returns how many existed.</summary>
    ValueTask<int> DeleteComplianceEventsAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default);

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

    /// <summary>
    /// Every entry of a small named piece of store state (e.g. <c>legal_holds</c>), as key → value.
    /// The core owns the values (JSON text) and the keys; the backend only keeps them. Meant for a
    /// handful to a few thousand entries, read whole.
    /// </summary>
    /// <param name="scope">The state's name: lowercase ASCII letters, digits and <c>_</c>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    ValueTask<IReadOnlyDictionary<string, string>> ReadStateAsync(string scope, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sets (or, when <paramref name="value"/> is <c>null</c>, removes) one entry of a named piece of
    /// store state, durably and atomically, without touching the other keys (so two processes
    /// changing different keys never lose each other's change).
    /// </summary>
    /// <param name="scope">The state's name (see <see cref="ReadStateAsync"/>).</param>
    /// <param name="key">Any non-empty string.</param>
    /// <param name="value">The value, or <c>null</c> to remove the key.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    ValueTask WriteStateAsync(string scope, string key, string? value, CancellationToken cancellationToken = default);

    /// <summary>How many records the store holds.</summary>
    ValueTask<long> CountAsync(CancellationToken cancellationToken = default);

    /// <summary>Bytes the store occupies on disk.</summary>
    long SizeOnDisk();
}
