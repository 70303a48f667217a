using Ciaf.Metadata.Backends.Remote;

namespace Ciaf.Metadata;

/// <summary>Chooses the remote backend on a <see cref="MetadataStorageBuilder"/>.</summary>
public static class RemoteBuilderExtensions
{
    /// <summary>The remote backend's name (<c>storage_backend: remote</c>).</summary>
    public const string BackendName = "remote";

    /// <summary>
    /// Stores on a server (<c>ciaf serve</c>) over HTTP, backend name <c>remote</c> (docs/backends.md): every save, query,
    /// compliance event, audit entry, legal hold and cleanup of this store goes to the server's store, as the key's role
    /// allows. <see cref="RemoteBackendOptions.ServerUrl"/> and <see cref="RemoteBackendOptions.ApiKey"/> start from the
    /// common options (<c>server_url</c>, <c>api_key</c>); <see cref="Storage.MetadataStorageOptions.StoragePath"/> keeps its
    /// meaning for exports.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the backend's options (server, key, timeouts, handler); validated in <see cref="MetadataStorageBuilder.Build"/>.</param>
    public static MetadataStorageBuilder UseRemote(this MetadataStorageBuilder builder, Action<RemoteBackendOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new RemoteBackendOptions { ServerUrl = builder.Options.ServerUrl, ApiKey = builder.Options.ApiKey };
        configure?.Invoke(options);
        builder.Options.ServerUrl = options.ServerUrl;
        builder.Options.ApiKey = options.ApiKey;
        return builder.UseBackend(BackendName, builder.Options.StoragePath, context => new RemoteMetadataBackend(context, options), options.Validate());
    }
}
