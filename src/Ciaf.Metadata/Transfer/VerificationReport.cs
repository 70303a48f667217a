namespace Ciaf.Metadata.Transfer;

/// <summary>The outcome of <c>MetadataStorage.Verify</c>: what was checked and every problem found.</summary>
public sealed record VerificationReport
{
    /// <summary>Readable records whose hash was recomputed.</summary>
    public long RecordsChecked { get; init; }

    /// <summary>Compliance events whose <c>metadata_id</c> was checked.</summary>
    public long ComplianceEventsChecked { get; init; }

    /// <summary>What was checked of the store's ledger (docs/ledger.md).</summary>
    public Verification.LedgerVerification Ledger { get; init; } = new(Verification.LedgerVerificationState.Off, 0, 0);

    /// <summary>Every problem, with ids and locations.</summary>
    public IReadOnlyList<VerificationIssue> Issues { get; init; } = [];

    /// <summary>Whether nothing is wrong.</summary>
    public bool IsValid => Issues.Count == 0;

    /// <summary>The issues of one kind.</summary>
    public IReadOnlyList<VerificationIssue> OfKind(VerificationIssueKind kind) => [.. Issues.Where(i => i.Kind == kind)];
}
