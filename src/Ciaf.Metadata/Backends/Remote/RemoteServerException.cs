using System.Net;
using System.Net.Http.Headers;

namespace Ciaf.Metadata.Backends.Remote;

/// <summary>
/// A server's refusal (an HTTP status other than 2xx), with the problem's detail and field when it sent RFC 9457 problem
/// details, and how long it asked to wait (<c>Retry-After</c>). Raised inside the remote backend and turned into the
/// library's exceptions at its edge (<see cref="RemoteConnection"/>).
/// </summary>
internal sealed class RemoteServerException(HttpStatusCode status, string detail, string? field, TimeSpan? retryAfter)
    : Exception($"{(int)status} {status}: {detail}")
{
    public HttpStatusCode Status { get; } = status;

    public string Detail { get; } = detail;

    public string? Field { get; } = field;

    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>Worth sending again: the server was busy (429, 503), timed out, failed unexpectedly or is behind a failing proxy.</summary>
    public bool IsTransient => Status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests or HttpStatusCode.InternalServerError
        or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    /// <summary>Reads a failed response: its problem details (when there are any, and small) and its <c>Retry-After</c>.</summary>
    public static async Task<RemoteServerException> FromAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string detail = response.ReasonPhrase ?? response.StatusCode.ToString();
        string? field = null;
        if (response.Content.Headers.ContentType?.MediaType is { } type && type.Contains("json", StringComparison.OrdinalIgnoreCase)
            && response.Content.Headers.ContentLength is null or < 65_536)
        {
            try
            {
                byte[] body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                var problem = RemoteWire.ParseObject(body);
                detail = RemoteWire.Text(problem, "detail") ?? RemoteWire.Text(problem, "title") ?? detail;
                field = RemoteWire.Text(problem, "field");
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or IOException or HttpRequestException)
            {
                // Not problem details after all (a proxy's page): the status says enough.
            }
        }
        return new RemoteServerException(response.StatusCode, detail, field, RetryDelay(response.Headers.RetryAfter));
    }

    private static TimeSpan? RetryDelay(RetryConditionHeaderValue? header) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };
}
