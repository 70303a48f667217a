using Ciaf.Metadata;
using Ciaf.Metadata.Ledger;
using Ciaf.Server.Dashboard.Views;

namespace Ciaf.Server.Dashboard;

/// <summary>Makes a record's ledger receipt and verifies it with the store's own public key, as <c>ciaf verify-receipt</c> would.</summary>
internal static class ReceiptChecker
{
    public static async Task<ReceiptCheck> CheckAsync(MetadataStorage storage, string id, CancellationToken cancellationToken)
    {
        LedgerPosition? position;
        LedgerReceipt receipt;
        try
        {
            position = await storage.Ledger.LocateAsync(id, cancellationToken).ConfigureAwait(false);
            if (position is null) return new ReceiptCheck(null, null, null, "The store's ledger has no leaf for this record (the ledger is off, not initialized, or the record predates it).");
            receipt = await storage.Ledger.ProveAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException)
        {
            return new ReceiptCheck(null, null, null, e.Message);
        }
        catch (LedgerCorruptException e)
        {
            // The log disagrees with its own signed checkpoint: that is a failed check, not a missing one.
            return new ReceiptCheck(null, new ReceiptVerification([e.Message], null, id), false, null);
        }
        if (storage.Ledger.PublicKeyPem() is not { } pem)
        {
            return new ReceiptCheck(receipt, null, position.MatchesStored,
                "The server has no ledger key configured (ledger_key_path), so it cannot check the receipt's signature here: download it and run ciaf verify-receipt with the log's public key.");
        }
        using var key = LedgerKeys.LoadPublic(pem);
        return new ReceiptCheck(receipt, receipt.Verify(key, id), position.MatchesStored, null);
    }
}
