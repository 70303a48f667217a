namespace Ciaf.Metadata.Storage;

/// <summary>Writes each batch to the backend on the caller's thread: durable when the call returns.</summary>
internal sealed class ImmediateWriter(IMetadataBackend backend, Action<WriteBatch> onDurable) : IRecordWriter
{
    public async ValueTask WriteAsync(WriteBatch batch, CancellationToken cancellationToken)
    {
        await BackendWrites.WriteAsync(backend, batch, cancellationToken).ConfigureAwait(false);
        onDurable(batch);
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
