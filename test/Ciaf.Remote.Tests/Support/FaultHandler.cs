using System.Collections.Concurrent;
using System.Net;

namespace Ciaf.Remote.Tests.Support;

/// <summary>What <see cref="FaultHandler"/> does to one request.</summary>
public enum FaultKind
{
    /// <summary>Answers with a status (and <c>Retry-After</c>) without reaching the server.</summary>
    Status,
    /// <summary>Fails as a refused connection, without reaching the server.</summary>
    Refused,
    /// <summary>Lets the server do the work, then loses its answer (the connection dies on the way back).</summary>
    LostAnswer,
}

/// <summary>One fault: its kind, and for <see cref="FaultKind.Status"/> the status and the wait it asks for.</summary>
public sealed record Fault(FaultKind Kind, HttpStatusCode Status = HttpStatusCode.ServiceUnavailable, TimeSpan? RetryAfter = null);

/// <summary>One request as the handler saw it.</summary>
public sealed record SeenRequest(string Method, string Path, long BodyBytes, bool MarkedRetry, DateTimeOffset At, HttpStatusCode? Status);

/// <summary>
/// Sits between the remote backend and the server: records every request, and fails the next requests whose path ends
/// with <see cref="Target"/> as <see cref="Enqueue"/> planned, before they reach the server or after.
/// </summary>
public sealed class FaultHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private readonly ConcurrentQueue<Fault> _faults = new();
    private readonly ConcurrentQueue<SeenRequest> _seen = new();

    /// <summary>The path (its end) the planned faults apply to, e.g. <c>api/v1/records</c>.</summary>
    public string Target { get; set; } = "api/v1/records";

    /// <summary>Every request so far, in order.</summary>
    public IReadOnlyList<SeenRequest> Seen => [.. _seen];

    /// <summary>Plans faults for the next requests to <see cref="Target"/>, in order.</summary>
    public void Enqueue(params Fault[] faults)
    {
        foreach (var fault in faults) _faults.Enqueue(fault);
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        string path = request.RequestUri!.AbsolutePath;
        long bytes = request.Content is null ? 0 : (await request.Content.ReadAsByteArrayAsync(cancellationToken)).Length;
        bool retry = request.Headers.TryGetValues("Ciaf-Retry", out var values) && values.Contains("1");
        Fault? fault = path.EndsWith(Target, StringComparison.Ordinal) && _faults.TryDequeue(out var next) ? next : null;
        switch (fault?.Kind)
        {
            case FaultKind.Status:
                _seen.Enqueue(new SeenRequest(request.Method.Method, path, bytes, retry, DateTimeOffset.UtcNow, fault.Status));
                var refusal = new HttpResponseMessage(fault.Status) { RequestMessage = request };
                if (fault.RetryAfter is { } wait) refusal.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(wait);
                return refusal;
            case FaultKind.Refused:
                _seen.Enqueue(new SeenRequest(request.Method.Method, path, bytes, retry, DateTimeOffset.UtcNow, null));
                throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (injected)");
        }
        var response = await base.SendAsync(request, cancellationToken);
        _seen.Enqueue(new SeenRequest(request.Method.Method, path, bytes, retry, DateTimeOffset.UtcNow, response.StatusCode));
        if (fault?.Kind == FaultKind.LostAnswer)
        {
            response.Dispose();
            throw new HttpRequestException(HttpRequestError.ResponseEnded, "The connection closed before the answer arrived (injected)");
        }
        return response;
    }
}
