namespace Ciaf.Server;

/// <summary>The configuration keys of the server (snake_case, as in <c>ciaf_config.json</c>; see docs/configuration.md).</summary>
public static class ServerConfigKeys
{
    /// <summary>The URLs to listen on.</summary>
    public const string Urls = "server_urls";

    /// <summary>The largest request body, in bytes (default: <c>max_metadata_bytes</c> + 64 KiB).</summary>
    public const string MaxRequestBodyBytes = "server_max_request_body_bytes";

    /// <summary>Requests one identity may make per window (0 turns rate limiting off).</summary>
    public const string RateLimitRequests = "server_rate_limit_requests";

    /// <summary>The rate limit's window, in seconds.</summary>
    public const string RateLimitWindowSeconds = "server_rate_limit_window_seconds";

    /// <summary>The OIDC authority (issuer URL) whose signing keys are fetched by discovery.</summary>
    public const string JwtAuthority = "server_jwt_authority";

    /// <summary>The audience a token must be issued for.</summary>
    public const string JwtAudience = "server_jwt_audience";

    /// <summary>The issuer a token must name (default: the authority's).</summary>
    public const string JwtIssuer = "server_jwt_issuer";

    /// <summary>A PEM public key (RSA or EC) tokens are verified with, instead of discovery.</summary>
    public const string JwtSigningKeyPath = "server_jwt_signing_key_path";

    /// <summary>The token claim holding the roles.</summary>
    public const string JwtRoleClaim = "server_jwt_role_claim";

    /// <summary>The token claim naming the user in the audit trail.</summary>
    public const string JwtNameClaim = "server_jwt_name_claim";

    /// <summary>Browser origins allowed to call the API (CORS); empty = off.</summary>
    public const string CorsOrigins = "server_cors_origins";

    /// <summary>The dashboard's OIDC client id (OIDC sign-in is on when it is set).</summary>
    public const string OidcClientId = "server_oidc_client_id";

    /// <summary>The dashboard's OIDC client secret, for a confidential client.</summary>
    public const string OidcClientSecret = "server_oidc_client_secret";

    /// <summary>The scopes the dashboard's OIDC sign-in asks for besides <c>openid</c>.</summary>
    public const string OidcScopes = "server_oidc_scopes";

    /// <summary>Whether X-Forwarded-For and X-Forwarded-Proto from a known proxy are read (reverse proxy with TLS).</summary>
    public const string ForwardedHeaders = "server_forwarded_headers";

    /// <summary>The proxies (addresses or CIDR networks) whose forwarded headers are believed; empty = loopback.</summary>
    public const string KnownProxies = "server_known_proxies";

    /// <summary>A folder for the server's Data Protection key ring instead of the store's state.</summary>
    public const string DataProtectionKeysPath = "server_data_protection_keys_path";
}
