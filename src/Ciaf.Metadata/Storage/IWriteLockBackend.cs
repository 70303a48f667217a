namespace Ciaf.Metadata.Storage;

/// <summary>
/// A backend capability for stores whose writes span several files (the file backends with their ledger): holds every
/// writer, in every process, while a backup copies the files one by one, so the archive never holds a record without its
/// ledger leaf or a leaf without its record.
/// </summary>
internal interface IWriteLockBackend
{
    /// <summary>Waits for the write under way, then holds the next ones until the result is disposed.</summary>
    /// <exception cref="MetadataStorageException">The lock stayed held past the busy timeout.</exception>
    ValueTask<IDisposable> HoldWritesAsync(CancellationToken cancellationToken);
}
