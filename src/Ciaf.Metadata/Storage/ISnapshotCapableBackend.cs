namespace Ciaf.Metadata.Storage;

/// <summary>
/// An optional backend capability: copy the store into a folder as one consistent snapshot while
/// writers keep writing (SQLite: the online backup API). <c>MetadataStorage.Backup</c> archives the copy.
/// File backends need no such capability: each of their files is written atomically, so reading them
/// one by one already gives whole files.
/// </summary>
public interface ISnapshotCapableBackend
{
    /// <summary>
    /// Writes a consistent copy of the store's files into <paramref name="folder"/> (existing and empty),
    /// under the same relative paths a store folder uses, and returns those relative paths.
    /// </summary>
    /// <exception cref="MetadataStorageException">The snapshot could not be taken.</exception>
    ValueTask<IReadOnlyList<string>> SnapshotAsync(string folder, CancellationToken cancellationToken = default);
}
