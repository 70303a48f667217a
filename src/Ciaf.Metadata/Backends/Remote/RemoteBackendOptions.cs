using System.Net;

namespace Ciaf.Metadata.Backends.Remote;

/// <summary>
/// Settings of the remote backend (<c>b.UseRemote(o => ...)</c>): a store served by <c>ciaf serve</c>, reached over HTTP
/// with an API key. Validated once, in <see cref="MetadataStorageBuilder.Build"/>; every message names the setting and
/// never shows the key.
/// </summary>
public sealed class RemoteBackendOptions
{
    /// <summary>How long one HTTP request may take before it counts as failed (and is retried): 30 s.</summary>
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long one operation keeps retrying a server that is down, restarting or busy: 30 s.</summary>
    public static readonly TimeSpan DefaultTransientRetryTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Records, events or audit entries one read asks the server for (1000).</summary>
    public const int DefaultPageSize = 1000;

    /// <summary>The most <see cref="PageSize"/> may be (the server answers at most this many per request).</summary>
    public const int MaxPageSize = 10_000;

    /// <summary>
    /// The server: the URL of a <c>ciaf serve</c> (config <c>server_url</c> / <c>CIAF_SERVER_URL</c>), e.g.
    /// <c>https://ciaf.example.org</c>, or with a path prefix when a reverse proxy serves it under one. Must be
    /// <c>https://</c> unless the server is on this machine (loopback) or <see cref="AllowInsecureHttp"/> is set.
    /// </summary>
    public string? ServerUrl { get; set; }

    /// <summary>
    /// The API key sent as <c>X-API-Key</c> (config <c>api_key</c> / <c>CIAF_API_KEY</c>; from <c>ciaf apikey create</c>
    /// on the server). Its role decides what the store may do: <c>reader</c> reads, <c>writer</c> also saves, cleanup and
    /// legal holds need <c>admin</c>, the audit trail <c>auditor</c> (docs/server.md). Never logged.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>How long one HTTP request may take (until the response's headers for streamed reads); default <see cref="DefaultRequestTimeout"/>.</summary>
    public TimeSpan RequestTimeout { get; set; } = DefaultRequestTimeout;

    /// <summary>
    /// How long one operation keeps retrying transient failures — connection refused or reset, a timeout, 5xx, 429 (after
    /// its <c>Retry-After</c>) — with exponential backoff before it fails; default <see cref="DefaultTransientRetryTimeout"/>.
    /// <see cref="TimeSpan.Zero"/> disables retries. Writes are idempotent by id, so a retried write is stored once.
    /// </summary>
    public TimeSpan TransientRetryTimeout { get; set; } = DefaultTransientRetryTimeout;

    /// <summary>Records, events or audit entries one read asks for (1 to <see cref="MaxPageSize"/>); default <see cref="DefaultPageSize"/>.</summary>
    public int PageSize { get; set; } = DefaultPageSize;

    /// <summary>
    /// Sends the API key over plain <c>http://</c> to a server that is not on this machine. Off by default: anyone on the
    /// network path could read the key. Turn it on only inside a network you trust (or behind a TLS-terminating sidecar).
    /// </summary>
    public bool AllowInsecureHttp { get; set; }

    /// <summary>
    /// The handler requests go through instead of the backend's own pooled <see cref="SocketsHttpHandler"/> (a proxy
    /// setup, or an in-memory test server's handler). The backend does not dispose it. <c>null</c> (the default): a
    /// <see cref="SocketsHttpHandler"/> with pooled connections, owned by the backend.
    /// </summary>
    public HttpMessageHandler? Handler { get; set; }

    /// <summary>Every problem with these options, keyed by option name (and its configuration key); empty when valid.</summary>
    public IReadOnlyDictionary<string, string> Validate()
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(ServerUrl))
        {
            errors[nameof(ServerUrl)] = "is required (config server_url, environment CIAF_SERVER_URL): the URL of a ciaf serve, e.g. https://ciaf.example.org";
        }
        else if (!Uri.TryCreate(ServerUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
                 || string.IsNullOrEmpty(uri.Host))
        {
            errors[nameof(ServerUrl)] = $"'{ServerUrl}' is not allowed (server_url): must be an absolute http:// or https:// URL";
        }
        else if (uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            // Credentials belong in api_key (a header), never in a URL that ends up in logs and messages.
            errors[nameof(ServerUrl)] = $"'{uri.Scheme}://{uri.Authority}/...' is not allowed (server_url): no user name, password, query or fragment; the key goes in api_key";
        }
        else if (uri.Scheme == Uri.UriSchemeHttp && !AllowInsecureHttp && !IsLoopback(uri))
        {
            errors[nameof(ServerUrl)] = $"'{ServerUrl}' is not allowed (server_url): use https:// for a server on another machine, or the API key travels "
                + "in clear text (set RemoteBackendOptions.AllowInsecureHttp only inside a network you trust)";
        }
        if (string.IsNullOrWhiteSpace(ApiKey))
        {
            errors[nameof(ApiKey)] = "is required (config api_key, environment CIAF_API_KEY): a key from 'ciaf apikey create NAME --role writer' on the server";
        }
        else if (ApiKey.Any(c => c is < '!' or > '~'))
        {
            // Said without the key itself: it is a secret even when it is malformed.
            errors[nameof(ApiKey)] = "holds spaces, control or non-ASCII characters (api_key): copy the key exactly as 'ciaf apikey create' printed it";
        }
        if (RequestTimeout <= TimeSpan.Zero || RequestTimeout > TimeSpan.FromHours(1))
            errors[nameof(RequestTimeout)] = $"{RequestTimeout} is not allowed; must be more than zero and at most one hour";
        if (TransientRetryTimeout < TimeSpan.Zero)
            errors[nameof(TransientRetryTimeout)] = $"{TransientRetryTimeout} is not allowed; must be zero or positive";
        if (PageSize is < 1 or > MaxPageSize)
            errors[nameof(PageSize)] = $"{PageSize} is not allowed; must be from 1 to {MaxPageSize}";
        return errors;
    }

    /// <summary>Whether <paramref name="uri"/> names this machine (<c>localhost</c>, 127.0.0.0/8, <c>::1</c>).</summary>
    internal static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.DnsSafeHost, out var address) && IPAddress.IsLoopback(address));
}
