using System.Text.Json.Nodes;
using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Metadata.Ledger;

/// <summary>The kinds of leaf the ledger holds (the leaf's <c>kind</c> field).</summary>
public static class LedgerLeafKinds
{
    /// <summary>A record was saved (or replaced by id): <c>content_sha256</c> of its nine stored fields.</summary>
    public const string Record = "record";

    /// <summary>A compliance event was stored: <c>content_sha256</c> of its seven stored fields.</summary>
    public const string ComplianceEvent = "compliance_event";

    /// <summary>A record or compliance event was deleted: <c>of</c> names which, <c>reason</c> why (<c>cleanup</c>, <c>delete</c>).</summary>
    public const string Tombstone = "tombstone";

    /// <summary>A legal hold was placed (<c>content_sha256</c> of its stored value) or released (<c>content_sha256</c> null).</summary>
    public const string Hold = "hold";

    /// <summary>An access-audit entry was written: <c>content_sha256</c> of the entry.</summary>
    public const string Audit = "audit";

    /// <summary>
    /// An item present when <c>ciaf ledger init</c> adopted the store: <c>of</c> and <c>content_sha256</c> as for its
    /// own kind. It proves the item's content since adoption, nothing about it before.
    /// </summary>
    public const string Adopted = "adopted";

    /// <summary>
    /// A data subject was erased (crypto-shredding): <c>id</c> is its reference (never its id), <c>of</c> is
    /// <c>subject_key</c>, <c>content_sha256</c> the hash of the stored erasure, <c>reason</c> why.
    /// </summary>
    public const string Erasure = "erasure";
}

/// <summary>
/// A leaf before it has a place in the log: everything but <c>seq</c>. Built from the stored form of what was written
/// (encrypted fields stay encrypted, so verification never needs the key), before the write takes its lock.
/// </summary>
/// <param name="Kind">One of <see cref="LedgerLeafKinds"/>.</param>
/// <param name="Id">The id of the item the leaf is about (a record, event, hold key or audit entry).</param>
/// <param name="Fields">The leaf's other fields (<c>timestamp</c>, <c>content_sha256</c>, <c>of</c>, <c>reason</c>), in code-point order.</param>
internal sealed record LeafDraft(string Kind, string Id, IReadOnlyList<KeyValuePair<string, string?>> Fields)
{
    /// <summary>What a tombstone's or adoption's <c>of</c> says for a record.</summary>
    public const string OfRecord = "record";

    /// <summary>What an erasure's <c>of</c> says: the data subject's key.</summary>
    public const string OfSubjectKey = "subject_key";

    /// <summary>What <c>of</c> says for a compliance event.</summary>
    public const string OfComplianceEvent = "compliance_event";

    /// <summary>
    /// The leaf's bytes: <c>json.dumps(leaf, sort_keys=True, separators=(",", ":"))</c>, ASCII. Written by the same
    /// Python-compatible writer as the hashes so that a verifier in any language can rebuild them.
    /// </summary>
    public string Text(long seq) => Write(seq, hash: false, out _);

    /// <summary><see cref="Text(long)"/> and the leaf's hash (<see cref="MerkleTree.LeafHash"/>), hashed from the bytes as written.</summary>
    public string Text(long seq, out byte[] leafHash)
    {
        string text = Write(seq, hash: true, out var written);
        leafHash = written!;
        return text;
    }

    private string Write(long seq, bool hash, out byte[]? leafHash)
    {
        if (Copied is { } copied)
        {
            if (copied.Seq != seq)
            {
                throw new InvalidOperationException(
                    $"The ledger moved while another log's leaves were copied into it: leaf {copied.Seq} would have become leaf {seq}. Nothing was appended.");
            }
            leafHash = hash ? MerkleTree.LeafHash(System.Text.Encoding.ASCII.GetBytes(copied.Text)) : null;
            return copied.Text;
        }
        // Fields are kept in code-point order with "id", "kind" and "seq" slotted in: content_sha256 < id < kind < of <
        // reason < seq < timestamp.
        var w = PythonJsonWriter.Rent();
        try
        {
            w.WriteRaw("{"u8);
            bool first = true;
            void Member(string key, string? value)
            {
                if (!first) w.WriteRaw(","u8);
                first = false;
                w.WriteString(key);
                w.WriteRaw(":"u8);
                if (value is null) w.WriteRaw("null"u8);
                else w.WriteString(value);
            }
            bool idWritten = false, seqWritten = false;
            foreach (var (key, value) in Fields)
            {
                if (!idWritten && string.CompareOrdinal(key, "id") > 0)
                {
                    Member("id", Id);
                    Member("kind", Kind);
                    idWritten = true;
                }
                if (!seqWritten && string.CompareOrdinal(key, "seq") > 0)
                {
                    if (!first) w.WriteRaw(","u8);
                    first = false;
                    w.WriteRaw("\"seq\":"u8);
                    w.WriteInteger(seq);
                    seqWritten = true;
                }
                Member(key, value);
            }
            if (!idWritten)
            {
                Member("id", Id);
                Member("kind", Kind);
            }
            if (!seqWritten)
            {
                if (!first) w.WriteRaw(","u8);
                w.WriteRaw("\"seq\":"u8);
                w.WriteInteger(seq);
            }
            w.WriteRaw("}"u8);
            leafHash = hash ? MerkleTree.LeafHash(w.Written) : null;
            return w.ToString();
        }
        finally
        {
            w.Return();
        }
    }

    /// <summary>A leaf copied verbatim from another store's log (a migration): its text already holds its <c>seq</c>.</summary>
    private (long Seq, string Text)? Copied { get; init; }

    /// <summary>
    /// <paramref name="row"/> as it stands in another store's log, to append at the same <c>seq</c>: <see cref="Text(long)"/>
    /// throws <see cref="InvalidOperationException"/> if it would land anywhere else.
    /// </summary>
    public static LeafDraft CopiedFrom(LedgerLeafRow row) => new(row.Kind, row.ItemId, []) { Copied = (row.Seq, row.Text) };

    /// <summary>Now, as a leaf's <c>timestamp</c> (Python's <c>isoformat()</c>, UTC): when a batch's leaves were made.</summary>
    public static string Now() => PythonTimestamp.Format(PythonTimestamp.Now());

    /// <summary>Whether a leaf's text holds <paramref name="contentSha256"/> as its <c>content_sha256</c>.</summary>
    public static bool Holds(string leafText, string contentSha256) =>
        leafText.Contains($"\"content_sha256\":\"{contentSha256}\"", StringComparison.Ordinal);

    /// <summary>A record's leaf.</summary>
    public static LeafDraft ForRecord(MetadataRecord record, string timestamp) =>
        new(LedgerLeafKinds.Record, record.Id, [new("content_sha256", ContentHash(record)), new("timestamp", timestamp)]);

    /// <summary>A compliance event's leaf.</summary>
    public static LeafDraft ForEvent(ComplianceEvent ev, string timestamp) =>
        new(LedgerLeafKinds.ComplianceEvent, ev.Id, [new("content_sha256", ContentHash(ev)), new("timestamp", timestamp)]);

    /// <summary>An audit entry's leaf.</summary>
    public static LeafDraft ForAudit(AuditEntry entry, string timestamp) =>
        new(LedgerLeafKinds.Audit, entry.Id, [new("content_sha256", ContentHash(entry)), new("timestamp", timestamp)]);

    /// <summary>A legal hold placed (<paramref name="value"/> its stored JSON) or released (<c>null</c>).</summary>
    public static LeafDraft ForHold(string key, string? value, string timestamp) =>
        new(LedgerLeafKinds.Hold, key, [new("content_sha256", value is null ? null : ContentHash(value)), new("timestamp", timestamp)]);

    /// <summary>A deletion: <paramref name="of"/> is <see cref="OfRecord"/> or <see cref="OfComplianceEvent"/>.</summary>
    public static LeafDraft ForTombstone(string of, string id, string reason, string timestamp) =>
        new(LedgerLeafKinds.Tombstone, id, [new("of", of), new("reason", reason), new("timestamp", timestamp)]);

    /// <summary>
    /// The leaf of a write to store state, or <c>null</c> when it needs none: a legal hold placed or released, a data
    /// subject's key replaced by its erasure (not a key created: that changes nothing a record holds).
    /// </summary>
    public static LeafDraft? ForState(string scope, string key, string? value, string timestamp) => scope switch
    {
        Storage.StateScopes.LegalHolds => ForHold(key, value, timestamp),
        Storage.StateScopes.SubjectKeys when value is not null && Encryption.SubjectErasure.FromStateValue(key, value) is { } erasure =>
            new(LedgerLeafKinds.Erasure, key, [new("content_sha256", ContentHash(value)), new("of", OfSubjectKey), new("reason", erasure.Reason), new("timestamp", timestamp)]),
        _ => null,
    };

    /// <summary>An item adopted by <c>ciaf ledger init</c>.</summary>
    public static LeafDraft ForAdopted(string of, string id, string contentSha256, string timestamp) =>
        new(LedgerLeafKinds.Adopted, id, [new("content_sha256", contentSha256), new("of", of), new("timestamp", timestamp)]);

    /// <summary>
    /// SHA-256 (hex) of the record's nine stored fields exactly as <c>ciaf get ID --json</c> prints them, written
    /// <see cref="PythonJsonStyle.SortedMinimal"/>.
    /// </summary>
    public static string ContentHash(MetadataRecord record)
    {
        record = record.Resolved; // a deferred record: the converted record's text and hashes
        return record.CachedContentSha256() ?? ContentHash(record, default, fromRecord: true);
    }

    /// <summary>
    /// <see cref="ContentHash(MetadataRecord)"/> given the metadata's canonical text (<see cref="PythonJsonStyle.Canonical"/>,
    /// as the save path and <c>Verify</c> have it at hand), which is made minimal here instead of serializing again.
    /// </summary>
    internal static string ContentHash(MetadataRecord record, ReadOnlySpan<byte> canonicalMetadata) => ContentHash(record, canonicalMetadata, fromRecord: false);

    // Written field by field, keys in code-point order.
    private static string ContentHash(MetadataRecord record, ReadOnlySpan<byte> canonicalMetadata, bool fromRecord)
    {
        var w = PythonJsonWriter.Rent();
        try
        {
            w.WriteRaw("{\"details\":"u8);
            if (record.Details is null) w.WriteRaw("null"u8);
            else w.WriteString(record.Details);
            w.WriteRaw(",\"event_type\":"u8);
            w.WriteString(record.EventType);
            w.WriteRaw(",\"id\":"u8);
            w.WriteString(record.Id);
            w.WriteRaw(",\"metadata\":"u8);
            if (fromRecord) w.WriteNode(record.Metadata, PythonJsonStyle.SortedMinimal, 0);
            else w.WriteMinimal(canonicalMetadata);
            w.WriteRaw(",\"metadata_hash\":"u8);
            w.WriteString(record.MetadataHash);
            w.WriteRaw(",\"model_name\":"u8);
            w.WriteString(record.ModelName);
            w.WriteRaw(",\"model_version\":"u8);
            w.WriteString(record.ModelVersion);
            w.WriteRaw(",\"stage\":"u8);
            w.WriteString(record.Stage);
            w.WriteRaw(",\"timestamp\":"u8);
            w.WriteString(PythonTimestamp.Format(record.Timestamp));
            w.WriteRaw("}"u8);
            return PythonJson.HashOf(w.Written);
        }
        finally
        {
            w.Return();
        }
    }

    /// <summary>SHA-256 (hex) of the compliance event's seven stored fields, written <see cref="PythonJsonStyle.SortedMinimal"/>.</summary>
    public static string ContentHash(ComplianceEvent ev) => PythonJson.Hash(RecordJson.ToJsonObject(ev), PythonJsonStyle.SortedMinimal);

    /// <summary>SHA-256 (hex) of the audit entry's six stored fields, written <see cref="PythonJsonStyle.SortedMinimal"/>.</summary>
    public static string ContentHash(AuditEntry entry) => PythonJson.Hash(new JsonObject
    {
        ["id"] = entry.Id,
        ["parent_id"] = entry.ParentId,
        ["action"] = entry.Action,
        ["timestamp"] = PythonTimestamp.Format(entry.Timestamp),
        ["user_id"] = entry.UserId,
        ["details"] = entry.Details,
    }, PythonJsonStyle.SortedMinimal);

    /// <summary>SHA-256 (hex) of a stored state value's UTF-8 text, as it is.</summary>
    public static string ContentHash(string value) => PythonJson.HashOf(System.Text.Encoding.UTF8.GetBytes(value));
}
