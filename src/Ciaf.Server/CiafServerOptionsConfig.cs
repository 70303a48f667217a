using Ciaf.Metadata;
using Ciaf.Metadata.Configuration;

namespace Ciaf.Server;

/// <summary>Builds <see cref="CiafServerOptions"/> from a <see cref="MetadataConfig"/> (the <c>server_*</c> keys, docs/configuration.md).</summary>
public static class CiafServerOptionsConfig
{
    /// <summary>The server's options for <paramref name="storage"/> as <paramref name="config"/> describes them.</summary>
    /// <param name="config">The configuration (file, <c>CIAF_*</c> variables, defaults).</param>
    /// <param name="storage">The store to serve.</param>
    /// <param name="urls">URLs that win over <c>server_urls</c> (e.g. <c>--urls</c>), or null.</param>
    /// <exception cref="MetadataConfigException">A server setting has the wrong type; the message names the key.</exception>
    public static CiafServerOptions FromConfig(MetadataConfig config, MetadataStorage storage, IReadOnlyList<string>? urls = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        long maxBody = config.Get<long>(MetadataConfigKeys.ServerMaxRequestBodyBytes);
        return new CiafServerOptions
        {
            Storage = storage,
            Urls = [.. urls is { Count: > 0 } ? urls : config.Get<string[]>(MetadataConfigKeys.ServerUrls)],
            MaxRequestBodyBytes = maxBody > 0 ? maxBody : null,
            RateLimit = new RateLimitSettings
            {
                Requests = (int)config.Get<long>(MetadataConfigKeys.ServerRateLimitRequests),
                Window = TimeSpan.FromSeconds(config.Get<long>(MetadataConfigKeys.ServerRateLimitWindowSeconds)),
            },
            Jwt = new JwtSettings
            {
                Authority = config.Get<string?>(MetadataConfigKeys.ServerJwtAuthority),
                Audience = config.Get<string?>(MetadataConfigKeys.ServerJwtAudience),
                Issuer = config.Get<string?>(MetadataConfigKeys.ServerJwtIssuer),
                SigningKeyPath = config.Get<string?>(MetadataConfigKeys.ServerJwtSigningKeyPath),
                RoleClaim = config.Get<string>(MetadataConfigKeys.ServerJwtRoleClaim),
                NameClaim = config.Get<string>(MetadataConfigKeys.ServerJwtNameClaim),
            },
            ForwardedHeaders = new ForwardedHeadersSettings
            {
                Enabled = config.Get<bool>(MetadataConfigKeys.ServerForwardedHeaders),
                KnownProxies = [.. config.Get<string[]>(MetadataConfigKeys.ServerKnownProxies)],
            },
            DataProtectionKeysPath = config.Get<string?>(MetadataConfigKeys.ServerDataProtectionKeysPath),
            CorsOrigins = [.. config.Get<string[]>(MetadataConfigKeys.ServerCorsOrigins)],
            Oidc = new Dashboard.OidcSignInSettings
            {
                ClientId = config.Get<string?>(MetadataConfigKeys.ServerOidcClientId),
                ClientSecret = config.Get<string?>(MetadataConfigKeys.ServerOidcClientSecret),
                Scopes = [.. config.Get<string[]>(MetadataConfigKeys.ServerOidcScopes)],
            },
        };
    }
}
