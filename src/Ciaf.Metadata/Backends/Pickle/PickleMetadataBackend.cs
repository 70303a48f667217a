using Ciaf.Metadata.Backends.Files;
using Ciaf.Metadata.Storage;

namespace Ciaf.Metadata.Backends.Pickle;

/// <summary>
/// The Pickle backend (<c>pickle</c>): one file per record, <c>&lt;root&gt;/&lt;model_name&gt;/&lt;stage&gt;_&lt;id&gt;.pkl</c>
/// with the full id, holding the record dict as the Python reference pickles it (protocol 4, see
/// <see cref="PickleRecordCodec"/>); compliance events are JSON files, as in the JSON backend. Reads the
/// reference's <c>&lt;stage&gt;_&lt;id[:8]&gt;.pkl</c> files too, and the reference reads ours.
/// </summary>
/// <remarks>
/// Unlike the reference, which calls <c>pickle.load</c> on every <c>.pkl</c> file in the store (arbitrary
/// code execution for whoever can drop a file there), files are read by <see cref="PickleRecordCodec"/>'s
/// plain-data loader: a pickle that refers to any class or function other than the datetime types is
/// refused before anything in it is built, then skipped and reported through
/// <see cref="BackendContext.ReportCorrupt"/> like any corrupt file.
/// </remarks>
public sealed class PickleMetadataBackend : FileMetadataBackend
{
    private const string Extension = ".pkl";

    /// <summary>Whether <paramref name="folder"/> holds a pickle store (a <c>.pkl</c> record anywhere below it); for tools that detect a store's backend.</summary>
    public static bool HoldsStore(string folder) =>
        Directory.Exists(folder) && Directory.EnumerateFiles(folder, "*" + Extension, SearchOption.AllDirectories).Any();

    /// <summary>Opens (or creates) a Pickle store at <see cref="BackendContext.StoragePath"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    /// <exception cref="ArgumentException">The storage path is empty.</exception>
    /// <exception cref="MetadataStorageException">The root folder cannot be created.</exception>
    public PickleMetadataBackend(BackendContext context) : base(context)
    {
    }

    /// <summary>The registered name: <c>pickle</c>.</summary>
    public override string Name => "pickle";

    /// <inheritdoc />
    protected override string FileExtension => Extension;

    /// <inheritdoc />
    protected override string GetFileName(MetadataRecord record, string idToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        return $"{record.Stage}_{idToken}{Extension}";
    }

    /// <inheritdoc />
    protected override bool TryParseFileName(string fileName, out RecordFileName parsed)
    {
        parsed = default;
        if (fileName is null || !fileName.EndsWith(Extension, StringComparison.Ordinal)) return false;
        if (!TrySplitStageAndIdToken(fileName.AsSpan(0, fileName.Length - Extension.Length), out var stage, out var token)) return false;
        parsed = new RecordFileName(stage, token, Date: null);
        return true;
    }

    /// <inheritdoc />
    protected override byte[] Serialize(MetadataRecord record) => PickleRecordCodec.Serialize(record);

    /// <inheritdoc />
    /// <exception cref="UnsafePickleException">The file asks for more than plain data; nothing in it was run.</exception>
    /// <exception cref="FormatException">The file is not a pickled record.</exception>
    protected override MetadataRecord Deserialize(ReadOnlySpan<byte> content) => PickleRecordCodec.Deserialize(content);
}
