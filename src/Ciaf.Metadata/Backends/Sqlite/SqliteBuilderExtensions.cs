using Ciaf.Metadata.Backends.Sqlite;

namespace Ciaf.Metadata;

/// <summary>Chooses the SQLite backend on a <see cref="MetadataStorageBuilder"/>.</summary>
public static class SqliteBuilderExtensions
{
    /// <summary>
    /// Stores in <c>&lt;storagePath&gt;/ciaf_metadata.db</c>, the reference's SQLite layout (backend name <c>sqlite</c>).
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="storagePath">The store folder.</param>
    /// <param name="configure">Sets the backend's options (journal mode); validated in <see cref="MetadataStorageBuilder.Build"/>.</param>
    public static MetadataStorageBuilder UseSqlite(this MetadataStorageBuilder builder, string storagePath, Action<SqliteBackendOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new SqliteBackendOptions();
        configure?.Invoke(options);
        return builder.UseBackend("sqlite", storagePath, context => new SqliteMetadataBackend(context, options), options.Validate());
    }

    /// <summary>Opens a store written by the reference's <c>CompressedMetadataStorage</c> with SQLite, read-only (backend name <c>compressed_sqlite</c>), to read or migrate it.</summary>
    public static MetadataStorageBuilder UseCompressedSqlite(this MetadataStorageBuilder builder, string storagePath)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.UseBackend("compressed_sqlite", storagePath, context => new Backends.Compressed.CompressedSqliteBackend(context));
    }
}
