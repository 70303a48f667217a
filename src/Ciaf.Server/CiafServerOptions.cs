using Ciaf.Metadata;

namespace Ciaf.Server;

/// <summary>
/// How a CIAF server runs: the store it serves, where it listens, and its limits. Validated once, when the server is
/// built (<see cref="Validate"/> lists every problem, naming the configuration key).
/// </summary>
public sealed class CiafServerOptions
{
    /// <summary>Where the server listens when neither <see cref="Urls"/> nor Kestrel's configuration says: loopback only.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>What a request body may hold beyond <see cref="MetadataStorage.MaxMetadataBytes"/> (the record's other fields, JSON framing).</summary>
    public const long BodyEnvelopeBytes = 64 * 1024;

    /// <summary>The store served. The server does not own it: whoever built it disposes it after the server stops.</summary>
    public required MetadataStorage Storage { get; init; }

    /// <summary>The URLs to listen on (<c>server_urls</c>; default <see cref="DefaultUrl"/>). Kestrel's own configuration (<c>Kestrel:Endpoints</c>), for TLS certificates, wins when present.</summary>
    public IList<string> Urls { get; init; } = [DefaultUrl];

    /// <summary>
    /// The largest request body accepted, in bytes; larger bodies get 413. Default: the store's
    /// <c>max_metadata_bytes</c> plus <see cref="BodyEnvelopeBytes"/>.
    /// </summary>
    public long? MaxRequestBodyBytes { get; set; }

    /// <summary>Rate limiting per identity (<c>server_rate_limit_*</c>).</summary>
    public RateLimitSettings RateLimit { get; init; } = new();

    /// <summary>OIDC/JWT bearer tokens (<c>server_jwt_*</c>); off unless an authority or a signing key is set.</summary>
    public JwtSettings Jwt { get; init; } = new();

    /// <summary>OIDC sign-in to the dashboard (<c>server_oidc_*</c>, with <see cref="Jwt"/>'s authority and claims); off unless a client id is set.</summary>
    public Dashboard.OidcSignInSettings Oidc { get; init; } = new();

    /// <summary>Origins allowed to call the API from a browser (<c>server_cors_origins</c>); empty (the default) turns CORS off.</summary>
    public IList<string> CorsOrigins { get; init; } = [];

    /// <summary>
    /// Reading <c>X-Forwarded-For</c>/<c>-Proto</c> from a reverse proxy (<c>server_forwarded_headers</c>,
    /// <c>server_known_proxies</c>); off by default.
    /// </summary>
    public ForwardedHeadersSettings ForwardedHeaders { get; init; } = new();

    /// <summary>
    /// A folder for the key ring that protects dashboard sessions and anti-forgery tokens
    /// (<c>server_data_protection_keys_path</c>); <c>null</c> (the default) keeps it in the store's own state
    /// (<see cref="MetadataStorage.ServerKeyRing"/>), so every instance serving the store shares it.
    /// </summary>
    public string? DataProtectionKeysPath { get; set; }

    /// <summary>
    /// The authentication scheme of a browser front end (a cookie scheme the dashboard registers), used for requests
    /// outside <c>/api</c> that carry no API key or bearer token; <c>null</c> (the default) when there is none.
    /// The API never authenticates with it.
    /// </summary>
    public string? BrowserScheme { get; set; }

    /// <summary>The body limit in force: <see cref="MaxRequestBodyBytes"/>, else the store's metadata limit plus the envelope.</summary>
    public long EffectiveMaxRequestBodyBytes(long maxMetadataBytes) => MaxRequestBodyBytes ?? maxMetadataBytes + BodyEnvelopeBytes;

    /// <summary>Every problem with these options, as configuration key → message; empty when valid.</summary>
    public IReadOnlyDictionary<string, string> Validate()
    {
        var errors = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (string url in Urls)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                errors[ServerConfigKeys.Urls] = $"'{url}' is not an http:// or https:// URL (e.g. {DefaultUrl}).";
            }
        }
        if (Urls.Count == 0) errors[ServerConfigKeys.Urls] = $"At least one URL is needed (e.g. {DefaultUrl}).";
        if (MaxRequestBodyBytes is < 1024) errors[ServerConfigKeys.MaxRequestBodyBytes] = $"{MaxRequestBodyBytes} is below the smallest allowed, 1024.";
        RateLimit.Validate(errors);
        ForwardedHeaders.Validate(errors);
        if (DataProtectionKeysPath is { } keys && (keys.Trim().Length == 0 || keys.IndexOfAny(Path.GetInvalidPathChars()) >= 0))
            errors[ServerConfigKeys.DataProtectionKeysPath] = $"'{keys}' is not a folder path.";
        Jwt.Validate(errors);
        Oidc.Validate(errors, Jwt);
        foreach (string origin in CorsOrigins)
        {
            if (origin == "*") errors[ServerConfigKeys.CorsOrigins] = "'*' is not allowed: list each origin (scheme://host[:port]) that may call the API.";
            else if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/")
                errors[ServerConfigKeys.CorsOrigins] = $"'{origin}' is not an origin: give scheme://host[:port], e.g. https://dashboard.example.com.";
        }
        return errors;
    }
}
