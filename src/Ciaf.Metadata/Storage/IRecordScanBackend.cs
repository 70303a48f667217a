namespace Ciaf.Metadata.Storage;

/// <summary>
/// An optional backend capability: stream every stored entry without sorting, one entry in memory at a
/// time, readable or not. Exports, migration and <c>Verify</c> use it so their memory stays flat however
/// large the store; a backend without it is read through <see cref="IMetadataBackend.QueryAsync"/>.
/// </summary>
public interface IRecordScanBackend
{
    /// <summary>
    /// Every entry of the store, or of one model, in the backend's cheapest order (SQLite: oldest first;
    /// file backends: model folder by model folder, files in name order). Unreadable entries are yielded
    /// with their error instead of being skipped, so callers can report them with their location.
    /// </summary>
    /// <param name="modelName">Only this model, or <c>null</c> for every model.</param>
    /// <param name="cancellationToken">Stops the scan.</param>
    IAsyncEnumerable<ScannedEntry> ScanAsync(string? modelName, CancellationToken cancellationToken = default);
}
