using Ciaf.Metadata.Retention;

namespace Ciaf.Metadata.Storage;

/// <summary>What <see cref="IGuardedDeleteBackend.DeleteUnlessGuardedAsync"/> deletes and what keeps an entry.</summary>
/// <param name="Kind">Records or compliance events.</param>
/// <param name="Scope">The state scope holding the guards (e.g. <c>legal_holds</c>).</param>
/// <param name="GuardKeys">Each id to delete → the state keys any one of which, when set, keeps it.</param>
public sealed record GuardedDeletion(CleanupItemKind Kind, string Scope, IReadOnlyDictionary<string, string[]> GuardKeys)
{
    /// <summary>Why the entries go: the <c>reason</c> of the ledger's tombstones (<c>cleanup</c> by default).</summary>
    public string Reason { get; init; } = "cleanup";

    /// <summary>
    /// Deletes what no guard covers on <paramref name="core"/>'s backend, as one step against state writes when the backend
    /// can (<see cref="IGuardedDeleteBackend"/>); a backend without that capability gets the state re-read just before the
    /// step: a narrow window, but no guarantee.
    /// </summary>
    internal async ValueTask<GuardedDeleteResult> RunAsync(StoreCore core, CancellationToken cancellationToken)
    {
        if (core.Backend is IGuardedDeleteBackend guarded) return await guarded.DeleteUnlessGuardedAsync(this, cancellationToken).ConfigureAwait(false);
        var state = await core.State.ReadStateAsync(Scope, cancellationToken).ConfigureAwait(false);
        var (delete, kept) = Partition(state.ContainsKey);
        int deleted = Kind == CleanupItemKind.Record
            ? await core.Backend.DeleteAsync(delete, cancellationToken).ConfigureAwait(false)
            : await core.Events.DeleteComplianceEventsAsync(delete, cancellationToken).ConfigureAwait(false);
        return new GuardedDeleteResult(deleted, kept);
    }

    /// <summary>Splits the ids into those to delete and those kept, asking <paramref name="isSet"/> once per distinct key.</summary>
    public (List<string> Delete, List<string> Kept) Partition(Func<string, bool> isSet)
    {
        ArgumentNullException.ThrowIfNull(isSet);
        var known = new Dictionary<string, bool>(StringComparer.Ordinal);
        var delete = new List<string>(GuardKeys.Count);
        var kept = new List<string>();
        foreach (var (id, keys) in GuardKeys)
        {
            bool guarded = false;
            foreach (var key in keys)
            {
                if (!known.TryGetValue(key, out bool set)) known[key] = set = isSet(key);
                if (set)
                {
                    guarded = true;
                    break;
                }
            }
            (guarded ? kept : delete).Add(id);
        }
        return (delete, kept);
    }
}
