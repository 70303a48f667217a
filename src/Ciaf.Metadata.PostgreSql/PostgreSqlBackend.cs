using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Ciaf.Metadata.Storage;

namespace Ciaf.Metadata.PostgreSql;

/// <summary>
/// Registers the PostgreSQL backend under the name <c>postgresql</c> in <see cref="MetadataBackends"/>, so configurations
/// may name it (<c>storage_backend = postgresql</c> with <c>postgres_connection_string</c>). Code that chooses it itself
/// calls <see cref="PostgreSqlBuilderExtensions.UsePostgreSql"/>.
/// </summary>
/// <remarks>
/// The registration also runs by itself, from a module initializer, as soon as this assembly is loaded
/// (any use of one of its types). An application that names the backend only in configuration
/// (<c>storage_backend = postgresql</c>) may never touch a type of this assembly before opening the store,
/// so it should call <see cref="Register"/> once at start-up; calling it again is harmless.
/// </remarks>
public static class PostgreSqlBackend
{
    /// <summary>The name the backend is registered under: <c>postgresql</c>.</summary>
    public const string Name = "postgresql";

    /// <summary>
    /// Registers (or re-registers) <see cref="PostgreSqlMetadataBackend"/> as <c>postgresql</c>. Idempotent and thread-safe.
    /// </summary>
    public static void Register() =>
        MetadataBackends.Register(Name, static builder => builder.UsePostgreSql(builder.Options.ConnectionString));

    // CA2255 warns that libraries should not use module initializers; here registering on load is the
    // point: referencing the package (and loading it) is enough to make "postgresql" a known backend.
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries",
        Justification = "Registering the backend when the assembly loads is the documented behaviour.")]
    internal static void RegisterOnLoad() => Register();
}
