namespace Ciaf.Metadata.Storage;

/// <summary>
/// A storage backend's required part, the record store: writes batches and answers queries. It knows nothing of hooks,
/// hashing, validation, buffering or configuration; the store core does all of that once. The rest is optional
/// capabilities a service asks for (<see cref="IComplianceEventStore"/>, <see cref="IAuditLog"/>, <see cref="IStoreState"/>,
/// <see cref="IRecordScanBackend"/>, <see cref="ISnapshotCapableBackend"/>, <see cref="IGuardedDeleteBackend"/>,
/// <see cref="IStoreLayout"/>, <see cref="IKnownRecordLookup"/>); see <c>docs/backends.md</c>.
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

    /// <summary>The record with this id, or <c>null</c>. Never scans the whole store.</summary>
    ValueTask<MetadataRecord?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>
    /// The records matching <paramref name="query"/>, in its order (timestamp, then id as tie-break).
    /// Corrupt entries are skipped and reported through <see cref="BackendContext.ReportCorrupt"/>.
    /// </summary>
    IAsyncEnumerable<MetadataRecord> QueryAsync(MetadataQuery query, CancellationToken cancellationToken = default);

    /// <summary>Deletes the records with these ids; returns how many existed.</summary>
    ValueTask<int> DeleteAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default);

    /// <summary>How many records the store holds.</summary>
    ValueTask<long> CountAsync(CancellationToken cancellationToken = default);

    /// <summary>Bytes the store occupies on disk.</summary>
    long SizeOnDisk();
}
