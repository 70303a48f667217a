using Ciaf.Metadata.Backends.Files;
using Ciaf.Metadata.Storage;

namespace Ciaf.Metadata.Backends.Compressed;

/// <summary>
/// Reads, and only reads, a store of the Python reference's <c>CompressedMetadataStorage</c> with its
/// <c>compressed_json</c> backend (registered as <c>compressed_json</c>):
/// <c>&lt;root&gt;/&lt;model_name&gt;/&lt;YYYY-MM-DD&gt;_&lt;stage&gt;_&lt;id[:8]&gt;.cmeta</c> files (format in <see cref="CmetaFile"/>),
/// so that it can be queried and migrated into any writable backend with <c>MetadataStorage.MigrateTo</c>.
/// </summary>
/// <remarks>
/// Records are returned as the reference's <c>get_metadata</c> returns them, with its <c>metadata_hash</c> unchanged:
/// that store hashes the serialized payload (<c>sha256</c> of compact, unsorted JSON, or of the msgpack or pickle
/// bytes), not <c>json.dumps(metadata, sort_keys=True)</c>, so a store's integrity check reports those records as
/// mismatched until they are re-saved. Writes and deletes throw <see cref="MetadataStorageException"/>; the store has
/// no compliance events.
/// </remarks>
public sealed class CompressedJsonBackend : FileMetadataBackend
{
    /// <summary>The name this backend is registered under.</summary>
    public const string BackendName = "compressed_json";

    private const string Extension = ".cmeta";

    /// <summary>Opens the store at <see cref="BackendContext.StoragePath"/> for reading.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    /// <exception cref="ArgumentException">The storage path is empty.</exception>
    /// <exception cref="MetadataStorageException">The folder cannot be created.</exception>
    public CompressedJsonBackend(BackendContext context) : base(context)
    {
    }

    /// <summary>The registered name: <c>compressed_json</c>.</summary>
    public override string Name => BackendName;

    /// <inheritdoc />
    protected override string FileExtension => Extension;

    /// <inheritdoc />
    /// <remarks>Always <c>true</c>: this library reads these stores and never writes them.</remarks>
    protected override bool IsReadOnly => true;

    /// <inheritdoc />
    protected override string GetFileName(MetadataRecord record, string idToken) => DatedFileName(record, idToken, Extension);

    /// <inheritdoc />
    protected override bool TryParseFileName(string fileName, out RecordFileName parsed) =>
        TryParseDatedFileName(fileName, Extension, out parsed);

    /// <inheritdoc />
    /// <exception cref="NotSupportedException">Always: the backend is read-only (writes are refused before this is called).</exception>
    protected override byte[] Serialize(MetadataRecord record) =>
        throw new NotSupportedException($"The {BackendName} backend is read-only.");

    /// <inheritdoc />
    /// <exception cref="FormatException">The file is not a readable <c>.cmeta</c> record.</exception>
    protected override MetadataRecord Deserialize(ReadOnlySpan<byte> content) => CmetaFile.Read(content, Context.MaxMetadataBytes);
}
