using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Backends.Files;
using Ciaf.Metadata.Export;
using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Transfer;
using Microsoft.Extensions.Logging;

namespace Ciaf.Metadata;

// Export, import, migration, backup, restore and verification: everything that moves a whole store.
// Reads go through the backend's unsorted scan (IRecordScanBackend) so memory stays flat; writes of
// fully-formed records (ids, timestamps and hashes kept) go through the writer like any save.
public sealed partial class MetadataStorage
{
    /// <summary>The formats <see cref="ExportComplianceEvents(string, string?)"/> writes: <c>json</c>, <c>jsonl</c>, <c>csv</c>.</summary>
    public static IReadOnlyList<string> ComplianceEventExportFormats { get; } = ["json", "jsonl", "csv"];

    /// <summary>
    /// How often the <see cref="IProgress{T}"/> overloads of export and import report: every this many items,
    /// and once more at the end with the total.
    /// </summary>
    public const int TransferProgressInterval = 100;

    /// <summary>How many records <see cref="MigrateTo(MetadataStorage, IProgress{MigrationProgress}?)"/> reads back from the target and compares field by field.</summary>
    public const int MigrationSampleSize = 200;

    /// <summary>The longest id an import accepts (a store's own ids are 36-character UUIDs).</summary>
    private const int MaxImportedIdLength = 128;

    private static readonly string[] ComplianceEventColumns =
        ["id", "metadata_id", "framework", "compliance_score", "validation_status", "timestamp", "details"];

    // ------------------------------------------------------------------ export

    /// <summary>
    /// Exports every compliance event (newest first) to a new file under <c>&lt;store&gt;/exports/</c>
    /// (<c>compliance_events_&lt;time&gt;.&lt;format&gt;</c>, never colliding) or to <paramref name="outputPath"/>.
    /// The reference's event dicts: <c>{id, metadata_id, framework, compliance_score, validation_status, timestamp, details}</c>.
    /// A json or jsonl export of events is read back by <see cref="ImportMetadata(string)"/>.
    /// </summary>
    /// <param name="format"><c>json</c>, <c>jsonl</c> or <c>csv</c>.</param>
    /// <param name="outputPath">Where to write; <c>null</c> for the exports folder.</param>
    /// <exception cref="ArgumentException">Unknown format.</exception>
    public string ExportComplianceEvents(string format = "json", string? outputPath = null) =>
        SyncOverAsync.Run(ExportComplianceEventsAsync(format, outputPath, progress: null));

    /// <inheritdoc cref="ExportComplianceEvents(string, string?)"/>
    /// <param name="format"><c>json</c>, <c>jsonl</c> or <c>csv</c>.</param>
    /// <param name="outputPath">Where to write; <c>null</c> for the exports folder.</param>
    /// <param name="progress">Told how many events have been written so far: every
    /// <see cref="TransferProgressInterval"/> events and once at the end with the total.</param>
    public string ExportComplianceEvents(string format, string? outputPath, IProgress<long>? progress) =>
        SyncOverAsync.Run(ExportComplianceEventsAsync(format, outputPath, progress));

    /// <inheritdoc cref="ExportComplianceEvents(string, string?)"/>
    public ValueTask<string> ExportComplianceEventsAsync(string format = "json", string? outputPath = null,
        CancellationToken cancellationToken = default) =>
        ExportComplianceEventsAsync(format, outputPath, progress: null, cancellationToken);

    /// <inheritdoc cref="ExportComplianceEvents(string, string?, IProgress{long}?)"/>
    /// <param name="format"><c>json</c>, <c>jsonl</c> or <c>csv</c>.</param>
    /// <param name="outputPath">Where to write; <c>null</c> for the exports folder.</param>
    /// <param name="progress">Told how many events have been written so far.</param>
    /// <param name="cancellationToken">Cancels the export; the partial temporary file is removed.</param>
    public async ValueTask<string> ExportComplianceEventsAsync(string format, string? outputPath, IProgress<long>? progress,
        CancellationToken cancellationToken = default)
    {
        format = (format ?? string.Empty).Trim().ToLowerInvariant();
        if (!ComplianceEventExportFormats.Contains(format))
            throw new ArgumentException($"Unknown compliance event export format '{format}'. Valid: {string.Join(", ", ComplianceEventExportFormats)}.", nameof(format));
        ThrowIfDisposed();
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        // The audit trail exports the same way (ExportAuditTrail, stem "audit_trail").
        if (_options.AuditAllAccess) Audit(AuditActions.Export, null, new JsonObject { ["kind"] = "compliance_events", ["format"] = format });
        return await ExportFile.WriteAsync(StoragePath, "compliance_events", format, outputPath, _options.TimeProvider, async (stream, ct) =>
        {
            var events = _backend.QueryComplianceEventsAsync(new ComplianceEventQuery(), ct);
            var counter = new ProgressCounter(progress);
            if (format == "csv")
            {
                await using var csv = new CsvHelper.CsvWriter(new StreamWriter(stream, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true),
                    new CsvHelper.Configuration.CsvConfiguration(CultureInfo.InvariantCulture) { InjectionOptions = CsvHelper.Configuration.InjectionOptions.None, NewLine = "\r\n" });
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

    private async ValueTask<string> ExportRecordsAsync(string? modelName, string format, string? outputPath, IProgress<long>? progress,
        CancellationToken cancellationToken)
    {
        // Pending buffered writes become durable first, so the backend scan sees everything saved before the call.
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        return await ExportFile.WriteAsync(StoragePath, (modelName ?? "all") + "_metadata", format, outputPath, _options.TimeProvider, async (stream, ct) =>
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
                "csv" => new CsvExportWriter(stream, columns, (record, column) => _logger.LogWarning(
                    "Record {Id} was written during the CSV export and has a column ({Column}) the header lacks; that cell is left out", record.Id, column)),
                "xml" => new XmlExportWriter(stream),
                "parquet" => new ParquetExportWriter(stream, _options.ExportBatchSize),
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

    // ------------------------------------------------------------------ import

    /// <summary>
    /// Imports a <c>json</c> or <c>jsonl</c> export (ours, or the reference's <c>json</c> export), keeping every
    /// record's id, timestamp and hash. Each record's hash is recomputed from its metadata: a record whose hash
    /// does not match, or whose id the store already holds with different content, is reported in
    /// <see cref="ImportResult.Mismatched"/> and not written. A record already present and identical is
    /// skipped, so importing a file twice adds nothing. Compliance events in the file (an
    /// <see cref="ExportComplianceEvents(string, string?)"/> export) are imported too. Validators and the size limit do not
    /// apply (the records are history, not new payloads); names are checked as for any save, and ids must be non-empty
    /// (at most 128 characters, no control characters): an entry breaking a rule is listed in <see cref="ImportResult.Errors"/>
    /// and the rest is imported.
    /// <para>
    /// Into a store that encrypts sensitive fields, a record holding one of them in plaintext is not imported by default
    /// (it is listed in <see cref="ImportResult.Errors"/>): its <c>metadata_hash</c> covers the plaintext, so it cannot be
    /// encrypted without changing the hash that proves it. Pass <c>allowPlaintextSensitiveData</c> to import such records
    /// as they are (counted in <see cref="ImportResult.PlaintextSensitiveImported"/> and logged as a warning).
    /// </para>
    /// </summary>
    /// <param name="path">The export file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="MetadataStorageException">The backend failed to write.</exception>
    public ImportResult ImportMetadata(string path) => SyncOverAsync.Run(ImportMetadataAsync(path, progress: null));

    /// <inheritdoc cref="ImportMetadata(string)"/>
    /// <param name="path">The export file.</param>
    /// <param name="progress">Told how many entries of the file (records, events, unreadable entries) have been
    /// processed so far: every <see cref="TransferProgressInterval"/> entries and once at the end with the total.</param>
    public ImportResult ImportMetadata(string path, IProgress<long>? progress) => SyncOverAsync.Run(ImportMetadataAsync(path, progress));

    /// <inheritdoc cref="ImportMetadata(string)"/>
    public ValueTask<ImportResult> ImportMetadataAsync(string path, CancellationToken cancellationToken = default) =>
        ImportMetadataAsync(path, progress: null, cancellationToken);

    /// <inheritdoc cref="ImportMetadata(string, IProgress{long}?)"/>
    /// <param name="path">The export file.</param>
    /// <param name="progress">Told how many entries of the file have been processed so far.</param>
    /// <param name="cancellationToken">Cancels the import: batches already written stay (each is whole), and
    /// importing the file again completes it, skipping what is already there.</param>
    public ValueTask<ImportResult> ImportMetadataAsync(string path, IProgress<long>? progress, CancellationToken cancellationToken = default) =>
        ImportMetadataAsync(path, allowPlaintextSensitiveData: false, progress, cancellationToken);

    /// <inheritdoc cref="ImportMetadata(string, IProgress{long}?)"/>
    /// <param name="path">The export file.</param>
    /// <param name="allowPlaintextSensitiveData">Import records that hold sensitive fields in plaintext into a store that
    /// encrypts them, as they are (their hash proves that plaintext); false lists them as errors instead.</param>
    /// <param name="progress">Told how many entries of the file have been processed so far.</param>
    public ImportResult ImportMetadata(string path, bool allowPlaintextSensitiveData, IProgress<long>? progress = null) =>
        SyncOverAsync.Run(ImportMetadataAsync(path, allowPlaintextSensitiveData, progress));

    /// <inheritdoc cref="ImportMetadata(string, bool, IProgress{long}?)"/>
    /// <param name="path">The export file.</param>
    /// <param name="allowPlaintextSensitiveData">Import records that hold sensitive fields in plaintext into a store that
    /// encrypts them, as they are; false lists them as errors instead.</param>
    /// <param name="progress">Told how many entries of the file have been processed so far.</param>
    /// <param name="cancellationToken">Cancels the import: batches already written stay (each is whole), and
    /// importing the file again completes it, skipping what is already there.</param>
    public async ValueTask<ImportResult> ImportMetadataAsync(string path, bool allowPlaintextSensitiveData, IProgress<long>? progress,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ThrowIfDisposed();
        string full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"The import file '{full}' does not exist.", full);
        await FlushAsync(cancellationToken).ConfigureAwait(false);

        int imported = 0, skipped = 0, eventsImported = 0, eventsSkipped = 0, plaintextImported = 0;
        var mismatched = new List<ImportIssue>();
        var errors = new List<ImportIssue>();
        var batch = new Dictionary<string, MetadataRecord>(StringComparer.Ordinal);
        var eventBatch = new Dictionary<string, ComplianceEvent>(StringComparer.Ordinal);
        Dictionary<string, ComplianceEvent>? storedEvents = null;

        async ValueTask FlushBatchAsync()
        {
            if (batch.Count + eventBatch.Count == 0) return;
            await WriteStoredAsync([.. batch.Values], [.. eventBatch.Values], cancellationToken).ConfigureAwait(false);
            imported += batch.Count;
            eventsImported += eventBatch.Count;
            batch.Clear();
            eventBatch.Clear();
        }

        var counter = new ProgressCounter(progress);
        await foreach (var item in ExportFileReader.ReadAsync(full, cancellationToken).ConfigureAwait(false))
        {
            counter.Add();
            if (item.Object is not { } obj)
            {
                errors.Add(new ImportIssue(null, item.Position, item.Error ?? "unreadable"));
                continue;
            }
            string? id = obj["id"] is JsonValue idValue && idValue.GetValueKind() == JsonValueKind.String ? idValue.GetValue<string>() : null;
            if (obj.ContainsKey("metadata"))
            {
                MetadataRecord record;
                try
                {
                    record = RecordJson.FromJsonObject(obj);
                }
                catch (FormatException ex)
                {
                    errors.Add(new ImportIssue(id, item.Position, "not a valid record: " + ex.Message));
                    continue;
                }
                if (RecordProblem(record) is { } problem)
                {
                    errors.Add(new ImportIssue(id, item.Position, problem));
                    continue;
                }
                string computed = PythonJson.Hash(record.Metadata);
                if (!string.Equals(record.MetadataHash, computed, StringComparison.Ordinal))
                {
                    mismatched.Add(new ImportIssue(record.Id, item.Position, record.MetadataHash.Length == 0
                        ? $"the record has no metadata_hash (its metadata hashes to {computed})"
                        : $"metadata_hash {record.MetadataHash} does not match the metadata, which hashes to {computed}: the record was altered"));
                    continue;
                }
                // The stored form (not decrypted, not audited as a read): it is what the import file holds.
                var existing = batch.GetValueOrDefault(record.Id) ?? await _core.GetKnownAsync(record.Id, cancellationToken).ConfigureAwait(false);
                if (existing is not null)
                {
                    if (SameRecord(existing, record)) skipped++;
                    else mismatched.Add(new ImportIssue(record.Id, item.Position, "the store already holds a different record with this id; it was left unchanged"));
                    continue;
                }
                if (PlaintextSensitiveFields(record) is { Count: > 0 } plaintext)
                {
                    if (!allowPlaintextSensitiveData)
                    {
                        errors.Add(new ImportIssue(record.Id, item.Position, PlaintextRefusal(plaintext)));
                        continue;
                    }
                    plaintextImported++;
                }
                batch[record.Id] = record;
            }
            else if (obj.ContainsKey("framework"))
            {
                ComplianceEvent ev;
                try
                {
                    ev = RecordJson.ComplianceEventFromJsonObject(obj);
                }
                catch (FormatException ex)
                {
                    errors.Add(new ImportIssue(id, item.Position, "not a valid compliance event: " + ex.Message));
                    continue;
                }
                if (IdProblem(ev.Id) is { } idProblem)
                {
                    errors.Add(new ImportIssue(id, item.Position, idProblem));
                    continue;
                }
                if (string.IsNullOrWhiteSpace(ev.Framework))
                {
                    errors.Add(new ImportIssue(id, item.Position, "a compliance event needs a framework"));
                    continue;
                }
                // Compliance events are few; the stored ones are read once, on the first event met.
                storedEvents ??= await LoadComplianceEventsAsync(cancellationToken).ConfigureAwait(false);
                var existing = eventBatch.GetValueOrDefault(ev.Id) ?? storedEvents.GetValueOrDefault(ev.Id);
                if (existing is not null)
                {
                    if (existing == ev) eventsSkipped++;
                    else mismatched.Add(new ImportIssue(ev.Id, item.Position, "the store already holds a different compliance event with this id; it was left unchanged"));
                    continue;
                }
                eventBatch[ev.Id] = ev;
                storedEvents[ev.Id] = ev;
            }
            else
            {
                errors.Add(new ImportIssue(id, item.Position, "neither a record (no 'metadata') nor a compliance event (no 'framework')"));
                continue;
            }
            if (batch.Count + eventBatch.Count >= _options.ExportBatchSize) await FlushBatchAsync().ConfigureAwait(false);
        }
        await FlushBatchAsync().ConfigureAwait(false);
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        counter.Complete();
        _logger.LogInformation("Imported {Imported} record(s) from {Path}: {Skipped} already present, {Mismatched} mismatched, {Errors} error(s)",
            imported, full, skipped, mismatched.Count, errors.Count);
        if (plaintextImported > 0)
        {
            _logger.LogWarning("{Count} imported record(s) hold sensitive fields in plaintext although this store encrypts them (imported as they are, as asked)",
                plaintextImported);
        }
        if (_options.AuditAllAccess)
        {
            Audit(AuditActions.Import, null, new JsonObject
            {
                ["path"] = full, ["imported"] = imported, ["skipped"] = skipped, ["mismatched"] = mismatched.Count, ["errors"] = errors.Count,
                ["compliance_events_imported"] = eventsImported,
            });
        }
        return new ImportResult
        {
            Path = full,
            Imported = imported,
            Skipped = skipped,
            ComplianceEventsImported = eventsImported,
            ComplianceEventsSkipped = eventsSkipped,
            PlaintextSensitiveImported = plaintextImported,
            Mismatched = mismatched,
            Errors = errors,
        };
    }

    private async ValueTask<Dictionary<string, ComplianceEvent>> LoadComplianceEventsAsync(CancellationToken cancellationToken)
    {
        var events = new Dictionary<string, ComplianceEvent>(StringComparer.Ordinal);
        foreach (var ev in await GetComplianceEventsAsync(new ComplianceEventQuery(), cancellationToken).ConfigureAwait(false)) events[ev.Id] = ev;
        return events;
    }

    /// <summary>
    /// Writes fully-formed records and events (ids, timestamps and hashes kept) through the writer, as a save
    /// would: durable on return in immediate mode, queued in buffered mode. Names are validated; validators,
    /// hashing and the size limit are not applied. Idempotent by id (the backends upsert).
    /// </summary>
    /// <exception cref="ArgumentException">A record has no id or an invalid name; nothing is written.</exception>
    internal async ValueTask WriteStoredAsync(IReadOnlyList<MetadataRecord> records, IReadOnlyList<ComplianceEvent> events,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(events);
        ThrowIfDisposed();
        foreach (var record in records)
        {
            if (record is null || string.IsNullOrWhiteSpace(record.Id)) throw new ArgumentException("A record to write has no id.", nameof(records));
            if (NameProblem(record) is { } problem) throw new ArgumentException($"Record '{record.Id}': {problem}.", nameof(records));
        }
        foreach (var ev in events)
        {
            if (ev is null || string.IsNullOrWhiteSpace(ev.Id) || string.IsNullOrWhiteSpace(ev.Framework))
                throw new ArgumentException("A compliance event to write has no id or framework.", nameof(events));
        }
        if (records.Count + events.Count == 0) return;
        await _core.WriteAsync(new WriteBatch(records, events), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Why an imported record cannot be written (its id, then its names), or null. Checked per entry, so one bad
    /// entry is listed instead of failing its whole batch in the backend.
    /// </summary>
    private static string? RecordProblem(MetadataRecord record) => IdProblem(record.Id) ?? NameProblem(record);

    private static string? NameProblem(MetadataRecord record)
    {
        if (NameRules.Check(record.ModelName) is { } model) return $"invalid model_name '{record.ModelName}': {model}";
        if (NameRules.Check(record.Stage) is { } stage) return $"invalid stage '{record.Stage}': {stage}";
        if (NameRules.Check(record.EventType) is { } eventType) return $"invalid event_type '{record.EventType}': {eventType}";
        return null;
    }

    /// <summary>
    /// Why <paramref name="id"/> is not an id an import accepts, or null. Ids are made by the store (UUIDs, 36
    /// characters); imported ones must be non-empty, without control characters or surrounding whitespace, and at
    /// most <see cref="MaxImportedIdLength"/> characters, so a file backend's name for the record stays within
    /// file-system limits.
    /// </summary>
    private static string? IdProblem(string? id)
    {
        if (string.IsNullOrWhiteSpace(id)) return "the id is empty";
        if (id.Length > MaxImportedIdLength) return $"the id is {id.Length} characters long; at most {MaxImportedIdLength} are allowed";
        if (id.Any(char.IsControl)) return "the id holds control characters";
        if (id.Trim().Length != id.Length) return "the id starts or ends with whitespace";
        return null;
    }

    /// <summary>The sensitive fields <paramref name="record"/> holds in plaintext, when this store encrypts them; empty otherwise.</summary>
    private IReadOnlyCollection<string> PlaintextSensitiveFields(MetadataRecord record) =>
        _options.EncryptSensitiveData && _core.Cipher is not null ? _core.Cipher.PlaintextFields(record.Metadata) : [];

    private static string PlaintextRefusal(IReadOnlyCollection<string> fields) =>
        $"the sensitive field(s) {string.Join(", ", fields)} are in plaintext and the store encrypts them; the record's metadata_hash "
        + "covers the plaintext, so it cannot be encrypted without changing its hash: allow plaintext sensitive data "
        + "(ciaf import --allow-plaintext) to store it as it is";

    /// <summary>Every field equal, metadata compared in its stored key order.</summary>
    internal static bool SameRecord(MetadataRecord a, MetadataRecord b) =>
        string.Equals(a.Id, b.Id, StringComparison.Ordinal)
        && string.Equals(a.ModelName, b.ModelName, StringComparison.Ordinal)
        && string.Equals(a.ModelVersion, b.ModelVersion, StringComparison.Ordinal)
        && string.Equals(a.Stage, b.Stage, StringComparison.Ordinal)
        && string.Equals(a.EventType, b.EventType, StringComparison.Ordinal)
        && a.Timestamp.UtcTicks == b.Timestamp.UtcTicks
        && string.Equals(a.MetadataHash, b.MetadataHash, StringComparison.Ordinal)
        && string.Equals(a.Details, b.Details, StringComparison.Ordinal)
        && string.Equals(PythonJson.Serialize(a.Metadata, PythonJsonStyle.Compact), PythonJson.Serialize(b.Metadata, PythonJsonStyle.Compact), StringComparison.Ordinal);

    // ------------------------------------------------------------------ migration

    /// <summary>
    /// Copies every record and compliance event of this store into <paramref name="target"/> (any backend to
    /// any other), streaming in batches of <c>export_batch_size</c>, keeping ids, timestamps and hashes. The
    /// target upserts by id, so a migration that was interrupted (cancelled, crashed) can simply be run again:
    /// it finishes without duplicates. At the end the target's count and a sample of
    /// <see cref="MigrationSampleSize"/> records (every field, hash included) and every compliance event id are
    /// checked. Unreadable source entries cannot be copied; they are listed in the report.
    /// <para>
    /// When <paramref name="target"/> encrypts sensitive fields, a source record holding one of them in plaintext is not
    /// copied by default (listed in <see cref="MigrationReport.PlaintextSensitiveRefused"/>): its hash covers the
    /// plaintext, so it cannot be encrypted without changing the hash. Pass <c>allowPlaintextSensitiveData</c> to copy
    /// such records as they are (logged as a warning).
    /// </para>
    /// </summary>
    /// <param name="target">An open store, of any backend; it may already hold records.</param>
    /// <param name="progress">Told after each batch.</param>
    /// <exception cref="ArgumentException"><paramref name="target"/> is this store (or the same folder and backend).</exception>
    /// <exception cref="MetadataStorageException">A write failed, or the check at the end found a difference (the message lists it).</exception>
    /// <exception cref="OperationCanceledException">Cancelled; what was written stays, and a re-run completes it.</exception>
    public MigrationReport MigrateTo(MetadataStorage target, IProgress<MigrationProgress>? progress = null) =>
        SyncOverAsync.Run(MigrateToAsync(target, progress));

    /// <inheritdoc cref="MigrateTo(MetadataStorage, IProgress{MigrationProgress}?)"/>
    public ValueTask<MigrationReport> MigrateToAsync(MetadataStorage target, IProgress<MigrationProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        MigrateToAsync(target, allowPlaintextSensitiveData: false, progress, cancellationToken);

    /// <inheritdoc cref="MigrateTo(MetadataStorage, IProgress{MigrationProgress}?)"/>
    /// <param name="target">An open store, of any backend; it may already hold records.</param>
    /// <param name="allowPlaintextSensitiveData">Copy records holding sensitive fields in plaintext into a target that
    /// encrypts them, as they are; false leaves them out and lists them in the report.</param>
    /// <param name="progress">Told after each batch.</param>
    public MigrationReport MigrateTo(MetadataStorage target, bool allowPlaintextSensitiveData, IProgress<MigrationProgress>? progress = null) =>
        SyncOverAsync.Run(MigrateToAsync(target, allowPlaintextSensitiveData, progress));

    /// <inheritdoc cref="MigrateTo(MetadataStorage, bool, IProgress{MigrationProgress}?)"/>
    /// <param name="target">An open store, of any backend; it may already hold records.</param>
    /// <param name="allowPlaintextSensitiveData">Copy records holding sensitive fields in plaintext into a target that
    /// encrypts them, as they are; false leaves them out and lists them in the report.</param>
    /// <param name="progress">Told after each batch.</param>
    /// <param name="cancellationToken">Cancels the migration; what was written stays, and a re-run completes it.</param>
    public async ValueTask<MigrationReport> MigrateToAsync(MetadataStorage target, bool allowPlaintextSensitiveData,
        IProgress<MigrationProgress>? progress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (ReferenceEquals(target, this)
            || (string.Equals(target.Backend, Backend, StringComparison.OrdinalIgnoreCase) && string.Equals(target.StoragePath, StoragePath, StringComparison.Ordinal)))
        {
            throw new ArgumentException("A store cannot be migrated into itself.", nameof(target));
        }
        ThrowIfDisposed();
        target.ThrowIfDisposed();
        var clock = Stopwatch.StartNew();
        await FlushAsync(cancellationToken).ConfigureAwait(false);

        int batchSize = _options.ExportBatchSize;
        long copied = 0, eventsCopied = 0, seen = 0, plaintextCopied = 0;
        var unreadable = new List<string>();
        var plaintextRefused = new List<string>();
        var sample = new List<MetadataRecord>(MigrationSampleSize);
        var batch = new List<MetadataRecord>(batchSize);
        await foreach (var entry in _core.ScanStoredAsync(null, cancellationToken).ConfigureAwait(false))
        {
            if (entry.Record is not { } record)
            {
                unreadable.Add($"{entry.Location}: {entry.Error}");
                continue;
            }
            if (target.PlaintextSensitiveFields(record) is { Count: > 0 } plaintext)
            {
                if (!allowPlaintextSensitiveData)
                {
                    // Short: a store saved before encryption was switched on may hold many such records.
                    plaintextRefused.Add($"{record.Id}: sensitive field(s) {string.Join(", ", plaintext)} in plaintext");
                    continue;
                }
                plaintextCopied++;
            }
            // Reservoir sampling: every record has the same chance to be checked, in one pass.
            seen++;
            if (sample.Count < MigrationSampleSize) sample.Add(record);
            else if (Random.Shared.NextInt64(seen) is var slot && slot < MigrationSampleSize) sample[(int)slot] = record;
            batch.Add(record);
            if (batch.Count >= batchSize)
            {
                await target.WriteStoredAsync(batch, [], cancellationToken).ConfigureAwait(false);
                copied += batch.Count;
                batch = new List<MetadataRecord>(batchSize);
                progress?.Report(new MigrationProgress(copied, 0, "records"));
            }
        }
        if (batch.Count > 0)
        {
            await target.WriteStoredAsync(batch, [], cancellationToken).ConfigureAwait(false);
            copied += batch.Count;
            progress?.Report(new MigrationProgress(copied, 0, "records"));
        }

        var eventIds = new List<string>();
        var eventBatch = new List<ComplianceEvent>(batchSize);
        await foreach (var ev in _backend.QueryComplianceEventsAsync(new ComplianceEventQuery(), cancellationToken).ConfigureAwait(false))
        {
            eventIds.Add(ev.Id);
            eventBatch.Add(ev);
            if (eventBatch.Count >= batchSize)
            {
                await target.WriteStoredAsync([], eventBatch, cancellationToken).ConfigureAwait(false);
                eventsCopied += eventBatch.Count;
                eventBatch = new List<ComplianceEvent>(batchSize);
                progress?.Report(new MigrationProgress(copied, eventsCopied, "compliance_events"));
            }
        }
        if (eventBatch.Count > 0)
        {
            await target.WriteStoredAsync([], eventBatch, cancellationToken).ConfigureAwait(false);
            eventsCopied += eventBatch.Count;
            progress?.Report(new MigrationProgress(copied, eventsCopied, "compliance_events"));
        }
        // The audit trail and the legal holds, so the target keeps the store's whole history (both idempotent).
        long auditCopied = 0;
        var auditBatch = new List<AuditEntry>(batchSize);
        await foreach (var entry in _backend.QueryAuditAsync(new AuditQuery { Order = RecordOrder.OldestFirst }, cancellationToken).ConfigureAwait(false))
        {
            auditBatch.Add(entry);
            if (auditBatch.Count < batchSize) continue;
            await target._backend.WriteAuditAsync(auditBatch, cancellationToken).ConfigureAwait(false);
            auditCopied += auditBatch.Count;
            auditBatch = new List<AuditEntry>(batchSize);
            progress?.Report(new MigrationProgress(copied, eventsCopied, "audit_trail"));
        }
        if (auditBatch.Count > 0)
        {
            await target._backend.WriteAuditAsync(auditBatch, cancellationToken).ConfigureAwait(false);
            auditCopied += auditBatch.Count;
        }
        var holds = await _backend.ReadStateAsync(StateScopes.LegalHolds, cancellationToken).ConfigureAwait(false);
        foreach (var (key, value) in holds)
        {
            await target._backend.WriteStateAsync(StateScopes.LegalHolds, key, value, cancellationToken).ConfigureAwait(false);
        }
        await target.FlushAsync(cancellationToken).ConfigureAwait(false);

        progress?.Report(new MigrationProgress(copied, eventsCopied, "verifying"));
        var problems = new List<string>();
        long targetCount = await target._backend.CountAsync(cancellationToken).ConfigureAwait(false);
        if (targetCount < copied) problems.Add($"the target holds {targetCount} records, fewer than the {copied} copied");
        foreach (var expected in sample)
        {
            var actual = await target._backend.GetAsync(expected.Id, cancellationToken).ConfigureAwait(false);
            if (actual is null) problems.Add($"record '{expected.Id}' is missing from the target");
            else if (!SameRecord(expected, actual)) problems.Add($"record '{expected.Id}' differs in the target (stored hash {actual.MetadataHash}, expected {expected.MetadataHash})");
        }
        if (eventIds.Count > 0)
        {
            var targetEvents = new HashSet<string>(StringComparer.Ordinal);
            await foreach (var ev in target._backend.QueryComplianceEventsAsync(new ComplianceEventQuery(), cancellationToken).ConfigureAwait(false)) targetEvents.Add(ev.Id);
            foreach (var id in eventIds.Where(id => !targetEvents.Contains(id)).Take(20)) problems.Add($"compliance event '{id}' is missing from the target");
        }
        if (problems.Count > 0)
        {
            throw new MetadataStorageException(
                $"Migration from the {Backend} store at '{StoragePath}' to the {target.Backend} store at '{target.StoragePath}' did not check out: {string.Join("; ", problems.Take(20))}.")
            {
                Backend = target.Backend,
                Path = target.DbPath ?? target.StoragePath,
            };
        }
        _logger.LogInformation("Migrated {Records} record(s) and {Events} compliance event(s) from {Source} to {Target} in {Elapsed}",
            copied, eventsCopied, Backend, target.Backend, clock.Elapsed);
        if (plaintextCopied > 0)
        {
            _logger.LogWarning("{Count} migrated record(s) hold sensitive fields in plaintext although the target encrypts them (copied as they are, as asked)",
                plaintextCopied);
        }
        return new MigrationReport
        {
            SourceBackend = Backend,
            TargetBackend = target.Backend,
            RecordsCopied = copied,
            ComplianceEventsCopied = eventsCopied,
            AuditEntriesCopied = auditCopied,
            LegalHoldsCopied = holds.Count,
            TargetRecordCount = targetCount,
            SampledRecords = sample.Count,
            UnreadableSourceEntries = unreadable,
            PlaintextSensitiveCopied = plaintextCopied,
            PlaintextSensitiveRefused = plaintextRefused,
            Elapsed = clock.Elapsed,
        };
    }

    // ------------------------------------------------------------------ backup and restore

    /// <summary>
    /// Writes a backup archive (.zip) of the store while writers keep writing, and returns its path: by default
    /// a new file under <c>&lt;store&gt;/backups/</c> whose name never collides. SQLite: one consistent snapshot
    /// taken with SQLite's online backup API. File backends (json, pickle): every file of the store (records,
    /// compliance events, the audit folder; not <c>exports/</c> nor <c>backups/</c>), each whole, since every
    /// file is written atomically. Symbolic links in the store are never followed (nothing from outside the
    /// store is archived): they are logged and listed in the manifest's <see cref="BackupManifest.SkippedLinks"/>.
    /// The archive's <c>manifest.json</c> lists each file's path, size and SHA-256. Buffered writes are flushed first.
    /// </summary>
    /// <param name="path">Where to write the archive (must not exist); <c>null</c> for the backups folder.</param>
    /// <exception cref="IOException"><paramref name="path"/> already exists.</exception>
    /// <exception cref="NotSupportedException">The backend has no files to archive (e.g. a server database).</exception>
    /// <exception cref="MetadataStorageException">The snapshot could not be taken.</exception>
    public string Backup(string? path = null) => SyncOverAsync.Run(BackupAsync(path));

    /// <inheritdoc cref="Backup"/>
    public async ValueTask<string> BackupAsync(string? path = null, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        if (_backend is not ISnapshotCapableBackend && _backend is not FileMetadataBackend)
            throw new NotSupportedException($"The {Backend} backend keeps no files this library can archive; back it up with the database's own tools.");
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        long count = await _backend.CountAsync(cancellationToken).ConfigureAwait(false);
        var now = _options.TimeProvider.GetUtcNow();
        string folder = path is null ? Path.Combine(StoragePath, BackupArchive.BackupsFolderName) : Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        if (path is not null && File.Exists(path)) throw new IOException($"The backup file '{Path.GetFullPath(path)}' already exists.");
        string temp = Path.Combine(folder, $"{FileMetadataBackend.TempFilePrefix}{Guid.NewGuid():N}.tmp");
        string? snapshotFolder = null;
        try
        {
            IEnumerable<(string, string)> files;
            List<string> links = [];
            if (_backend is ISnapshotCapableBackend snapshots)
            {
                snapshotFolder = Path.Combine(Path.GetTempPath(), "ciaf-snapshot-" + Guid.NewGuid().ToString("N"));
                Directory.CreateDirectory(snapshotFolder);
                var relative = await snapshots.SnapshotAsync(snapshotFolder, cancellationToken).ConfigureAwait(false);
                files = [.. relative.Select(r => (r.Replace('\\', '/'), Path.Combine(snapshotFolder, r)))];
            }
            else
            {
                (files, links) = BackupArchive.StoreFiles(StoragePath);
                foreach (var link in links)
                    _logger.LogWarning("Backup of {Store}: {Link} is a symbolic link; links are not followed, so it is not archived", StoragePath, link);
            }
            await BackupArchive.WriteAsync(temp, Backend, count, now, files, links, cancellationToken).ConfigureAwait(false);
            if (path is not null)
            {
                string target = Path.GetFullPath(path);
                File.Move(temp, target, overwrite: false);
                return target;
            }
            for (int n = 0; ; n++)
            {
                string target = Path.Combine(folder, ExportFile.Name($"{Backend}_backup", "zip", _options.TimeProvider, n));
                try
                {
                    File.Move(temp, target, overwrite: false);
                    return target;
                }
                catch (IOException) when (File.Exists(target))
                {
                    // taken in the same second: try the next name
                }
            }
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
        finally
        {
            if (snapshotFolder is not null)
            {
                try
                {
                    Directory.Delete(snapshotFolder, recursive: true);
                }
                catch (IOException ex)
                {
                    _logger.LogWarning(ex, "Could not delete the temporary snapshot folder {Folder}", snapshotFolder);
                }
            }
        }
    }

    /// <summary>
    /// Restores a backup made by <see cref="Backup"/> into <paramref name="targetPath"/>, then open it with the
    /// backend the manifest names (<see cref="BackupManifest.Backend"/>). The archive is checked first, against
    /// its manifest: a damaged backup (not a zip, no valid manifest, an entry name twice, a missing or extra file,
    /// a size or SHA-256 that differs, an entry whose path would leave the target) is refused with a message
    /// naming the problem, and the target is not touched. Each file is extracted only up to the size its manifest
    /// declares, and the first file that differs stops the restore. The files are extracted beside the target,
    /// verified, and only then moved into place.
    /// </summary>
    /// <param name="backupPath">The backup archive.</param>
    /// <param name="targetPath">The store folder to restore into; created if missing. A symbolic link is refused.</param>
    /// <param name="overwrite">Replace the data of a target folder that is not empty (its <c>backups/</c> and
    /// <c>exports/</c> folders are kept; the old data is deleted only once the restored copy is in place);
    /// otherwise such a target is refused. An archive lying in the target's data (outside those folders) is refused.</param>
    /// <returns>The manifest of the restored backup.</returns>
    /// <exception cref="MetadataStorageException">The backup is damaged, the target is a symbolic link, or the target
    /// is not empty and <paramref name="overwrite"/> is false.</exception>
    public static BackupManifest Restore(string backupPath, string targetPath, bool overwrite = false) =>
        SyncOverAsync.Run(RestoreAsync(backupPath, targetPath, overwrite));

    /// <inheritdoc cref="Restore"/>
    public static ValueTask<BackupManifest> RestoreAsync(string backupPath, string targetPath, bool overwrite = false,
        CancellationToken cancellationToken = default) =>
        BackupRestore.RestoreAsync(backupPath, targetPath, overwrite, cancellationToken);

    // ------------------------------------------------------------------ integrity

    /// <summary>
    /// Checks the whole store: recomputes every record's hash from its stored metadata (a record edited by hand
    /// is reported), lists every entry that cannot be read (corrupt files or rows) and every compliance event
    /// whose <c>metadata_id</c> names no record — each with its id and its path (file) or
    /// <c>&lt;database&gt;#&lt;id&gt;</c> (row). Streams the store; buffered writes are flushed first. Changes nothing.
    /// </summary>
    /// <exception cref="MetadataStorageException">The store could not be read at all.</exception>
    public VerificationReport Verify() => SyncOverAsync.Run(VerifyAsync());

    /// <inheritdoc cref="Verify"/>
    public async ValueTask<VerificationReport> VerifyAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        var issues = new List<VerificationIssue>();
        var reported = new HashSet<string>(StringComparer.Ordinal);
        var corrupt = new ConcurrentQueue<(string Location, Exception Error)>();
        void Observe(string location, Exception error) => corrupt.Enqueue((location, error));
        long records = 0, events = 0;
        using (_core.ObserveCorruptEntries(Observe))
        {
            await foreach (var entry in _core.ScanStoredAsync(null, cancellationToken).ConfigureAwait(false))
            {
                if (entry.Record is not { } record)
                {
                    if (reported.Add(entry.Location))
                        issues.Add(new VerificationIssue(VerificationIssueKind.Unreadable, null, entry.Location, entry.Error ?? "unreadable"));
                    continue;
                }
                records++;
                string computed = PythonJson.Hash(record.Metadata);
                if (!string.Equals(record.MetadataHash, computed, StringComparison.Ordinal))
                {
                    issues.Add(new VerificationIssue(VerificationIssueKind.HashMismatch, record.Id, entry.Location, record.MetadataHash.Length == 0
                        ? $"no metadata_hash is stored; the metadata hashes to {computed}"
                        : $"the stored metadata_hash is {record.MetadataHash} but the stored metadata hashes to {computed}: it was edited or damaged"));
                }
            }
            await foreach (var ev in _backend.QueryComplianceEventsAsync(new ComplianceEventQuery(), cancellationToken).ConfigureAwait(false))
            {
                events++;
                if (ev.MetadataId is not { } metadataId) continue;
                if (await _backend.GetAsync(metadataId, cancellationToken).ConfigureAwait(false) is null)
                {
                    issues.Add(new VerificationIssue(VerificationIssueKind.DanglingComplianceEvent, ev.Id, ComplianceEventLocation(ev.Id),
                        $"compliance event '{ev.Id}' ({ev.Framework}) points to metadata record '{metadataId}', which does not exist"));
                }
            }
        }
        // Entries the backend skipped while answering (e.g. corrupt compliance event files, unlistable folders).
        foreach (var (location, error) in corrupt)
        {
            if (reported.Add(location)) issues.Add(new VerificationIssue(VerificationIssueKind.Unreadable, null, location, error.Message));
        }
        return new VerificationReport { RecordsChecked = records, ComplianceEventsChecked = events, Issues = issues };
    }

    private string ComplianceEventLocation(string id) =>
        DbPath is { } db ? $"{db}#compliance_events/{id}" : Path.Combine(StoragePath, FileMetadataBackend.ComplianceEventsFolderName, id + ".json");

    // ------------------------------------------------------------------ scanning

    /// <summary>Counts items and reports the count every <see cref="TransferProgressInterval"/> items and at the end.</summary>
    private sealed class ProgressCounter(IProgress<long>? progress)
    {
        private long _count;

        public void Add()
        {
            _count++;
            if (progress is not null && _count % TransferProgressInterval == 0) progress.Report(_count);
        }

        public void Complete() => progress?.Report(_count);
    }
}
