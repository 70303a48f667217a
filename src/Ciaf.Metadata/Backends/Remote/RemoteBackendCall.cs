namespace Ciaf.Metadata.Backends.Remote;

/// <summary>
/// One remote backend request, read and checked by <see cref="RemoteBackendHost.ReadCallAsync"/>: what it needs
/// (<see cref="Access"/>, for the server to authorize) and how to answer it (<see cref="RespondAsync"/>, once authorized).
/// </summary>
public sealed class RemoteBackendCall
{
    private readonly Func<Stream, CancellationToken, Task> _respond;

    internal RemoteBackendCall(string operation, RemoteAccess access, string contentType, Func<Stream, CancellationToken, Task> respond)
    {
        Operation = operation;
        Access = access;
        ContentType = contentType;
        _respond = respond;
    }

    /// <summary>The operation (<c>get</c>, <c>query</c>, <c>scan</c>, ...).</summary>
    public string Operation { get; }

    /// <summary>The right the caller needs; the server checks it before <see cref="RespondAsync"/>.</summary>
    public RemoteAccess Access { get; }

    /// <summary>The answer's content type: <c>application/json</c>, or <c>application/x-ndjson</c> for a streamed scan.</summary>
    public string ContentType { get; }

    /// <summary>Does the operation on the store and writes the answer to <paramref name="response"/> (streamed for a scan).</summary>
    /// <exception cref="ArgumentException">The request breaks a rule the store checks (the message names the field).</exception>
    public Task RespondAsync(Stream response, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        return _respond(response, cancellationToken);
    }
}
