using System.Globalization;
using System.Text;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;
using Microsoft.Extensions.Logging;

namespace Ciaf.Metadata;

public sealed partial class MetadataStorage
{
    /// <summary>The export formats this version writes: <c>json</c>, <c>jsonl</c>, <c>csv</c>, <c>xml</c>, <c>parquet</c>.</summary>
    public static IReadOnlyList<string> ExportFormats { get; } = ["json", "jsonl", "csv", "xml", "parquet"];

    /// <summary>
    /// Exports every record of a model (or of the store when <paramref name="modelName"/> is <c>null</c>), with
    /// no cap, streaming record by record so memory stays flat however large the store. Returns the file
    /// written: by default a new file under <c>&lt;store&gt;/exports/</c> whose name never collides with an
    /// earlier export. Buffered writes are flushed first. Order: the backend's storage order (SQLite: oldest
    /// first; file backends: model by model, in file-name order). Formats: see <c>docs/operations.md</c>.
    /// </summary>
    /// <param name="modelName">The model, or <c>null</c> for all.</param>
    /// <param name="format"><c>json</c> (an array, as the reference writes), <c>jsonl</c> (one record per line),
    /// <c>csv</c> (one header, metadata flattened to <c>metadata.a.b</c> columns, formulas neutralized),
    /// <c>xml</c> (keys as escaped attributes) or <c>parquet</c> (typed columns, metadata as JSON).</param>
    /// <param name="outputPath">Where to write (replaced if it exists); <c>null</c> for the exports folder.</param>
    /// <exception cref="ArgumentException">Unknown format or invalid model name.</exception>
    public string ExportMetadata(string? modelName = null, string format = "json", string? outputPath = null) =>
        SyncOverAsync.Run(ExportMetadataAsync(modelName, format, outputPath));

    /// <inheritdoc cref="ExportMetadata"/>
    public ValueTask<string> ExportMetadataAsync(string? modelName = null, string format = "json", string? outputPath = null,
        CancellationToken cancellationToken = default)
    {
        if (modelName is not null) NameRules.Validate(modelName, nameof(modelName));
        format = (format ?? string.Empty).Trim().ToLowerInvariant();
        if (!ExportFormats.Contains(format))
            throw new ArgumentException($"Unknown export format '{format}'. Valid: {string.Join(", ", ExportFormats)}.", nameof(format));
        ThrowIfDisposed();
        return ExportRecordsAsync(modelName, format, outputPath, cancellationToken);
    }

    /// <summary>
    /// Removes records older than their retention, judged by each record's own timestamp: ordinary
    /// records older than <paramref name="daysOld"/> days (default <c>metadata_retention_days</c>), and
    /// compliance-stage records and compliance events older than <c>compliance_retention_days</c>
    /// (never less than <paramref name="daysOld"/>).
    /// </summary>
    /// <returns>How many records and compliance events were removed.</returns>
    public int CleanupOldMetadata(int? daysOld = null) => SyncOverAsync.Run(CleanupOldMetadataAsync(daysOld));

    /// <inheritdoc cref="CleanupOldMetadata"/>
    public async ValueTask<int> CleanupOldMetadataAsync(int? daysOld = null, CancellationToken cancellationToken = default)
    {
        if (daysOld is < 0) throw new ArgumentOutOfRangeException(nameof(daysOld), daysOld, "The age must not be negative.");
        ThrowIfDisposed();
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        var now = _options.TimeProvider.GetUtcNow();
        int days = daysOld ?? _options.MetadataRetentionDays;
        var ordinaryCutoff = now.AddDays(-days);
        var complianceCutoff = now.AddDays(-Math.Max(days, _options.ComplianceRetentionDays));

        var ids = new List<string>();
        await foreach (var r in _backend.QueryAsync(new MetadataQuery { Until = ordinaryCutoff, Order = RecordOrder.OldestFirst }, cancellationToken).ConfigureAwait(false))
        {
            if (r.Stage != PipelineStages.Compliance || r.Timestamp < complianceCutoff) ids.Add(r.Id);
        }
        var eventIds = new List<string>();
        await foreach (var ev in _backend.QueryComplianceEventsAsync(new ComplianceEventQuery { Until = complianceCutoff }, cancellationToken).ConfigureAwait(false))
        {
            eventIds.Add(ev.Id);
        }
        int removed = 0;
        foreach (var chunk in ids.Chunk(1000)) removed += await _backend.DeleteAsync(chunk, cancellationToken).ConfigureAwait(false);
        foreach (var chunk in eventIds.Chunk(1000)) removed += await _backend.DeleteComplianceEventsAsync(chunk, cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("Cleanup removed {Count} item(s) older than {Days} days ({ComplianceDays} for compliance)",
            removed, days, Math.Max(days, _options.ComplianceRetentionDays));
        return removed;
    }

    private string ExportFileName(string name, string format, int n)
    {
        string stamp = _options.TimeProvider.GetUtcNow().ToString("yyyyMMdd_HHmmss", CultureInfo.InvariantCulture);
        return n == 0 ? $"{name}_metadata_{stamp}.{format}" : $"{name}_metadata_{stamp}_{n}.{format}";
    }
}
