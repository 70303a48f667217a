namespace Ciaf.Metadata.Storage;

/// <summary>Sends a <see cref="WriteBatch"/> to a backend, wrapping failures in one exception type.</summary>
internal static class BackendWrites
{
    public static async ValueTask WriteAsync(IMetadataBackend backend, WriteBatch batch, CancellationToken cancellationToken)
    {
        try
        {
            if (batch.Records.Count > 0) await backend.WriteAsync(batch.Records, cancellationToken).ConfigureAwait(false);
            if (batch.Events.Count > 0)
            {
                var events = backend as IComplianceEventStore
                    ?? throw new NotSupportedException($"The {backend.Name} backend keeps no compliance events: it does not implement IComplianceEventStore.");
                await events.WriteComplianceEventsAsync(batch.Events, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not MetadataStorageException and not OperationCanceledException and not ArgumentException and not NotSupportedException)
        {
            string? id = batch.Records.Count > 0 ? batch.Records[0].Id : batch.Events.Count > 0 ? batch.Events[0].Id : null;
            throw new MetadataStorageException(
                $"The {backend.Name} backend at '{backend.StoragePath}' failed to write {batch.Count} item(s) (first id {id}): {ex.Message}", ex)
            {
                Backend = backend.Name,
                Path = backend.DbPath ?? backend.StoragePath,
                RecordId = id,
            };
        }
    }
}
