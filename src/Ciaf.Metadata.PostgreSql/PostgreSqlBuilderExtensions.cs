using Ciaf.Metadata.PostgreSql;

namespace Ciaf.Metadata;

/// <summary>Chooses the PostgreSQL backend on a <see cref="MetadataStorageBuilder"/>.</summary>
public static class PostgreSqlBuilderExtensions
{
    /// <summary>
    /// Stores in PostgreSQL (backend name <c>postgresql</c>): the tables of <c>docs/postgresql.md</c> in
    /// <see cref="PostgreSqlBackendOptions.Schema"/> (or the connection string's <c>Search Path</c>), created or migrated
    /// when the store opens. <see cref="Storage.MetadataStorageOptions.StoragePath"/> keeps its meaning for exports and defaults to
    /// <c>ciaf_metadata</c>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="connectionString">The Npgsql connection string (never logged: it may hold a password).</param>
    /// <param name="configure">Sets the backend's options (schema, command timeout, transient retry); validated in <see cref="MetadataStorageBuilder.Build"/>.</param>
    public static MetadataStorageBuilder UsePostgreSql(this MetadataStorageBuilder builder, string? connectionString,
        Action<PostgreSqlBackendOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new PostgreSqlBackendOptions();
        configure?.Invoke(options);
        var errors = new Dictionary<string, string>(options.Validate(), StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            errors["ConnectionString"] = "is required: pass it to UsePostgreSql, or set postgres_connection_string (environment CIAF_POSTGRES_CONNECTION), "
                + "e.g. \"Host=db;Database=ciaf;Username=ciaf;Password=...\"";
        }
        return builder.UseBackend(PostgreSqlBackend.Name, builder.Options.StoragePath,
            context => new PostgreSqlMetadataBackend(context, options), errors, connectionString);
    }
}
