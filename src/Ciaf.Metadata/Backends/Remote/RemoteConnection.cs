using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Storage;
using Microsoft.Extensions.Logging;

namespace Ciaf.Metadata.Backends.Remote;

/// <summary>
/// The remote backend's HTTP side: one <see cref="HttpClient"/> over pooled connections (<see cref="SocketsHttpHandler"/>)
/// sending the API key, each request retried through the core's policy (<see cref="StoreRetryPolicy.Transient"/>) when it
/// fails transiently, and failures turned into the library's exceptions naming the server and the operation (never the key).
/// </summary>
internal sealed class RemoteConnection : IDisposable
{
    private static readonly string UserAgent = "Ciaf.Metadata/" + (typeof(RemoteConnection).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0");

    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly HttpClient _http;
    private readonly TransientRetry _retry;
    private readonly TimeSpan _timeout;

    public RemoteConnection(RemoteBackendOptions options, ILogger logger)
    {
        Server = new Uri(options.ServerUrl!.TrimEnd('/') + "/");
        Display = Server.ToString();
        _timeout = options.RequestTimeout;
        var handler = options.Handler ?? new SocketsHttpHandler
        {
            // Pooled, kept-alive connections; a lifetime so a server moved behind the same name is found again.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            ConnectTimeout = options.RequestTimeout < TimeSpan.FromSeconds(15) ? options.RequestTimeout : TimeSpan.FromSeconds(15),
        };
        // Timeouts are per attempt (below), so that a stalled body counts as well as a stalled connect.
        _http = new HttpClient(handler, disposeHandler: options.Handler is null) { BaseAddress = Server, Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.TryAddWithoutValidation("X-API-Key", options.ApiKey);
        _http.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", UserAgent);
        _http.DefaultRequestHeaders.Accept.ParseAdd("application/json");
        _retry = StoreRetryPolicy.Transient(IsTransient, options.TransientRetryTimeout, firstDelay: TimeSpan.FromMilliseconds(100),
            maxDelay: TimeSpan.FromSeconds(5),
            (operation, error, attempt, delay) => RemoteLog.Transient(logger, Display, operation, Describe(error), attempt, (int)delay.TotalMilliseconds),
            delayHint: error => error is RemoteServerException { RetryAfter: { } wait } ? wait : null);
    }

    /// <summary>The server's URL (with a trailing '/'), as configured: what messages name.</summary>
    public Uri Server { get; }

    /// <summary><see cref="Server"/> as text.</summary>
    public string Display { get; }

    /// <summary><c>GET /api/v1/backend/info</c>: the server's protocol, limits and store.</summary>
    public ValueTask<JsonObject> InfoAsync(CancellationToken cancellationToken) =>
        SendAsync("connect", () => new HttpRequestMessage(HttpMethod.Get, RemoteWire.BackendPath + "info"), ReadObjectAsync, retried: false, cancellationToken);

    /// <summary>Calls one backend operation (<c>POST /api/v1/backend/{operation}</c>) and returns its answer.</summary>
    /// <param name="operation">The operation's name.</param>
    /// <param name="body">The request document.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <param name="retried">Whether this is the same request sent again after an earlier failure (the server then skips what it holds unchanged).</param>
    public ValueTask<JsonObject> CallAsync(string operation, byte[] body, CancellationToken cancellationToken, bool retried = false) =>
        SendAsync(operation, () => Post(RemoteWire.BackendPath + operation, body), ReadObjectAsync, retried, cancellationToken);

    /// <summary>
    /// <c>POST /api/v1/records</c> with records in their stored form; false when the body is larger than the server
    /// accepts (413: the caller splits it), true when the records are durable.
    /// </summary>
    public async ValueTask<bool> TryPostRecordsAsync(byte[] body, bool retried, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync("write", () => Post(RemoteWire.RecordsPath, body), ReadObjectAsync, retried, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (MetadataStorageException ex) when (ex.InnerException is RemoteServerException { Status: HttpStatusCode.RequestEntityTooLarge })
        {
            return false;
        }
    }

    /// <summary>
    /// Calls a streamed operation and yields its lines (one JSON object each). The request is retried until the answer
    /// starts; a failure while it streams fails the enumeration (the operation is then run again by its caller).
    /// </summary>
    public async IAsyncEnumerable<JsonObject> StreamAsync(string operation, byte[] body, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var response = await SendAsync(operation, () => Post(RemoteWire.BackendPath + operation, body),
            static (r, _) => ValueTask.FromResult(r), retried: false, cancellationToken, streamed: true).ConfigureAwait(false);
        Stream stream;
        try
        {
            stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            throw Failure(operation, ex, null);
        }
        using var reader = new StreamReader(stream);
        while (true)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                throw Failure(operation, new IOException($"the answer was cut off while streaming: {ex.Message}", ex), null);
            }
            if (line is null) yield break;
            if (line.Length == 0) continue;
            JsonObject item;
            try
            {
                item = RemoteWire.ParseObject(System.Text.Encoding.UTF8.GetBytes(line));
            }
            catch (FormatException ex)
            {
                throw Failure(operation, ex, null);
            }
            yield return item;
        }
    }

    /// <summary>
    /// The library's exception for a failed operation: <see cref="ArgumentException"/> for input the server refused (400,
    /// naming the field), <see cref="NotSupportedException"/> for an operation the server does not know (404),
    /// <see cref="InvalidOperationException"/> for a conflict (409), <see cref="MetadataStorageException"/> otherwise
    /// (unreachable, refused key or role, too large, failing) — each naming the server and the operation, never the key.
    /// </summary>
    public Exception Failure(string operation, Exception error, string? recordId)
    {
        string what = recordId is null ? operation : $"{operation} (record {recordId})";
        return error switch
        {
            RemoteServerException { Status: HttpStatusCode.BadRequest } r =>
                new ArgumentException($"The server at {Display} refused the {what}: {r.Detail}", r.Field ?? "metadata", r),
            RemoteServerException { Status: HttpStatusCode.NotFound } r =>
                new NotSupportedException($"The server at {Display} does not offer the remote backend's '{operation}' (404: {r.Detail}); "
                    + "it may run an older version of ciaf serve than this library", r),
            RemoteServerException { Status: HttpStatusCode.Conflict } r =>
                new InvalidOperationException($"The server at {Display} could not do the {what}: {r.Detail}", r),
            RemoteServerException r => Storage(Refusal(what, r), r, recordId),
            TimeoutException or HttpRequestException or IOException or TaskCanceledException =>
                Storage($"The server at {Display} could not be reached for the {what}: {error.Message}", error, recordId),
            FormatException => Storage($"The server at {Display} answered the {what} with something that is not the remote backend's format: {error.Message}", error, recordId),
            _ => error,
        };
    }

    public void Dispose() => _http.Dispose();

    private string Refusal(string what, RemoteServerException r) => r.Status switch
    {
        HttpStatusCode.Unauthorized => $"The server at {Display} refused the API key for the {what} (401 Unauthorized: {r.Detail}); "
            + "check api_key / CIAF_API_KEY: the key may be mistyped, revoked or expired",
        HttpStatusCode.Forbidden => $"The API key's role may not do the {what} on the server at {Display} (403 Forbidden: {r.Detail}); "
            + "ask for a key with the role it needs (docs/server.md)",
        HttpStatusCode.RequestEntityTooLarge => $"The {what} is larger than the server at {Display} accepts (413: {r.Detail}); "
            + "its max_metadata_bytes (or server_max_request_body_bytes) is smaller than this store's",
        _ => $"The server at {Display} failed the {what} ({(int)r.Status} {r.Status}: {r.Detail})",
    };

    private MetadataStorageException Storage(string message, Exception inner, string? recordId) =>
        new(message, inner) { Backend = RemoteBuilderExtensions.BackendName, Path = Display, RecordId = recordId };

    private static HttpRequestMessage Post(string path, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = Json;
        return new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
    }

    // One attempt per call of the action: a fresh request (a message is sent once), marked as a retry after the first,
    // with its own timeout (until the headers only when the answer is streamed: a long scan is not a stalled one);
    // `read` takes over the response when its status is a success.
    private async ValueTask<T> SendAsync<T>(string operation, Func<HttpRequestMessage> create, Func<HttpResponseMessage, CancellationToken, ValueTask<T>> read,
        bool retried, CancellationToken cancellationToken, bool streamed = false)
    {
        int attempts = 0;
        try
        {
            return await _retry.ExecuteAsync(operation, async token =>
            {
                using var request = create();
                if (retried || attempts++ > 0) request.Headers.TryAddWithoutValidation(RemoteWire.RetryHeader, "1");
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
                timeout.CancelAfter(_timeout);
                HttpResponseMessage? response = null;
                try
                {
                    response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                    if (!response.IsSuccessStatusCode) throw await RemoteServerException.FromAsync(response, timeout.Token).ConfigureAwait(false);
                    if (streamed) timeout.CancelAfter(Timeout.InfiniteTimeSpan);
                    var result = await read(response, timeout.Token).ConfigureAwait(false);
                    response = null; // read owns it now
                    return result;
                }
                catch (OperationCanceledException ex) when (!token.IsCancellationRequested)
                {
                    throw new TimeoutException($"no answer within {_timeout.TotalSeconds:0.#} s", ex);
                }
                finally
                {
                    response?.Dispose();
                }
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw Failure(operation, ex, null);
        }
    }

    private static async ValueTask<JsonObject> ReadObjectAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using (response)
        {
            byte[] body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            return RemoteWire.ParseObject(body);
        }
    }

    private static bool IsTransient(Exception error) => error switch
    {
        RemoteServerException r => r.IsTransient,
        TimeoutException => true,
        // Refused, reset, a name not resolving yet, a proxy's failure: worth another try. TLS and protocol mistakes are not.
        HttpRequestException h => h.HttpRequestError is not (HttpRequestError.SecureConnectionError or HttpRequestError.UserAuthenticationError
            or HttpRequestError.ConfigurationLimitExceeded or HttpRequestError.VersionNegotiationError
            or HttpRequestError.ExtendedConnectNotSupported or HttpRequestError.InvalidResponse),
        IOException => true,
        _ => false,
    };

    private static string Describe(Exception error) => error switch
    {
        RemoteServerException r => $"{(int)r.Status} {r.Status}" + (r.RetryAfter is { } wait ? $", Retry-After {wait.TotalSeconds:0.#} s" : string.Empty),
        HttpRequestException h => $"{h.HttpRequestError}: {h.Message}",
        _ => error.Message,
    };
}
