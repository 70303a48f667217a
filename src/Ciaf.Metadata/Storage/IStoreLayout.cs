namespace Ciaf.Metadata.Storage;

/// <summary>
/// An optional backend capability: how the store lies on disk or in its database, for the services that report
/// locations (verify) or archive files (backup), so that none of them knows a backend's file names or tables.
/// </summary>
public interface IStoreLayout
{
    /// <summary>Where the compliance event with this id is kept (a file path, or a database and row), for reports.</summary>
    string ComplianceEventLocation(string id);

    /// <summary>
    /// Whether the store is a folder of plain files that a backup archives one by one (json, pickle), each written
    /// atomically; <c>false</c> for a store in a database (which takes a snapshot, or is backed up by its own tools).
    /// </summary>
    bool IsFileStore { get; }

    /// <summary>With <see cref="IsFileStore"/>: whether a file met under the root (relative path, <c>/</c>-separated) is part of the store's data, not a temporary, lock or probe file.</summary>
    bool IsStoreFile(string relativePath);
}
