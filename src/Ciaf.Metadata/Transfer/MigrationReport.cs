namespace Ciaf.Metadata.Transfer;

/// <summary>The outcome of a successful <c>MetadataStorage.MigrateTo</c>.</summary>
public sealed record MigrationReport
{
    /// <summary>The source backend name.</summary>
    public required string SourceBackend { get; init; }

    /// <summary>The target backend name.</summary>
    public required string TargetBackend { get; init; }

    /// <summary>Records read from the source and written to the target.</summary>
    public long RecordsCopied { get; init; }

    /// <summary>Compliance events written to the target.</summary>
    public long ComplianceEventsCopied { get; init; }

    /// <summary>Audit trail entries copied (idempotent by id).</summary>
    public long AuditEntriesCopied { get; init; }

    /// <summary>Legal holds copied.</summary>
    public int LegalHoldsCopied { get; init; }

    /// <summary>Records the target holds at the end (it may have held others before).</summary>
    public long TargetRecordCount { get; init; }

    /// <summary>How many records were read back from the target and compared field by field, hash included.</summary>
    public int SampledRecords { get; init; }

    /// <summary>Source entries that could not be read and so were not copied: <c>location: error</c>.</summary>
    public IReadOnlyList<string> UnreadableSourceEntries { get; init; } = [];

    /// <summary>Copied records that hold sensitive fields in plaintext in a target that encrypts them (only when the caller allowed it).</summary>
    public long PlaintextSensitiveCopied { get; init; }

    /// <summary>
    /// Source records not copied because they hold sensitive fields in plaintext and the target encrypts them:
    /// <c>id: sensitive field(s) ssn, email in plaintext</c>. Empty when the caller allowed plaintext or the target does not encrypt.
    /// </summary>
    public IReadOnlyList<string> PlaintextSensitiveRefused { get; init; } = [];

    /// <summary>
    /// Leaves of the source's ledger the target's log now holds verbatim as its prefix (0 when the source keeps none):
    /// the source's checkpoints and receipts verify against the target. The copies themselves get the target's own
    /// leaves after them.
    /// </summary>
    public long LedgerLeavesCarried { get; init; }

    /// <summary>The source's signed checkpoints kept in the target (still signed by the source's key).</summary>
    public int LedgerCheckpointsCarried { get; init; }

    /// <summary>Why the source's ledger was not carried (the target keeps no ledger, or its log holds leaves of its own); <c>null</c> when it was or there was none.</summary>
    public string? LedgerNotCarried { get; init; }

    /// <summary>How long it took.</summary>
    public TimeSpan Elapsed { get; init; }
}
