using Ciaf.Metadata.Backends.Compressed;
using Ciaf.Metadata.Backends.Json;
using Ciaf.Metadata.Backends.Pickle;

namespace Ciaf.Metadata;

/// <summary>Chooses one of the file backends (one file per record) on a <see cref="MetadataStorageBuilder"/>.</summary>
public static class FileBuilderExtensions
{
    /// <summary>Stores one JSON file per record, the reference's default layout (backend name <c>json</c>).</summary>
    public static MetadataStorageBuilder UseJson(this MetadataStorageBuilder builder, string storagePath)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.UseBackend("json", storagePath, context => new JsonMetadataBackend(context));
    }

    /// <summary>Stores one pickle (protocol 4) file per record, the reference's pickle layout (backend name <c>pickle</c>).</summary>
    public static MetadataStorageBuilder UsePickle(this MetadataStorageBuilder builder, string storagePath)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.UseBackend("pickle", storagePath, context => new PickleMetadataBackend(context));
    }

    /// <summary>Opens a store written by the reference's <c>CompressedMetadataStorage</c> as files (<c>.cmeta</c>), read-only (backend name <c>compressed_json</c>), to read or migrate it.</summary>
    public static MetadataStorageBuilder UseCompressedJson(this MetadataStorageBuilder builder, string storagePath)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.UseBackend("compressed_json", storagePath, context => new CompressedJsonBackend(context));
    }
}
