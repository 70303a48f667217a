using System.Text.Json.Nodes;
using Ciaf.Metadata.Export;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;

namespace Ciaf.Metadata.Audit;

/// <summary>
/// The access audit trail: reading and exporting it, and the entries that describe queries. Entries are built on the
/// caller's thread (an id, a timestamp, a small JSON object) and queued on the core's <see cref="AuditWriter"/>, which
/// writes them in batches on its own task: an audited read does no audit I/O.
/// </summary>
internal sealed class AuditTrail(StoreCore core)
{
    /// <summary>The formats <see cref="ExportAsync"/> writes.</summary>
    public static readonly IReadOnlyList<string> ExportFormats = ["json", "jsonl", "csv"];

    private static readonly string[] Columns = ["id", "parent_id", "action", "timestamp", "user_id", "details"];

    /// <summary>The entries matching <paramref name="filter"/>, this instance's writes and audit entries flushed first.</summary>
    public async ValueTask<IReadOnlyList<AuditEntry>> GetAsync(AuditQuery? filter, Func<CancellationToken, ValueTask> flush, CancellationToken cancellationToken)
    {
        if (filter?.Limit is < 0) throw new ArgumentOutOfRangeException(nameof(filter), filter.Limit, "AuditQuery.Limit must not be negative.");
        await flush(cancellationToken).ConfigureAwait(false);
        var result = new List<AuditEntry>();
        await foreach (var entry in core.AuditLog.QueryAuditAsync(filter ?? new AuditQuery(), cancellationToken).ConfigureAwait(false))
        {
            result.Add(entry);
        }
        return result;
    }

    /// <summary>Writes the trail (oldest first, filtered) to a file; see <c>MetadataStorage.ExportAuditTrail</c>.</summary>
    public async ValueTask<string> ExportAsync(string format, string? outputPath, AuditQuery? filter, Func<CancellationToken, ValueTask> flush,
        CancellationToken cancellationToken)
    {
        format = (format ?? string.Empty).Trim().ToLowerInvariant();
        if (!ExportFormats.Contains(format))
            throw new ArgumentException($"Unknown audit export format '{format}'. Valid: {string.Join(", ", ExportFormats)}.", nameof(format));
        core.ThrowIfDisposed();
        if (core.Options.AuditAllAccess) core.Audit(AuditActions.Export, null, new JsonObject { ["kind"] = "audit_trail", ["format"] = format });
        await flush(cancellationToken).ConfigureAwait(false);
        var query = (filter ?? new AuditQuery()) with { Order = RecordOrder.OldestFirst };
        return await ExportFile.WriteAsync(core.Backend.StoragePath, "audit_trail", format, outputPath, core.Clock, async (stream, ct) =>
        {
            var entries = core.AuditLog.QueryAuditAsync(query, ct);
            if (format == "csv")
            {
                await using var csv = CsvExportWriter.CreateCsvWriter(stream);
                foreach (var column in Columns) csv.WriteField(column);
                await csv.NextRecordAsync().ConfigureAwait(false);
                await foreach (var e in entries.ConfigureAwait(false))
                {
                    csv.WriteField(CsvExportWriter.Neutralize(e.Id));
                    csv.WriteField(CsvExportWriter.Neutralize(e.ParentId));
                    csv.WriteField(CsvExportWriter.Neutralize(e.Action));
                    csv.WriteField(PythonTimestamp.Format(e.Timestamp));
                    csv.WriteField(CsvExportWriter.Neutralize(e.UserId));
                    csv.WriteField(CsvExportWriter.Neutralize(e.Details));
                    await csv.NextRecordAsync().ConfigureAwait(false);
                }
                await csv.FlushAsync().ConfigureAwait(false);
                return;
            }
            await using var writer = new JsonExportWriter(stream, lines: format == "jsonl");
            await foreach (var e in entries.ConfigureAwait(false))
            {
                await writer.WriteObjectAsync(new JsonObject
                {
                    ["id"] = e.Id, ["parent_id"] = e.ParentId, ["action"] = e.Action, ["timestamp"] = PythonTimestamp.Format(e.Timestamp),
                    ["user_id"] = e.UserId, ["details"] = e.Details,
                }, ct).ConfigureAwait(false);
            }
            await writer.CompleteAsync(ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Audits a records query with how many records it returned.</summary>
    public void Query(MetadataQuery query, int results)
    {
        var details = new JsonObject { ["kind"] = "metadata" };
        if (query.ModelName is not null) details["model_name"] = query.ModelName;
        if (query.Stage is not null) details["stage"] = query.Stage;
        AddRange(details, query.Since, query.Until, query.Limit, results);
        core.Audit(AuditActions.Query, null, details);
    }

    /// <summary>Audits a compliance events query with how many events it returned.</summary>
    public void Query(ComplianceEventQuery query, int results)
    {
        var details = new JsonObject { ["kind"] = "compliance_events" };
        if (query.Framework is not null) details["framework"] = query.Framework;
        if (query.MetadataId is not null) details["metadata_id"] = query.MetadataId;
        AddRange(details, query.Since, query.Until, query.Limit, results);
        core.Audit(AuditActions.Query, query.MetadataId, details);
    }

    /// <summary>Audits a search with how many results it returned.</summary>
    public void Search(string filter, int results)
    {
        var details = new JsonObject { ["kind"] = "search", ["filter"] = filter, ["results"] = results };
        core.Audit(AuditActions.Query, null, details);
    }

    private static void AddRange(JsonObject details, DateTimeOffset? since, DateTimeOffset? until, int? limit, int results)
    {
        if (since is { } s) details["since"] = PythonTimestamp.Format(s);
        if (until is { } u) details["until"] = PythonTimestamp.Format(u);
        if (limit is { } l) details["limit"] = l;
        details["results"] = results;
    }
}
