using Ciaf.Metadata.Ledger;

namespace Ciaf.Server.Dashboard.Views;

/// <summary>
/// A record's ledger receipt, checked on the server with the store's public key (<see cref="LedgerReceipt.Verify"/>),
/// as an auditor would check it offline.
/// </summary>
/// <param name="Receipt">The receipt, or <c>null</c> when none could be made (see <paramref name="Problem"/>).</param>
/// <param name="Verification">The check's outcome, or <c>null</c> when it could not be run (no receipt, or no public key).</param>
/// <param name="MatchesStored">Whether the stored record still matches its leaf in the log (<c>null</c>: not in the log).</param>
/// <param name="Problem">Why there is no receipt or no check, or <c>null</c>.</param>
public sealed record ReceiptCheck(LedgerReceipt? Receipt, ReceiptVerification? Verification, bool? MatchesStored, string? Problem)
{
    /// <summary>Whether the receipt was checked and every check passed, and the stored record matches its leaf.</summary>
    public bool IsValid => Verification is { IsValid: true } && MatchesStored == true;
}
