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
}
