using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Transfer;

namespace Ciaf.Metadata;

public sealed partial class MetadataStorage
{
    /// <summary>The export formats this version writes: <c>json</c>, <c>jsonl</c>, <c>csv</c>, <c>xml</c>, <c>parquet</c>.</summary>
    public static IReadOnlyList<string> ExportFormats => Exporter.RecordFormats;

    /// <summary>
    /// Exports every record of a model (or of the store when <paramref name="modelName"/> is <c>null</c>), with
    /// no cap, streaming record by record so memory stays flat however large the store. Returns the file
    /// written: by default a new file under <c>&lt;store&gt;/exports/</c> whose name never collides with an
    /// earlier export. Buffered writes are flushed first. Order: the backend's storage order (SQLite: oldest
    /// first; file backends: model by model, in file-name order). Formats: see <c>docs/operations.md</c>.
    /// Records are written as stored: encrypted sensitive values stay encrypted (see <c>docs/security.md</c>).
    /// </summary>
    /// <param name="modelName">The model, or <c>null</c> for all.</param>
    /// <param name="format"><c>json</c> (an array, as the reference writes), <c>jsonl</c> (one record per line),
    /// <c>csv</c> (one header, metadata flattened to <c>metadata.a.b</c> columns, formulas neutralized),
    /// <c>xml</c> (keys as escaped attributes) or <c>parquet</c> (typed columns, metadata as JSON).</param>
    /// <param name="outputPath">Where to write (replaced if it exists); <c>null</c> for the exports folder.</param>
    /// <exception cref="ArgumentException">Unknown format or invalid model name.</exception>
    public string ExportMetadata(string? modelName = null, string format = "json", string? outputPath = null) =>
        SyncOverAsync.Run(ExportMetadataAsync(modelName, format, outputPath, progress: null));

    /// <inheritdoc cref="ExportMetadata(string?, string, string?)"/>
    /// <param name="modelName">The model, or <c>null</c> for all.</param>
    /// <param name="format">The file format (see <see cref="ExportFormats"/>).</param>
    /// <param name="outputPath">Where to write (replaced if it exists); <c>null</c> for the exports folder.</param>
    /// <param name="progress">Told how many records have been written so far: every
    /// <see cref="TransferProgressInterval"/> records and once at the end with the total.</param>
    public string ExportMetadata(string? modelName, string format, string? outputPath, IProgress<long>? progress) =>
        SyncOverAsync.Run(ExportMetadataAsync(modelName, format, outputPath, progress));

    /// <inheritdoc cref="ExportMetadata(string?, string, string?)"/>
    public ValueTask<string> ExportMetadataAsync(string? modelName = null, string format = "json", string? outputPath = null,
        CancellationToken cancellationToken = default) =>
        ExportMetadataAsync(modelName, format, outputPath, progress: null, cancellationToken);

    /// <inheritdoc cref="ExportMetadata(string?, string, string?, IProgress{long}?)"/>
    /// <param name="modelName">The model, or <c>null</c> for all.</param>
    /// <param name="format">The file format (see <see cref="ExportFormats"/>).</param>
    /// <param name="outputPath">Where to write (replaced if it exists); <c>null</c> for the exports folder.</param>
    /// <param name="progress">Told how many records have been written so far.</param>
    /// <param name="cancellationToken">Cancels the export; the partial temporary file is removed.</param>
    public ValueTask<string> ExportMetadataAsync(string? modelName, string format, string? outputPath, IProgress<long>? progress,
        CancellationToken cancellationToken = default)
        => _exporter.ExportRecordsAsync(modelName, format, outputPath, progress, cancellationToken);

    /// <summary>
    /// Exports a model's records (or every record) to <paramref name="destination"/>, which is written and left open — a
    /// server streams an export straight into its response. Same formats, order, streaming and audit as
    /// <see cref="ExportMetadata(string?, string, string?)"/>; <c>parquet</c> needs a seekable stream.
    /// </summary>
    /// <param name="destination">Where to write; not closed.</param>
    /// <param name="modelName">The model, or <c>null</c> for all.</param>
    /// <param name="format">The format (see <see cref="ExportFormats"/>); <c>jsonl</c> by default.</param>
    /// <param name="progress">Told how many records have been written so far.</param>
    /// <exception cref="ArgumentException">Unknown format, invalid model name, a stream that cannot be written, or parquet into a stream that cannot seek.</exception>
    public void ExportMetadataTo(Stream destination, string? modelName = null, string format = "jsonl", IProgress<long>? progress = null) =>
        SyncOverAsync.Run(ExportMetadataToAsync(destination, modelName, format, progress));

    /// <inheritdoc cref="ExportMetadataTo"/>
    public ValueTask ExportMetadataToAsync(Stream destination, string? modelName = null, string format = "jsonl", IProgress<long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return _exporter.ExportRecordsAsync(destination, modelName, format, progress, cancellationToken);
    }

    /// <summary>Exports every compliance event (newest first) to <paramref name="destination"/>, which is written and left open (formats: see <see cref="ComplianceEventExportFormats"/>).</summary>
    /// <exception cref="ArgumentException">Unknown format.</exception>
    public void ExportComplianceEventsTo(Stream destination, string format = "jsonl", IProgress<long>? progress = null) =>
        SyncOverAsync.Run(ExportComplianceEventsToAsync(destination, format, progress));

    /// <inheritdoc cref="ExportComplianceEventsTo"/>
    public ValueTask ExportComplianceEventsToAsync(Stream destination, string format = "jsonl", IProgress<long>? progress = null,
        CancellationToken cancellationToken = default) =>
        _exporter.ExportComplianceEventsAsync(destination, format, progress, cancellationToken);
}
