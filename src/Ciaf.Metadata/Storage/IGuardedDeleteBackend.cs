namespace Ciaf.Metadata.Storage;

/// <summary>
/// An optional backend capability: delete entries unless a piece of store state guards them, reading that state and
/// deleting as one step under the lock <see cref="IStoreState.WriteStateAsync"/> takes for the same scope, in
/// every process. So a state write (a legal hold) that has returned is seen by every later step, and one made while a
/// step runs waits for it: nothing the state guards is deleted once the write has returned. Cleanup deletes through
/// this, a chunk per call. File backends: an exclusive lock on <c>&lt;root&gt;/audit/&lt;scope&gt;/.lock</c>; SQLite:
/// one <c>BEGIN IMMEDIATE</c> transaction; PostgreSQL: one transaction holding a transaction-level advisory lock.
/// </summary>
public interface IGuardedDeleteBackend
{
    /// <summary>
    /// Deletes each entry of <paramref name="deletion"/> none of whose guard keys is set in its state scope.
    /// </summary>
    /// <returns>How many of the deleted entries existed, and the ids kept because a guard key was set.</returns>
    /// <exception cref="ArgumentException">The scope breaks the naming rule, or an id is null.</exception>
    /// <exception cref="MetadataStorageException">The lock could not be taken within the busy timeout, or the delete failed.</exception>
    ValueTask<GuardedDeleteResult> DeleteUnlessGuardedAsync(GuardedDeletion deletion, CancellationToken cancellationToken = default);
}
