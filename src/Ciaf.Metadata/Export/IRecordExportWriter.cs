namespace Ciaf.Metadata.Export;

/// <summary>Writes records to an export stream, one at a time, in one format.</summary>
internal interface IRecordExportWriter : IAsyncDisposable
{
    /// <summary>Appends one record.</summary>
    ValueTask WriteAsync(MetadataRecord record, CancellationToken cancellationToken);

    /// <summary>Writes whatever closes the document and flushes; called once, after the last record.</summary>
    ValueTask CompleteAsync(CancellationToken cancellationToken);
}
