using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Ciaf.Metadata.Interop.OpenLineage;

/// <summary>
/// POSTs each event as <c>application/json</c> to an OpenLineage HTTP endpoint (Marquez: <c>/api/v1/lineage</c>), with
/// <c>Authorization: Bearer &lt;api key&gt;</c> when a key is set. A 2xx answer is delivery; 408, 429 and 5xx (and network
/// errors, timeouts) are transient and retried by the emitter; any other status is a refusal, not retried.
/// </summary>
public sealed class OpenLineageHttpTransport : IOpenLineageTransport
{
    private static readonly Lazy<HttpClient> SharedClient = new(() => new HttpClient { Timeout = Timeout.InfiniteTimeSpan });

    private readonly HttpClient _client;
    private readonly string? _apiKey;
    private readonly TimeSpan _timeout;

    /// <summary>A transport posting to <paramref name="url"/>.</summary>
    /// <param name="url">The endpoint (http or https).</param>
    /// <param name="apiKey">Sent as a bearer token; null for none.</param>
    /// <param name="timeout">How long one attempt may take (default 10 s).</param>
    /// <param name="client">The client to use (default: one shared client).</param>
    /// <exception cref="ArgumentException">Not an absolute http/https URL.</exception>
    public OpenLineageHttpTransport(Uri url, string? apiKey = null, TimeSpan? timeout = null, HttpClient? client = null)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https"))
            throw new ArgumentException($"The OpenLineage URL must be an absolute http:// or https:// URL; got \"{url}\".", nameof(url));
        Url = url;
        _apiKey = apiKey;
        _timeout = timeout ?? OpenLineageOptions.DefaultRequestTimeout;
        _client = client ?? SharedClient.Value;
    }

    /// <summary>The endpoint.</summary>
    public Uri Url { get; }

    /// <inheritdoc/>
    public string Description => "http " + Url.GetLeftPart(UriPartial.Path);

    /// <inheritdoc/>
    public async ValueTask SendAsync(string runEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runEvent);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(_timeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, Url)
        {
            Content = new StringContent(runEvent, Encoding.UTF8, "application/json"),
        };
        if (_apiKey is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _apiKey);
        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(request, attempt.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new OpenLineageTransportException($"{Description} did not answer within {_timeout.TotalSeconds:0.###} s.", ex) { IsTransient = true };
        }
        catch (HttpRequestException ex)
        {
            throw new OpenLineageTransportException($"{Description} could not be reached: {ex.Message}", ex) { IsTransient = true };
        }
        using (response)
        {
            if (response.IsSuccessStatusCode) return;
            int status = (int)response.StatusCode;
            bool transient = status >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;
            throw new OpenLineageTransportException($"{Description} answered {status} {response.ReasonPhrase}.") { IsTransient = transient, StatusCode = status };
        }
    }
}
