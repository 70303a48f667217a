using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Storage;
using Microsoft.Extensions.Logging;

namespace Ciaf.Metadata.Encryption;

/// <summary>A data subject's rights on the store: erasure by crypto-shredding (GDPR Art. 17) and access to its records (Art. 15).</summary>
internal sealed class SubjectRequests(StoreCore core)
{
    private SubjectKeyring Keyring => core.Subjects ?? throw new InvalidOperationException(
        "Data subjects need an encryption key (encryption_key_path / CIAF_ENCRYPTION_KEY) and a backend that keeps store state; see docs/security.md.");

    public async ValueTask<SubjectErasure> EraseAsync(string subjectId, string reason, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(subjectId);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        core.ThrowIfDisposed();
        var keyring = Keyring;
        // Writes still queued were sealed with the key about to go: they reach the store first, and are erased with it.
        await core.FlushAsync(cancellationToken).ConfigureAwait(false);
        var erasure = await keyring.EraseAsync(subjectId, reason, core.ActingUser, cancellationToken).ConfigureAwait(false);
        if (erasure.AlreadyErased) return erasure;
        core.Audit(AuditActions.EraseSubject, null, new JsonObject
        {
            ["subject_reference"] = erasure.Reference,
            ["key_id"] = erasure.KeyId,
            ["reason"] = reason,
        });
        await core.FlushAuditAsync(cancellationToken).ConfigureAwait(false);
        core.Logger.LogInformation("Data subject {Reference} erased by {User} (key {KeyId} destroyed): {Reason}", erasure.Reference, erasure.ErasedBy, erasure.KeyId, reason);
        return erasure;
    }

    // One scan of the store: records sealed with the subject's key, and records naming it in plaintext at a subject path.
    public async IAsyncEnumerable<MetadataRecord> RecordsAsync(string subjectId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(subjectId);
        core.ThrowIfDisposed();
        var keyring = Keyring;
        string reference = keyring.Reference(subjectId);
        await core.FlushAsync(cancellationToken).ConfigureAwait(false);
        long count = 0;
        await foreach (var entry in core.ScanStoredAsync(null, cancellationToken).ConfigureAwait(false))
        {
            if (entry.Record is not { } record) continue;
            if (!SealedFor(record.Metadata, reference) && keyring.SubjectOf(record.Metadata) != subjectId) continue;
            count++;
            yield return core.Decrypt(record);
        }
        core.Audit(AuditActions.ExportSubject, null, new JsonObject { ["subject_reference"] = reference, ["count"] = count });
        await core.FlushAuditAsync(cancellationToken).ConfigureAwait(false);
    }

    private static bool SealedFor(JsonNode? node, string reference) => node switch
    {
        JsonObject marker when MetadataEncryption.IsEncryptedValue(marker) =>
            marker[MetadataEncryption.SubjectProperty] is JsonValue sub && sub.TryGetValue<string>(out var value) && value == reference,
        JsonObject obj => obj.Any(p => SealedFor(p.Value, reference)),
        JsonArray array => array.Any(item => SealedFor(item, reference)),
        _ => false,
    };
}
