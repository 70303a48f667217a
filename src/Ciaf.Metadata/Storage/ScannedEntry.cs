namespace Ciaf.Metadata.Storage;

/// <summary>One stored entry met by <see cref="IRecordScanBackend.ScanAsync"/>: a record, or why it could not be read.</summary>
/// <param name="Location">Where it is stored: a file path, or <c>&lt;database&gt;#&lt;id&gt;</c> for a row.</param>
/// <param name="Record">The record, or <c>null</c> when the entry is unreadable.</param>
/// <param name="Error">Why the entry could not be read, or <c>null</c> when <paramref name="Record"/> is set.</param>
public sealed record ScannedEntry(string Location, MetadataRecord? Record, string? Error);
