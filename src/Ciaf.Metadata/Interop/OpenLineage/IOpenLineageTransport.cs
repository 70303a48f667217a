namespace Ciaf.Metadata.Interop.OpenLineage;

/// <summary>
/// Where OpenLineage events go: a file (<see cref="OpenLineageFileTransport"/>), an HTTP endpoint
/// (<see cref="OpenLineageHttpTransport"/>) or your own. The emitter calls it from its background task, one event at a
/// time, and retries a failure with the store's retry policy unless it is an <see cref="OpenLineageTransportException"/>
/// that says it is not transient.
/// </summary>
public interface IOpenLineageTransport
{
    /// <summary>What the transport delivers to, for log messages (never a secret).</summary>
    string Description { get; }

    /// <summary>Delivers one event, given as its JSON text (one line, UTF-8 when written).</summary>
    /// <param name="runEvent">The event as compact JSON.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <exception cref="OpenLineageTransportException">The destination refused the event.</exception>
    ValueTask SendAsync(string runEvent, CancellationToken cancellationToken);
}
