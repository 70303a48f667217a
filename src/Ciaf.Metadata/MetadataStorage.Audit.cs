using System.Globalization;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Encryption;
using Ciaf.Metadata.Export;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;
using Microsoft.Extensions.Logging;

namespace Ciaf.Metadata;

// Access audit and transparent decryption.
//
// Audit entries are built on the caller's thread (an id, a timestamp, a small JSON object) and handed to
// the AuditWriter, which writes them in batches on its own task: an audited read does no audit I/O.
// With AuditAllAccess, saves (when durable), reads, queries and exports are audited; removals by cleanup
// and legal-hold changes are always audited, and made durable before the call returns.
public sealed partial class MetadataStorage
{
    /// <summary>The environment variable naming the user in audit entries when none is configured.</summary>
    public const string UserEnvironmentVariable = "CIAF_USER";

    private const int AuditBatchSize = 500;

    private readonly string _userId;

    /// <summary>The user written in audit entries and legal holds: <see cref="MetadataStorageOptions.UserId"/>, else <c>CIAF_USER</c>, else the OS user.</summary>
    public string UserId => _userId;

    /// <summary>Whether every access is audited (<see cref="MetadataStorageOptions.AuditAllAccess"/>).</summary>
    public bool AuditAllAccess => _options.AuditAllAccess;

    /// <summary>
    /// The audit trail, newest first by default, filtered by <paramref name="filter"/> (record, action, user,
    /// time range, limit). This instance's buffered writes and audit entries are flushed first, so they are included.
    /// </summary>
    /// <exception cref="MetadataStorageException">Pending audit entries could not be written, or the trail could not be read.</exception>
    public IReadOnlyList<AuditEntry> GetAuditTrail(AuditQuery? filter = null) => SyncOverAsync.Run(GetAuditTrailAsync(filter));

    /// <inheritdoc cref="GetAuditTrail"/>
    public async ValueTask<IReadOnlyList<AuditEntry>> GetAuditTrailAsync(AuditQuery? filter = null, CancellationToken cancellationToken = default)
    {
        if (filter?.Limit is < 0) throw new ArgumentOutOfRangeException(nameof(filter), filter.Limit, "AuditQuery.Limit must not be negative.");
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        var result = new List<AuditEntry>();
        await foreach (var entry in _backend.QueryAuditAsync(filter ?? new AuditQuery(), cancellationToken).ConfigureAwait(false))
        {
            result.Add(entry);
        }
        return result;
    }

    /// <summary>The formats <see cref="ExportAuditTrail"/> writes: <c>json</c>, <c>jsonl</c>, <c>csv</c>.</summary>
    public static IReadOnlyList<string> AuditExportFormats { get; } = ["json", "jsonl", "csv"];

    private static readonly string[] AuditColumns = ["id", "parent_id", "action", "timestamp", "user_id", "details"];

    /// <summary>
    /// Exports the audit trail (oldest first, filtered by <paramref name="filter"/>) to a new file under
    /// <c>&lt;store&gt;/exports/</c> (<c>audit_trail_&lt;time&gt;.&lt;format&gt;</c>, never colliding) or to
    /// <paramref name="outputPath"/>. Each entry is <c>{id, parent_id, action, timestamp, user_id, details}</c>,
    /// the <c>audit_trail</c> columns; CSV cells a spreadsheet would run as formulas are neutralized.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown format.</exception>
    public string ExportAuditTrail(string format = "jsonl", string? outputPath = null, AuditQuery? filter = null) =>
        SyncOverAsync.Run(ExportAuditTrailAsync(format, outputPath, filter));

    /// <inheritdoc cref="ExportAuditTrail"/>
    public async ValueTask<string> ExportAuditTrailAsync(string format = "jsonl", string? outputPath = null, AuditQuery? filter = null,
        CancellationToken cancellationToken = default)
    {
        format = (format ?? string.Empty).Trim().ToLowerInvariant();
        if (!AuditExportFormats.Contains(format))
            throw new ArgumentException($"Unknown audit export format '{format}'. Valid: {string.Join(", ", AuditExportFormats)}.", nameof(format));
        ThrowIfDisposed();
        if (_options.AuditAllAccess) Audit(AuditActions.Export, null, new JsonObject { ["kind"] = "audit_trail", ["format"] = format });
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        var query = (filter ?? new AuditQuery()) with { Order = RecordOrder.OldestFirst };
        return await WriteExportFileAsync("audit_trail", format, outputPath, async (stream, ct) =>
        {
            var entries = _backend.QueryAuditAsync(query, ct);
            if (format == "csv")
            {
                await using var csv = new CsvHelper.CsvWriter(new StreamWriter(stream, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true),
                    new CsvHelper.Configuration.CsvConfiguration(CultureInfo.InvariantCulture) { InjectionOptions = CsvHelper.Configuration.InjectionOptions.None, NewLine = "\r\n" });
                foreach (var column in AuditColumns) csv.WriteField(column);
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

    /// <summary>Queues one audit entry (no I/O here). <paramref name="details"/> must never hold metadata values.</summary>
    internal void Audit(string action, string? parentId, JsonObject? details, string? id = null, DateTimeOffset? at = null)
    {
        var timestamp = at ?? PythonTimestamp.Now(_options.TimeProvider);
        _audit.Enqueue(new AuditEntry(id ?? Guid.CreateVersion7(timestamp).ToString(), parentId, action, timestamp, _userId, details?.ToJsonString()));
    }

    /// <summary>Makes every audit entry queued so far durable (for removals and holds, which must not be lost).</summary>
    private ValueTask FlushAuditAsync(CancellationToken cancellationToken) => _audit.FlushAsync(cancellationToken);

    private void AuditSaves(WriteBatch batch)
    {
        foreach (var r in batch.Records)
        {
            // Dated when the save was made (the record's timestamp), not when a buffered write reached the disk.
            Audit(AuditActions.Save, r.Id, new JsonObject { ["model_name"] = r.ModelName, ["stage"] = r.Stage, ["event_type"] = r.EventType }, at: r.Timestamp);
        }
        foreach (var ev in batch.Events)
        {
            Audit(AuditActions.Save, ev.Id, new JsonObject { ["kind"] = "compliance_event", ["metadata_id"] = ev.MetadataId, ["framework"] = ev.Framework }, at: ev.Timestamp);
        }
    }

    private void AuditQuery(MetadataQuery query, int results)
    {
        var details = new JsonObject { ["kind"] = "metadata" };
        if (query.ModelName is not null) details["model_name"] = query.ModelName;
        if (query.Stage is not null) details["stage"] = query.Stage;
        if (query.Since is { } since) details["since"] = PythonTimestamp.Format(since);
        if (query.Until is { } until) details["until"] = PythonTimestamp.Format(until);
        if (query.Limit is { } limit) details["limit"] = limit;
        details["results"] = results;
        Audit(AuditActions.Query, null, details);
    }

    private void AuditQuery(ComplianceEventQuery query, int results)
    {
        var details = new JsonObject { ["kind"] = "compliance_events" };
        if (query.Framework is not null) details["framework"] = query.Framework;
        if (query.MetadataId is not null) details["metadata_id"] = query.MetadataId;
        if (query.Since is { } since) details["since"] = PythonTimestamp.Format(since);
        if (query.Until is { } until) details["until"] = PythonTimestamp.Format(until);
        if (query.Limit is { } limit) details["limit"] = limit;
        details["results"] = results;
        Audit(AuditActions.Query, query.MetadataId, details);
    }

    /// <summary>The record as callers see it: sensitive values decrypted when a key is configured, markers as stored otherwise.</summary>
    /// <exception cref="MetadataEncryptionException">A value was encrypted with another key, or altered.</exception>
    private MetadataRecord Decrypt(MetadataRecord record)
    {
        if (_cipher is null) return record;
        var metadata = _cipher.Decrypt(record.Metadata, record.Id);
        return ReferenceEquals(metadata, record.Metadata) ? record : record with { Metadata = metadata };
    }

    private MetadataRecord DecryptHookRecord(MetadataRecord record)
    {
        try
        {
            return Decrypt(Clone(record));
        }
        catch (MetadataEncryptionException ex)
        {
            _logger.LogError(ex, "A saved hook gets record {Id} in its stored (encrypted) form", record.Id);
            return Clone(record);
        }
    }

    private static string ResolveUser(MetadataStorageOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.UserId)) return options.UserId;
        string? fromEnvironment = Environment.GetEnvironmentVariable(UserEnvironmentVariable);
        return string.IsNullOrWhiteSpace(fromEnvironment) ? Environment.UserName : fromEnvironment;
    }

    private static SensitiveDataCipher? CreateCipher(MetadataStorageOptions options, ILogger logger)
    {
        byte[]? key = options.EncryptionKey;
        if (key is null && !string.IsNullOrWhiteSpace(options.EncryptionKeyPath))
        {
            string path = Path.GetFullPath(options.EncryptionKeyPath);
            try
            {
                key = MetadataEncryption.LoadKey(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                throw new ArgumentException(
                    $"EncryptionKeyPath (encryption_key_path / CIAF_ENCRYPTION_KEY): the key file '{path}' cannot be used: {ex.Message}",
                    nameof(options), ex);
            }
            WarnIfReadableByOthers(path, logger);
        }
        return key is null ? null : new SensitiveDataCipher(key, options.SensitiveFields);
    }

    private static void WarnIfReadableByOthers(string path, ILogger logger)
    {
        if (OperatingSystem.IsWindows()) return;
        const UnixFileMode others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;
        if ((File.GetUnixFileMode(path) & others) != 0)
        {
            logger.LogWarning("The encryption key file {Path} can be read by other users; restrict it to its owner (chmod 600)", path);
        }
    }
}
