using System.Text.Json.Nodes;
using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Export;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Interop.OpenLineage;
using Ciaf.Metadata.Search;
using Ciaf.Metadata.Storage;
using Microsoft.Extensions.Logging;

namespace Ciaf.Metadata.Transfer;

/// <summary>
/// Exports records and compliance events, streamed (one record in memory at a time, the backend's unsorted scan),
/// through <see cref="ExportFile"/>. Records are written as stored: encrypted sensitive values stay encrypted, so the
/// export leaks nothing and every exported hash verifies (and re-imports) without the key.
/// </summary>
internal sealed class Exporter(StoreCore core)
{
    /// <summary>The record export formats.</summary>
    public static readonly IReadOnlyList<string> RecordFormats = ["json", "jsonl", "csv", "xml", "parquet", OpenLineageFormat];

    /// <summary>The export format that writes OpenLineage RunEvents (JSON lines) instead of records (docs/interop.md).</summary>
    public const string OpenLineageFormat = "openlineage";

    /// <summary>The compliance event export formats.</summary>
    public static readonly IReadOnlyList<string> ComplianceEventFormats = ["json", "jsonl", "csv"];

    private static readonly string[] ComplianceEventColumns =
        ["id", "metadata_id", "framework", "compliance_score", "validation_status", "timestamp", "details"];

    private readonly StoreCore _core = core;

    /// <summary>
    /// Exports a model's records (or all) to a file; see <c>MetadataStorage.ExportMetadata</c>. With a search
    /// <c>filter</c> (checked before anything is written), only the records matching it.
    /// </summary>
    public async ValueTask<string> ExportRecordsAsync(string? modelName, string format, string? outputPath, IProgress<long>? progress,
        CancellationToken cancellationToken, string? filter = null)
    {
        format = CheckRecordExport(modelName, format, null);
        var node = filter is null ? null : FilterParser.Parse(filter, FilterSchema.Records, null, PythonTimestamp.Now(_core.Clock));
        // Pending buffered writes become durable first, so the backend scan sees everything saved before the call.
        await _core.FlushAsync(cancellationToken).ConfigureAwait(false);
        string path = await ExportFile.WriteAsync(_core.Backend.StoragePath, (modelName ?? (node is null ? "all" : "search")) + "_metadata",
            format == OpenLineageFormat ? "openlineage.jsonl" : format, outputPath, _core.Clock,
            (stream, ct) => WriteRecordsAsync(stream, modelName, format, progress, ct, node), cancellationToken).ConfigureAwait(false);
        AuditExport("metadata", modelName, format, path);
        return path;
    }

    /// <summary>Exports a model's records (or all) to <paramref name="destination"/> (left open); see <c>MetadataStorage.ExportMetadataTo</c>.</summary>
    public async ValueTask ExportRecordsAsync(Stream destination, string? modelName, string format, IProgress<long>? progress,
        CancellationToken cancellationToken, string? filter = null)
    {
        format = CheckRecordExport(modelName, format, destination);
        var node = filter is null ? null : FilterParser.Parse(filter, FilterSchema.Records, null, PythonTimestamp.Now(_core.Clock));
        await _core.FlushAsync(cancellationToken).ConfigureAwait(false);
        await WriteRecordsAsync(destination, modelName, format, progress, cancellationToken, node).ConfigureAwait(false);
        AuditExport("metadata", modelName, format, null);
    }

    /// <summary>Exports every compliance event to <paramref name="destination"/> (left open); see <c>MetadataStorage.ExportComplianceEventsTo</c>.</summary>
    public async ValueTask ExportComplianceEventsAsync(Stream destination, string format, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        format = CheckEventExport(format);
        await _core.FlushAsync(cancellationToken).ConfigureAwait(false);
        await WriteComplianceEventsAsync(destination, format, progress, cancellationToken).ConfigureAwait(false);
        AuditExport("compliance_events", null, format, null);
    }

    /// <summary>Exports every compliance event to a file; see <c>MetadataStorage.ExportComplianceEvents</c>.</summary>
    public async ValueTask<string> ExportComplianceEventsAsync(string format, string? outputPath, IProgress<long>? progress,
        CancellationToken cancellationToken)
    {
        format = CheckEventExport(format);
        await _core.FlushAsync(cancellationToken).ConfigureAwait(false);
        // The audit trail exports the same way (ExportAuditTrail, stem "audit_trail").
        string path = await ExportFile.WriteAsync(_core.Backend.StoragePath, "compliance_events", format, outputPath, _core.Clock,
            (stream, ct) => WriteComplianceEventsAsync(stream, format, progress, ct), cancellationToken).ConfigureAwait(false);
        AuditExport("compliance_events", null, format, path);
        return path;
    }

    private async Task WriteComplianceEventsAsync(Stream stream, string format, IProgress<long>? progress, CancellationToken ct)
    {
        var events = _core.Events.QueryComplianceEventsAsync(new ComplianceEventQuery(), ct);
        var counter = new ProgressCounter(progress);
        if (format == "csv")
        {
            await using var csv = CsvExportWriter.CreateCsvWriter(stream);
            foreach (var column in ComplianceEventColumns) csv.WriteField(column);
            await csv.NextRecordAsync().ConfigureAwait(false);
            await foreach (var ev in events.ConfigureAwait(false))
            {
                csv.WriteField(CsvExportWriter.Neutralize(ev.Id));
                csv.WriteField(CsvExportWriter.Neutralize(ev.MetadataId));
                csv.WriteField(CsvExportWriter.Neutralize(ev.Framework));
                csv.WriteField(ev.ComplianceScore is { } score ? PythonJson.FormatFloat(score) : null);
                csv.WriteField(CsvExportWriter.Neutralize(ev.ValidationStatus));
                csv.WriteField(PythonTimestamp.Format(ev.Timestamp));
                csv.WriteField(CsvExportWriter.Neutralize(ev.Details));
                await csv.NextRecordAsync().ConfigureAwait(false);
                counter.Add();
            }
            await csv.FlushAsync().ConfigureAwait(false);
            counter.Complete();
            return;
        }
        await using var writer = new JsonExportWriter(stream, lines: format == "jsonl");
        await foreach (var ev in events.ConfigureAwait(false))
        {
            await writer.WriteObjectAsync(RecordJson.ToJsonObject(ev), ct).ConfigureAwait(false);
            counter.Add();
        }
        await writer.CompleteAsync(ct).ConfigureAwait(false);
        counter.Complete();
    }

    // With a filter, evaluated in memory over the scan (the reference semantics, as stored): memory stays flat.
    private async Task WriteRecordsAsync(Stream stream, string? modelName, string format, IProgress<long>? progress, CancellationToken ct, FilterNode? filter = null)
    {
        if (format == OpenLineageFormat)
        {
            // Ordered and with each record's parent and ledger leaf: its own writer (Interop/OpenLineage).
            await new OpenLineageExport(_core, _core.Options.OpenLineage ?? new OpenLineageOptions()).WriteAsync(stream, modelName, filter, progress, ct)
                .ConfigureAwait(false);
            return;
        }
        IReadOnlyList<string> columns = [];
        if (format == "csv")
        {
            // First pass: the union of the metadata columns, so one header fits every row.
            var collector = new CsvExportWriter.ColumnCollector();
            await foreach (var entry in _core.ScanStoredAsync(modelName, ct).ConfigureAwait(false))
            {
                if (entry.Record is { } r && (filter is null || FilterEvaluator.Matches(filter, r))) collector.Add(r.Metadata);
            }
            columns = collector.Columns;
        }
        IRecordExportWriter writer = format switch
        {
            "json" => new JsonExportWriter(stream, lines: false),
            "jsonl" => new JsonExportWriter(stream, lines: true),
            "csv" => new CsvExportWriter(stream, columns, (record, column) => _core.Logger.LogWarning(
                "Record {Id} was written during the CSV export and has a column ({Column}) the header lacks; that cell is left out", record.Id, column)),
            "xml" => new XmlExportWriter(stream),
            "parquet" => new ParquetExportWriter(stream, _core.Options.ExportBatchSize),
            _ => throw new ArgumentException($"Unknown export format '{format}'.", nameof(format)),
        };
        var counter = new ProgressCounter(progress);
        await using (writer.ConfigureAwait(false))
        {
            await foreach (var entry in _core.ScanStoredAsync(modelName, ct).ConfigureAwait(false))
            {
                if (entry.Record is not { } r || (filter is not null && !FilterEvaluator.Matches(filter, r))) continue;
                await writer.WriteAsync(r, ct).ConfigureAwait(false);
                counter.Add();
            }
            await writer.CompleteAsync(ct).ConfigureAwait(false);
        }
        counter.Complete();
    }

    private string CheckRecordExport(string? modelName, string format, Stream? destination)
    {
        if (modelName is not null) NameRules.Validate(modelName, nameof(modelName));
        format = (format ?? string.Empty).Trim().ToLowerInvariant();
        if (!RecordFormats.Contains(format))
            throw new ArgumentException($"Unknown export format '{format}'. Valid: {string.Join(", ", RecordFormats)}.", nameof(format));
        if (destination is { CanWrite: false }) throw new ArgumentException("The destination stream cannot be written.", nameof(destination));
        // Parquet writes its footer with offsets into the file: it needs a stream that knows its position.
        if (destination is { CanSeek: false } && format == "parquet")
            throw new ArgumentException("A parquet export needs a seekable stream (a file or a MemoryStream); use jsonl or csv to stream into a response.", nameof(destination));
        _core.ThrowIfDisposed();
        return format;
    }

    private string CheckEventExport(string format)
    {
        format = (format ?? string.Empty).Trim().ToLowerInvariant();
        if (!ComplianceEventFormats.Contains(format))
            throw new ArgumentException($"Unknown compliance event export format '{format}'. Valid: {string.Join(", ", ComplianceEventFormats)}.", nameof(format));
        _core.ThrowIfDisposed();
        return format;
    }

    private void AuditExport(string kind, string? modelName, string format, string? path)
    {
        if (!_core.Options.AuditAllAccess) return;
        var details = new JsonObject { ["kind"] = kind, ["format"] = format };
        if (kind == "metadata") details["model_name"] = modelName;
        details[path is null ? "destination" : "path"] = path ?? "stream";
        _core.Audit(AuditActions.Export, null, details);
    }
}
