using Ciaf.Metadata.PostgreSql;
using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers CIAF Metadata with the PostgreSQL backend available.</summary>
public static class PostgreSqlServiceCollectionExtensions
{
    /// <summary>
    /// Registers the <c>postgresql</c> backend (<see cref="PostgreSqlBackend.Register"/>), then everything
    /// <see cref="CiafMetadataServiceCollectionExtensions.AddCiafMetadata(IServiceCollection, IConfiguration)"/> registers. Select the backend in
    /// <paramref name="configuration"/>: <c>storage_backend = postgresql</c> and <c>postgres_connection_string</c>
    /// (or the <c>CIAF_STORAGE_BACKEND</c> and <c>CIAF_POSTGRES_CONNECTION</c> variables).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The CIAF section, e.g. <c>configuration.GetSection("Ciaf")</c>, snake_case keys.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddCiafMetadataPostgreSql(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        PostgreSqlBackend.Register();
        return services.AddCiafMetadata(configuration);
    }
}
