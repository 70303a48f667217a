namespace Ciaf.Metadata.Storage;

/// <summary>The write path between the facade and the backend: immediate or batched in the background.</summary>
internal interface IRecordWriter : IAsyncDisposable
{
    /// <summary>Immediate: durable on return. Buffered: queued (waits while the queue is full; nothing is dropped).</summary>
    ValueTask WriteAsync(WriteBatch batch, CancellationToken cancellationToken);

    /// <summary>Returns once everything written before the call is durable; throws if some of it could not be written.</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken);
}
