using System.Text.Json;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Export;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;
using Microsoft.Extensions.Logging;

namespace Ciaf.Metadata.Transfer;

/// <summary>
/// Imports a json or jsonl export (ours, or the reference's json export), keeping ids, timestamps and hashes; every
/// hash is recomputed, and what does not check out is reported per entry, never written. See
/// <c>MetadataStorage.ImportMetadata</c>.
/// </summary>
internal sealed class Importer(StoreCore core)
{
    private readonly StoreCore _core = core;

    public async ValueTask<ImportResult> ImportAsync(string path, bool allowPlaintextSensitiveData, IProgress<long>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _core.ThrowIfDisposed();
        string full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"The import file '{full}' does not exist.", full);
        await _core.FlushAsync(cancellationToken).ConfigureAwait(false);

        int imported = 0, skipped = 0, eventsImported = 0, eventsSkipped = 0, plaintextImported = 0;
        var mismatched = new List<ImportIssue>();
        var errors = new List<ImportIssue>();
        var batch = new Dictionary<string, MetadataRecord>(StringComparer.Ordinal);
        var eventBatch = new Dictionary<string, ComplianceEvent>(StringComparer.Ordinal);
        Dictionary<string, ComplianceEvent>? storedEvents = null;

        async ValueTask FlushBatchAsync()
        {
            if (batch.Count + eventBatch.Count == 0) return;
            await _core.WriteStoredAsync([.. batch.Values], [.. eventBatch.Values], cancellationToken).ConfigureAwait(false);
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
                    record = RecordJson.FromOwnedJsonObject(obj);
                }
                catch (FormatException ex)
                {
                    errors.Add(new ImportIssue(id, item.Position, "not a valid record: " + ex.Message));
                    continue;
                }
                if (RecordChecks.RecordProblem(record) is { } problem)
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
                    if (RecordChecks.SameRecord(existing, record)) skipped++;
                    else mismatched.Add(new ImportIssue(record.Id, item.Position, "the store already holds a different record with this id; it was left unchanged"));
                    continue;
                }
                if (_core.PlaintextSensitiveFields(record) is { Count: > 0 } plaintext)
                {
                    if (!allowPlaintextSensitiveData)
                    {
                        errors.Add(new ImportIssue(record.Id, item.Position, RecordChecks.PlaintextRefusal(plaintext)));
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
                if (RecordChecks.IdProblem(ev.Id) is { } idProblem)
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
            if (batch.Count + eventBatch.Count >= _core.Options.ExportBatchSize) await FlushBatchAsync().ConfigureAwait(false);
        }
        await FlushBatchAsync().ConfigureAwait(false);
        await _core.FlushAsync(cancellationToken).ConfigureAwait(false);
        counter.Complete();
        _core.Logger.LogInformation("Imported {Imported} record(s) from {Path}: {Skipped} already present, {Mismatched} mismatched, {Errors} error(s)",
            imported, full, skipped, mismatched.Count, errors.Count);
        if (plaintextImported > 0)
        {
            _core.Logger.LogWarning("{Count} imported record(s) hold sensitive fields in plaintext although this store encrypts them (imported as they are, as asked)",
                plaintextImported);
        }
        if (_core.Options.AuditAllAccess)
        {
            _core.Audit(AuditActions.Import, null, new JsonObject
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
        foreach (var ev in _core.Pending.Matching(new ComplianceEventQuery())) events[ev.Id] = ev;
        await foreach (var ev in _core.Events.QueryComplianceEventsAsync(new ComplianceEventQuery(), cancellationToken).ConfigureAwait(false)) events.TryAdd(ev.Id, ev);
        return events;
    }
}
