using Ciaf.Metadata.Ledger;
using Ciaf.Metadata.Storage;

namespace Ciaf.Metadata.Interop.OpenLineage;

/// <summary>
/// Each record's ledger leaf index (its latest leaf, below the log's size when the lookup was made), for the
/// <c>ciaf_record</c> facet; nothing when the ledger is off or not active.
/// </summary>
internal sealed class LedgerLeafLookup
{
    private readonly ILedgerBackend? _ledger;
    private readonly long _size;

    private LedgerLeafLookup(ILedgerBackend? ledger, long size)
    {
        _ledger = ledger;
        _size = size;
    }

    /// <summary>A lookup over the log as it is now (an export takes one at its start, so its output is fixed).</summary>
    public static async ValueTask<LedgerLeafLookup> OpenAsync(StoreCore core, CancellationToken cancellationToken)
    {
        if (!core.Options.LedgerEnabled || core.Backend is not ILedgerBackend ledger) return new LedgerLeafLookup(null, 0);
        var head = await ledger.LedgerHeadAsync(cancellationToken).ConfigureAwait(false);
        return head.Active ? new LedgerLeafLookup(ledger, head.Size) : new LedgerLeafLookup(null, 0);
    }

    /// <summary>The leaf index of each of <paramref name="ids"/> that has one.</summary>
    public async ValueTask<IReadOnlyDictionary<string, long>> LookupAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        if (_ledger is null || ids.Count == 0) return new Dictionary<string, long>();
        return await _ledger.ReadLedgerAsync(reader =>
        {
            var found = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var id in ids)
            {
                if (reader.LatestLeaf(id, _size) is { } leaf) found[id] = leaf.Seq;
            }
            return found;
        }, cancellationToken).ConfigureAwait(false);
    }
}
