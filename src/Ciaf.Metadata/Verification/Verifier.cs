using System.Collections.Concurrent;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Ledger;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Transfer;

namespace Ciaf.Metadata.Verification;

/// <summary>
/// Checks a whole store, changing nothing: every record's hash recomputed from its stored metadata, every unreadable
/// entry, every compliance event pointing to no record — each with its id and location. See <c>MetadataStorage.Verify</c>.
/// </summary>
internal sealed class Verifier(StoreCore core)
{
    private readonly StoreCore _core = core;

    public async ValueTask<VerificationReport> VerifyAsync(VerifyOptions? options, CancellationToken cancellationToken)
    {
        _core.ThrowIfDisposed();
        await _core.FlushAsync(cancellationToken).ConfigureAwait(false);
        var issues = new List<VerificationIssue>();
        var reported = new HashSet<string>(StringComparer.Ordinal);
        var corrupt = new ConcurrentQueue<(string Location, Exception Error)>();
        void Observe(string location, Exception error) => corrupt.Enqueue((location, error));
        long records = 0, events = 0;
        var ledger = _core.Options.LedgerEnabled && _core.Backend is ILedgerBackend log ? new LedgerVerifier(_core, log, options ?? new VerifyOptions()) : null;
        if (ledger is not null && !await ledger.BeginAsync(cancellationToken).ConfigureAwait(false)) ledger = null;
        var ledgerState = ledger is not null ? LedgerVerificationState.Active
            : _core.Options.LedgerEnabled && _core.Backend is ILedgerBackend ? LedgerVerificationState.NotInitialized : LedgerVerificationState.Off;
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
                string computed;
                var canonical = PythonJsonWriter.Rent();
                try
                {
                    canonical.WriteNode(record.Metadata, PythonJsonStyle.Canonical, 0);
                    computed = PythonJson.HashOf(canonical.Written);
                    ledger?.CheckRecord(record, canonical.Written, entry.Location);
                }
                finally
                {
                    canonical.Return();
                }
                if (!string.Equals(record.MetadataHash, computed, StringComparison.Ordinal))
                {
                    issues.Add(new VerificationIssue(VerificationIssueKind.HashMismatch, record.Id, entry.Location, record.MetadataHash.Length == 0
                        ? $"no metadata_hash is stored; the metadata hashes to {computed}"
                        : $"the stored metadata_hash is {record.MetadataHash} but the stored metadata hashes to {computed}: it was edited or damaged"));
                }
            }
            await foreach (var ev in _core.Events.QueryComplianceEventsAsync(new ComplianceEventQuery(), cancellationToken).ConfigureAwait(false))
            {
                events++;
                ledger?.CheckEvent(ev, ComplianceEventLocation(ev.Id));
                if (ev.MetadataId is not { } metadataId) continue;
                if (await _core.Backend.GetAsync(metadataId, cancellationToken).ConfigureAwait(false) is null)
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
        var summary = ledger is not null
            ? await ledger.FinishAsync(issues, cancellationToken).ConfigureAwait(false)
            : new LedgerVerification(ledgerState, 0, 0);
        return new VerificationReport { RecordsChecked = records, ComplianceEventsChecked = events, Issues = issues, Ledger = summary };
    }

    private string ComplianceEventLocation(string id) =>
        _core.Backend is IStoreLayout layout ? layout.ComplianceEventLocation(id) : $"{_core.Backend.Name} compliance_events#{id}";
}
