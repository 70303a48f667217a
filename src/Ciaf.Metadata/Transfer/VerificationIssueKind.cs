namespace Ciaf.Metadata.Transfer;

/// <summary>What <c>MetadataStorage.Verify</c> found wrong with an entry.</summary>
public enum VerificationIssueKind
{
    /// <summary>The stored <c>metadata_hash</c> is not the hash of the stored metadata (edited, damaged or missing hash).</summary>
    HashMismatch,
    /// <summary>A file or row that cannot be read as a record or compliance event.</summary>
    Unreadable,
    /// <summary>A compliance event whose <c>metadata_id</c> names no stored record.</summary>
    DanglingComplianceEvent,
    /// <summary>An item's stored content no longer matches its latest ledger leaf (edited, even with its hash recomputed), or a deleted item is back.</summary>
    LedgerMismatch,
    /// <summary>A stored item has no leaf in an active ledger (written around the library).</summary>
    LedgerMissingLeaf,
    /// <summary>An item the ledger holds is gone from the store without a tombstone (deleted around the library).</summary>
    LedgerDeleted,
    /// <summary>The log itself is damaged: a leaf rewritten, missing or out of order, or stored subtrees that disagree with the leaves.</summary>
    LedgerBroken,
    /// <summary>A checkpoint does not match the log (rewritten or truncated) or its signature does not verify.</summary>
    LedgerCheckpoint,
}
