using System.Diagnostics;
using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Ledger;
using Ciaf.Metadata.Storage;
using Microsoft.Extensions.Logging;

namespace Ciaf.Metadata.Transfer;

/// <summary>
/// Copies a whole store into another (any backend to any other): records, compliance events, the audit trail, the
/// legal holds and the data subjects' keys, streaming, idempotent (the target upserts by id, so an interrupted run is completed by running it
/// again), then checks the count and a sample. The ledger goes first: the source's log is carried leaf for leaf, so the
/// target's log holds it as its prefix and the source's signed checkpoints and receipts stay valid for the target; the
/// copies written after it append the target's own leaves. See <c>MetadataStorage.MigrateTo</c>.
/// </summary>
internal sealed class Migrator(StoreCore core)
{
    private readonly StoreCore _core = core;

    public async ValueTask<MigrationReport> MigrateToAsync(StoreCore target, bool allowPlaintextSensitiveData,
        IProgress<MigrationProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (ReferenceEquals(target, _core)
            || (string.Equals(target.Backend.Name, _core.Backend.Name, StringComparison.OrdinalIgnoreCase)
                && string.Equals(target.Backend.StoragePath, _core.Backend.StoragePath, StringComparison.Ordinal)))
        {
            throw new ArgumentException("A store cannot be migrated into itself.", nameof(target));
        }
        _core.ThrowIfDisposed();
        target.ThrowIfDisposed();
        var clock = Stopwatch.StartNew();
        await _core.FlushAsync(cancellationToken).ConfigureAwait(false);
        var ledger = await CarryLedgerAsync(target, progress, cancellationToken).ConfigureAwait(false);

        int batchSize = _core.Options.ExportBatchSize;
        long copied = 0, eventsCopied = 0, seen = 0, plaintextCopied = 0;
        var unreadable = new List<string>();
        var plaintextRefused = new List<string>();
        var sample = new List<MetadataRecord>(MetadataStorage.MigrationSampleSize);
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
            if (sample.Count < MetadataStorage.MigrationSampleSize) sample.Add(record);
            else if (Random.Shared.NextInt64(seen) is var slot && slot < MetadataStorage.MigrationSampleSize) sample[(int)slot] = record;
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
        await foreach (var ev in _core.Events.QueryComplianceEventsAsync(new ComplianceEventQuery(), cancellationToken).ConfigureAwait(false))
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
        await foreach (var entry in _core.AuditLog.QueryAuditAsync(new AuditQuery { Order = RecordOrder.OldestFirst }, cancellationToken).ConfigureAwait(false))
        {
            auditBatch.Add(entry);
            if (auditBatch.Count < batchSize) continue;
            await target.AuditLog.WriteAuditAsync(auditBatch, cancellationToken).ConfigureAwait(false);
            auditCopied += auditBatch.Count;
            auditBatch = new List<AuditEntry>(batchSize);
            progress?.Report(new MigrationProgress(copied, eventsCopied, "audit_trail"));
        }
        if (auditBatch.Count > 0)
        {
            await target.AuditLog.WriteAuditAsync(auditBatch, cancellationToken).ConfigureAwait(false);
            auditCopied += auditBatch.Count;
        }
        var holds = await _core.State.ReadStateAsync(StateScopes.LegalHolds, cancellationToken).ConfigureAwait(false);
        foreach (var (key, value) in holds)
        {
            await target.State.WriteStateAsync(StateScopes.LegalHolds, key, value, cancellationToken).ConfigureAwait(false);
        }
        // The data subjects' keys (wrapped with the store key) and erasures, so what the source could read the target can.
        foreach (var (key, value) in await _core.State.ReadStateAsync(StateScopes.SubjectKeys, cancellationToken).ConfigureAwait(false))
        {
            await target.State.WriteStateAsync(StateScopes.SubjectKeys, key, value, cancellationToken).ConfigureAwait(false);
        }
        await target.FlushAsync(cancellationToken).ConfigureAwait(false);

        progress?.Report(new MigrationProgress(copied, eventsCopied, "verifying"));
        var problems = new List<string>();
        long targetCount = await target.Backend.CountAsync(cancellationToken).ConfigureAwait(false);
        if (targetCount < copied) problems.Add($"the target holds {targetCount} records, fewer than the {copied} copied");
        foreach (var expected in sample)
        {
            var actual = await target.Backend.GetAsync(expected.Id, cancellationToken).ConfigureAwait(false);
            if (actual is null) problems.Add($"record '{expected.Id}' is missing from the target");
            else if (!RecordChecks.SameRecord(expected, actual)) problems.Add($"record '{expected.Id}' differs in the target (stored hash {actual.MetadataHash}, expected {expected.MetadataHash})");
        }
        if (eventIds.Count > 0)
        {
            var targetEvents = new HashSet<string>(StringComparer.Ordinal);
            await foreach (var ev in target.Events.QueryComplianceEventsAsync(new ComplianceEventQuery(), cancellationToken).ConfigureAwait(false)) targetEvents.Add(ev.Id);
            foreach (var id in eventIds.Where(id => !targetEvents.Contains(id)).Take(20)) problems.Add($"compliance event '{id}' is missing from the target");
        }
        if (ledger.Carried > 0 && await LedgerRootsDifferAsync(target, ledger.Carried, cancellationToken).ConfigureAwait(false))
            problems.Add($"the target's log does not reproduce the source's first {ledger.Carried} leaves (run `ciaf verify` on the source)");
        if (problems.Count > 0)
        {
            throw new MetadataStorageException(
                $"Migration from the {_core.Backend.Name} store at '{_core.Backend.StoragePath}' to the {target.Backend.Name} store at '{target.Backend.StoragePath}' did not check out: {string.Join("; ", problems.Take(20))}.")
            {
                Backend = target.Backend.Name,
                Path = target.Backend.DbPath ?? target.Backend.StoragePath,
            };
        }
        _core.Logger.LogInformation("Migrated {Records} record(s) and {Events} compliance event(s) from {Source} to {Target} in {Elapsed}",
            copied, eventsCopied, _core.Backend.Name, target.Backend.Name, clock.Elapsed);
        if (plaintextCopied > 0)
        {
            _core.Logger.LogWarning("{Count} migrated record(s) hold sensitive fields in plaintext although the target encrypts them (copied as they are, as asked)",
                plaintextCopied);
        }
        if (ledger.NotCarried is { } why) _core.Logger.LogWarning("The source's ledger was not carried to the target: {Reason}", why);
        return new MigrationReport
        {
            SourceBackend = _core.Backend.Name,
            TargetBackend = target.Backend.Name,
            RecordsCopied = copied,
            ComplianceEventsCopied = eventsCopied,
            AuditEntriesCopied = auditCopied,
            LegalHoldsCopied = holds.Count,
            TargetRecordCount = targetCount,
            SampledRecords = sample.Count,
            UnreadableSourceEntries = unreadable,
            PlaintextSensitiveCopied = plaintextCopied,
            PlaintextSensitiveRefused = plaintextRefused,
            LedgerLeavesCarried = ledger.Carried,
            LedgerCheckpointsCarried = ledger.Checkpoints,
            LedgerNotCarried = ledger.NotCarried,
            Elapsed = clock.Elapsed,
        };
    }

    private const int CarryPage = 10_000;

    private readonly record struct LedgerCarry(long Carried, int Checkpoints, string? NotCarried);

    // The source's leaves the target's log lacks, copied verbatim in pages (each in one write of the target), then the
    // source's kept checkpoints. A target whose log is already a prefix of the source's (an interrupted migration) is
    // completed; one that holds other leaves cannot take them (its copies get leaves of their own, as any write would).
    private async ValueTask<LedgerCarry> CarryLedgerAsync(StoreCore target, IProgress<MigrationProgress>? progress, CancellationToken cancellationToken)
    {
        if (_core.Backend is not ILedgerBackend source || !_core.Options.LedgerEnabled) return new(0, 0, null);
        var head = await source.LedgerHeadAsync(cancellationToken).ConfigureAwait(false);
        if (!head.Active || head.Size == 0) return new(0, 0, null);
        if (target.Backend is not ILedgerBackend sink || !target.Options.LedgerEnabled)
            return new(0, 0, $"the target keeps no ledger (the {target.Backend.Name} backend {(target.Backend is ILedgerBackend ? "has ledger_enabled off" : "has none")}): the source's {head.Size} leaves stay with the source");
        var targetHead = await sink.LedgerHeadAsync(cancellationToken).ConfigureAwait(false);
        long common = Math.Min(targetHead.Size, head.Size);
        if (common > 0 && await LedgerRootsDifferAsync(target, common, cancellationToken).ConfigureAwait(false))
        {
            return new(0, 0, $"the target's log already holds {targetHead.Size} leaves of its own, so the source's {head.Size} cannot precede them: the copies are logged as the target's writes and the source's checkpoints do not apply to it");
        }
        for (long from = targetHead.Size; from < head.Size; from += CarryPage)
        {
            long start = from, end = Math.Min(from + CarryPage, head.Size);
            var page = await source.ReadLedgerAsync(r => r.Leaves(start, end).ToList(), cancellationToken).ConfigureAwait(false);
            if (page.Count != end - start) throw new LedgerCorruptException($"the source's ledger has lost leaves between {start} and {end - 1}: run `ciaf verify` on it");
            await sink.CarryAsync(page, cancellationToken).ConfigureAwait(false);
            progress?.Report(new MigrationProgress(0, 0, "ledger"));
        }
        int checkpoints = 0;
        string now = PythonTimestamp.Format(_core.Options.TimeProvider.GetUtcNow());
        foreach (var note in await source.CheckpointsAsync(cancellationToken).ConfigureAwait(false))
        {
            long size = LedgerCheckpoint.Parse(note).TreeSize;
            if (size > head.Size) continue; // past the log: verify on the source reports it
            await sink.AddCheckpointAsync(size, note, now, cancellationToken).ConfigureAwait(false);
            checkpoints++;
        }
        return new(head.Size, checkpoints, null);
    }

    private async ValueTask<bool> LedgerRootsDifferAsync(StoreCore target, long size, CancellationToken cancellationToken)
    {
        byte[] ours = await ((ILedgerBackend)_core.Backend).ReadLedgerAsync(r => LedgerNodes.Root(r, size), cancellationToken).ConfigureAwait(false);
        byte[] theirs = await ((ILedgerBackend)target.Backend).ReadLedgerAsync(r => LedgerNodes.Root(r, size), cancellationToken).ConfigureAwait(false);
        return !ours.AsSpan().SequenceEqual(theirs);
    }
}
