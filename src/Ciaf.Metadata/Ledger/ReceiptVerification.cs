namespace Ciaf.Metadata.Ledger;

/// <summary>The outcome of <see cref="LedgerReceipt.Verify"/>.</summary>
/// <param name="Failures">Each check that failed, one line each (<c>checkpoint signature: ...</c>, <c>inclusion: ...</c>, <c>leaf: ...</c>); empty when valid.</param>
/// <param name="Kind">The leaf's <c>kind</c>, if it has one.</param>
/// <param name="Id">The id the leaf names, if any.</param>
public sealed record ReceiptVerification(IReadOnlyList<string> Failures, string? Kind, string? Id)
{
    /// <summary>Whether every check passed.</summary>
    public bool IsValid => Failures.Count == 0;
}
