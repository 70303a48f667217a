using System.Text.Json.Nodes;
using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Export;
using Ciaf.Metadata.Hashing;
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
    public static readonly IReadOnlyList<string> RecordFormats = ["json", "jsonl", "csv", "xml", "parquet"];

    /// <summary>The compliance event export formats.</summary>
    public static readonly IReadOnlyList<string> ComplianceEventFormats = ["json", "jsonl", "csv"];

    private static readonly string[] ComplianceEventColumns =
        ["id", "metadata_id", "framework", "compliance_score", "validation_status", "timestamp", "details"];

    private readonly StoreCore _core = core;

    /// <summary>Exports a model's records (or all); see <c>MetadataStorage.ExportMetadata</c>.</summary>
    public async ValueTask<string> ExportRecordsAsync(string? modelName, string format, string? outputPath, IProgress<long>? progress,
        CancellationToken cancellationToken)
    {
        if (modelName is not null) NameRules.Validate(modelName, nameof(modelName));
        format = (format ?? string.Empty).Trim().ToLowerInvariant();
        if (!RecordFormats.Contains(format))
            throw new ArgumentException($"Unknown export format '{format}'. Valid: {string.Join(", ", RecordFormats)}.", nameof(format));
        _core.ThrowIfDisposed();
        string path = await WriteRecordsAsync(modelName, format, outputPath, progress, cancellationToken).ConfigureAwait(false);
        if (_core.Options.AuditAllAccess) _core.Audit(AuditActions.Export, null, new JsonObject { ["kind"] = "metadata", ["model_name"] = modelName, ["format"] = format, ["path"] = path });
        return path;
    }

    public async ValueTask<string> ExportComplianceEventsAsync(string format, string? outputPath, IProgress<long>? progress,
        CancellationToken cancellationToken)
    {
        format = (format ?? string.Empty).Trim().ToLowerInvariant();
        if (!ComplianceEventFormats.Contains(format))
            throw new ArgumentException($"Unknown compliance event export format '{format}'. Valid: {string.Join(", ", ComplianceEventFormats)}.", nameof(format));
        _core.ThrowIfDisposed();
        await _core.FlushAsync(cancellationToken).ConfigureAwait(false);
        // The audit trail exports the same way (ExportAuditTrail, stem "audit_trail").
        if (_core.Options.AuditAllAccess) _core.Audit(AuditActions.Export, null, new JsonObject { ["kind"] = "compliance_events", ["format"] = format });
        return await ExportFile.WriteAsync(_core.Backend.StoragePath, "compliance_events", format, outputPath, _core.Options.TimeProvider, async (stream, ct) =>
        {
            var events = _core.Backend.QueryComplianceEventsAsync(new ComplianceEventQuery(), ct);
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
        }, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<string> WriteRecordsAsync(string? modelName, string format, string? outputPath, IProgress<long>? progress,
        CancellationToken cancellationToken)
    {
        // Pending buffered writes become durable first, so the backend scan sees everything saved before the call.
        await _core.FlushAsync(cancellationToken).ConfigureAwait(false);
        return await ExportFile.WriteAsync(_core.Backend.StoragePath, (modelName ?? "all") + "_metadata", format, outputPath, _core.Options.TimeProvider, async (stream, ct) =>
        {
            IReadOnlyList<string> columns = [];
            if (format == "csv")
            {
                // First pass: the union of the metadata columns, so one header fits every row.
                var collector = new CsvExportWriter.ColumnCollector();
                await foreach (var entry in _core.ScanStoredAsync(modelName, ct).ConfigureAwait(false))
                {
                    if (entry.Record is { } r) collector.Add(r.Metadata);
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
                    if (entry.Record is not { } r) continue;
                    await writer.WriteAsync(r, ct).ConfigureAwait(false);
                    counter.Add();
                }
                await writer.CompleteAsync(ct).ConfigureAwait(false);
            }
            counter.Complete();
        }, cancellationToken).ConfigureAwait(false);
    }
}
