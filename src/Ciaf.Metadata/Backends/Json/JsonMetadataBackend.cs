using Ciaf.Metadata.Backends.Files;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;

namespace Ciaf.Metadata.Backends.Json;

/// <summary>
/// The JSON backend (<c>json</c>, the reference's default): one file per record,
/// <c>&lt;root&gt;/&lt;model_name&gt;/&lt;YYYY-MM-DD&gt;_&lt;stage&gt;_&lt;id&gt;.json</c> with the date of the record's UTC
/// timestamp and the full id, holding exactly what Python's <c>json.dump(record, f, indent=2)</c> writes.
/// Reads the reference's <c>&lt;YYYY-MM-DD&gt;_&lt;stage&gt;_&lt;id[:8]&gt;.json</c> files too, and the reference reads
/// ours (it finds a record by looking for <c>id[:8]</c> in file names, which the full id contains).
/// </summary>
public sealed class JsonMetadataBackend : FileMetadataBackend
{
    private const string Extension = ".json";

    /// <summary>Opens (or creates) a JSON store at <see cref="BackendContext.StoragePath"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    /// <exception cref="MetadataStorageException">The root folder cannot be created.</exception>
    public JsonMetadataBackend(BackendContext context) : base(context)
    {
    }

    /// <summary>The registered name: <c>json</c>.</summary>
    public override string Name => "json";

    /// <inheritdoc />
    protected override string FileExtension => Extension;

    /// <inheritdoc />
    protected override string GetFileName(MetadataRecord record, string idToken) => DatedFileName(record, idToken, Extension);

    /// <inheritdoc />
    protected override bool TryParseFileName(string fileName, out RecordFileName parsed) =>
        TryParseDatedFileName(fileName, Extension, out parsed);

    /// <inheritdoc />
    protected override byte[] Serialize(MetadataRecord record) => RecordJson.ToFileBytes(record);

    /// <inheritdoc />
    protected override MetadataRecord Deserialize(ReadOnlySpan<byte> content) => RecordJson.FromFileBytes(content);
}
