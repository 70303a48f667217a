using Ciaf.Metadata.Encryption;
using Ciaf.Metadata.Storage;

namespace Ciaf.Metadata;

// Data subjects (subject_fields): erasure by crypto-shredding and access to a subject's records — Encryption/SubjectRequests.
public sealed partial class MetadataStorage
{
    /// <summary>
    /// Erases a data subject (GDPR Art. 17) by crypto-shredding: destroys the subject's own key, so every sensitive
    /// value sealed with it (records saved with <c>subject_fields</c> naming this subject) reads as
    /// <c>{"$ciaf_erased": "v1", "sub": …}</c> from now on, in every process within 30 seconds.
    /// Records, their hashes and their ledger leaves are untouched, so <c>Verify</c> still passes; the erasure is an
    /// <c>erasure</c> leaf of the ledger and an <c>erase_subject</c> audit entry (who, why; never the subject's id).
    /// New records about an erased subject are refused. Exports and backups made before are not reached: they are
    /// the holder's to destroy (docs/security.md). Erasing again returns the first erasure.
    /// </summary>
    /// <param name="subjectId">The subject's id, as it appears at a subject path.</param>
    /// <param name="reason">Why (kept in the erasure, the ledger and the audit trail).</param>
    /// <exception cref="KeyNotFoundException">No record about this subject was saved with <c>subject_fields</c>.</exception>
    /// <exception cref="InvalidOperationException">No encryption key is configured.</exception>
    public SubjectErasure EraseSubject(string subjectId, string reason) => SyncOverAsync.Run(EraseSubjectAsync(subjectId, reason));

    /// <inheritdoc cref="EraseSubject"/>
    public ValueTask<SubjectErasure> EraseSubjectAsync(string subjectId, string reason, CancellationToken cancellationToken = default) =>
        _subjects.EraseAsync(subjectId, reason, cancellationToken);

    /// <summary>
    /// A data subject's records (GDPR Art. 15), decrypted: those sealed with its key and those naming it in plaintext
    /// at a subject path. One scan of the store; audited (<c>export_subject</c>).
    /// </summary>
    /// <exception cref="InvalidOperationException">No encryption key is configured.</exception>
    public IReadOnlyList<MetadataRecord> GetSubjectRecords(string subjectId) => SyncOverAsync.Run(GetSubjectRecordsAsync(subjectId).ToListAsync());

    /// <inheritdoc cref="GetSubjectRecords"/>
    public IAsyncEnumerable<MetadataRecord> GetSubjectRecordsAsync(string subjectId, CancellationToken cancellationToken = default) =>
        _subjects.RecordsAsync(subjectId, cancellationToken);
}
