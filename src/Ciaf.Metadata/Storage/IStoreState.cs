namespace Ciaf.Metadata.Storage;

/// <summary>A backend capability: small named pieces of store state every process sees (legal holds).</summary>
public interface IStoreState
{
    /// <summary>
    /// Every entry of a small named piece of store state (e.g. <c>legal_holds</c>), as key → value.
    /// The core owns the values (JSON text) and the keys; the backend only keeps them. Meant for a
    /// handful to a few thousand entries, read whole.
    /// </summary>
    /// <param name="scope">The state's name: lowercase ASCII letters, digits and <c>_</c>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    ValueTask<IReadOnlyDictionary<string, string>> ReadStateAsync(string scope, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sets (or, when <paramref name="value"/> is <c>null</c>, removes) one entry of a named piece of
    /// store state, durably and atomically, without touching the other keys (so two processes
    /// changing different keys never lose each other's change).
    /// </summary>
    /// <param name="scope">The state's name (see <see cref="ReadStateAsync"/>).</param>
    /// <param name="key">Any non-empty string.</param>
    /// <param name="value">The value, or <c>null</c> to remove the key.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    ValueTask WriteStateAsync(string scope, string key, string? value, CancellationToken cancellationToken = default);

    /// <summary>One entry of a named piece of store state, or <c>null</c>. The default reads the whole scope; backends read the one key.</summary>
    /// <param name="scope">The state's name (see <see cref="ReadStateAsync"/>).</param>
    /// <param name="key">The entry's key.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    async ValueTask<string?> ReadStateEntryAsync(string scope, string key, CancellationToken cancellationToken = default) =>
        (await ReadStateAsync(scope, cancellationToken).ConfigureAwait(false)).GetValueOrDefault(key);

    /// <summary>
    /// Sets one entry only if it is absent, atomically for every process writing the store, and returns the value it
    /// holds afterwards: <paramref name="value"/>, or the one another writer set first (e.g. two processes creating a
    /// data subject's key at once both end up with the same key).
    /// </summary>
    /// <param name="scope">The state's name (see <see cref="ReadStateAsync"/>).</param>
    /// <param name="key">Any non-empty string.</param>
    /// <param name="value">The value to set if the key is absent.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    ValueTask<string> AddStateAsync(string scope, string key, string value, CancellationToken cancellationToken = default);
}
