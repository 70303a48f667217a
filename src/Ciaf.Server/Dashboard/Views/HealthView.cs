using Ciaf.Metadata.Ledger;

namespace Ciaf.Server.Dashboard.Views;

/// <summary>The store health page.</summary>
/// <param name="Backend">The store's backend.</param>
/// <param name="Records">Records in the store.</param>
/// <param name="ComplianceEvents">Compliance events in the store.</param>
/// <param name="SizeMb">The store's size on disk, in MB (0 when the backend cannot tell).</param>
/// <param name="Ledger">The ledger's state, or <c>null</c> when it could not be read (see <paramref name="LedgerProblem"/>).</param>
/// <param name="LedgerProblem">Why the ledger's state is missing, or <c>null</c>.</param>
/// <param name="HasPublicKey">Whether the server holds the ledger key (receipts are checked here; the public key is offered).</param>
/// <param name="LastVerification">The last verification run from the dashboard since the server started, or <c>null</c>.</param>
/// <param name="CanVerify">Whether this user may run one (auditor, admin).</param>
public sealed record HealthView(string Backend, long Records, long ComplianceEvents, double SizeMb, LedgerStatus? Ledger, string? LedgerProblem,
    bool HasPublicKey, VerificationRun? LastVerification, bool CanVerify);
