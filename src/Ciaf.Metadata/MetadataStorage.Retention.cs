using System.Text.Json;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Retention;
using Ciaf.Metadata.Storage;
using Microsoft.Extensions.Logging;

namespace Ciaf.Metadata;

// Retention: cleanup (with dry run), legal holds, and automatic cleanup on a schedule.
//
// Legal holds live in the store, through the backend's small state API (scope "legal_holds", key
// "model:<name>" or "record:<id>", value the hold as JSON): <root>/audit/legal_holds/*.json on the
// file backends, the ciaf_state table on SQLite and PostgreSQL. Every process opening the store sees them.
// Cleanup reads them at the start of a run (for its report), and again in each deletion step, under the
// lock hold placement takes (IGuardedDeleteBackend): once PlaceLegalHold has returned, in any process,
// nothing the hold covers is deleted.
public sealed partial class MetadataStorage
{
    private const string ManualTrigger = "manual";
    private const string ScheduleTrigger = "schedule";

    private readonly CancellationTokenSource _cleanupStopping = new();
    private readonly Lock _cleanupLock = new();
    private ITimer? _cleanupTimer;
    private Task? _autoCleanupTask;
    private int _cleanupRunning;
    private long _autoCleanupFailures;
    private CleanupReport? _lastAutoCleanup;

    /// <summary>How many records (or compliance events) one cleanup step deletes; tests make it small.</summary>
    internal int CleanupChunkSize { get; set; } = 1000;

    /// <summary>Awaited before each cleanup deletion step; a test hook (e.g. to place a hold from another process midway).</summary>
    internal Func<CancellationToken, ValueTask>? BeforeCleanupChunk { get; set; }

    /// <summary>The report of the last automatic cleanup run that completed, or <c>null</c>.</summary>
    public CleanupReport? LastAutoCleanup => Volatile.Read(ref _lastAutoCleanup);

    /// <summary>How many automatic cleanup runs failed (each failure is logged).</summary>
    public long AutoCleanupFailures => Interlocked.Read(ref _autoCleanupFailures);

    /// <summary>
    /// Removes records older than their retention, judged by each record's own timestamp: ordinary
    /// records older than <paramref name="daysOld"/> days (default <c>metadata_retention_days</c>), and
    /// compliance-stage records and compliance events older than <c>compliance_retention_days</c>
    /// (never less than <paramref name="daysOld"/>). What a legal hold covers is kept. Every removal
    /// is written to the audit trail (a <c>delete</c> entry per item, a <c>cleanup</c> entry per run).
    /// </summary>
    /// <returns>How many records and compliance events were removed.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="daysOld"/> is negative or more than <see cref="MetadataStorageOptions.MaxRetentionDays"/>.</exception>
    public int CleanupOldMetadata(int? daysOld = null) => SyncOverAsync.Run(CleanupOldMetadataAsync(daysOld));

    /// <inheritdoc cref="CleanupOldMetadata(int?)"/>
    public async ValueTask<int> CleanupOldMetadataAsync(int? daysOld = null, CancellationToken cancellationToken = default) =>
        (await CleanupOldMetadataAsync(daysOld, dryRun: false, cancellationToken).ConfigureAwait(false)).RemovedCount;

    /// <summary>
    /// Runs cleanup as <see cref="CleanupOldMetadata(int?)"/> does, or with <paramref name="dryRun"/> only
    /// lists what would go, and returns what was (or would be) removed and what legal holds kept.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="daysOld"/> is negative or more than <see cref="MetadataStorageOptions.MaxRetentionDays"/>.</exception>
    public CleanupReport CleanupOldMetadata(int? daysOld, bool dryRun) => SyncOverAsync.Run(CleanupOldMetadataAsync(daysOld, dryRun));

    /// <inheritdoc cref="CleanupOldMetadata(int?, bool)"/>
    public ValueTask<CleanupReport> CleanupOldMetadataAsync(int? daysOld, bool dryRun, CancellationToken cancellationToken = default)
    {
        if (daysOld is < 0 or > MetadataStorageOptions.MaxRetentionDays)
        {
            throw new ArgumentOutOfRangeException(nameof(daysOld), daysOld,
                $"The age must be between 0 and {MetadataStorageOptions.MaxRetentionDays} days.");
        }
        ThrowIfDisposed();
        return RunCleanupAsync(daysOld, dryRun, ManualTrigger, cancellationToken);
    }

    /// <summary>What <see cref="CleanupOldMetadata(int?)"/> would remove now, removing nothing (a dry run).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="daysOld"/> is negative or more than <see cref="MetadataStorageOptions.MaxRetentionDays"/>.</exception>
    public CleanupReport PreviewCleanup(int? daysOld = null) => CleanupOldMetadata(daysOld, dryRun: true);

    /// <inheritdoc cref="PreviewCleanup"/>
    public ValueTask<CleanupReport> PreviewCleanupAsync(int? daysOld = null, CancellationToken cancellationToken = default) =>
        CleanupOldMetadataAsync(daysOld, dryRun: true, cancellationToken);

    /// <summary>
    /// Places (or renews, with a new reason) a legal hold: until it is released, cleanup never removes the
    /// model's records (<see cref="LegalHoldScope.Model"/>) or the record (<see cref="LegalHoldScope.Record"/>),
    /// nor their compliance events. Stored in the store, so every process sees it; audited (<c>hold</c>).
    /// </summary>
    /// <param name="target">The model name, or the record id.</param>
    /// <param name="reason">Why (e.g. a case reference); required.</param>
    /// <param name="scope">Whether <paramref name="target"/> is a model (default) or a record.</param>
    /// <exception cref="ArgumentException">Empty reason, invalid model name, or no record has that id.</exception>
    public LegalHold PlaceLegalHold(string target, string reason, LegalHoldScope scope = LegalHoldScope.Model) =>
        SyncOverAsync.Run(PlaceLegalHoldAsync(target, reason, scope));

    /// <inheritdoc cref="PlaceLegalHold"/>
    public async ValueTask<LegalHold> PlaceLegalHoldAsync(string target, string reason, LegalHoldScope scope = LegalHoldScope.Model,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        ValidateHoldTarget(target, scope);
        ThrowIfDisposed();
        if (scope == LegalHoldScope.Record && await GetStoredAsync(target, cancellationToken).ConfigureAwait(false) is null)
            throw new ArgumentException($"No metadata record has the id '{target}'.", nameof(target));
        var hold = new LegalHold(scope, target, reason, _userId, PythonTimestamp.Now(_options.TimeProvider));
        await _backend.WriteStateAsync(StateScopes.LegalHolds, HoldKey(scope, target), ToJson(hold).ToJsonString(), cancellationToken).ConfigureAwait(false);
        var details = HoldDetails(scope, target);
        details["reason"] = reason;
        Audit(AuditActions.Hold, scope == LegalHoldScope.Record ? target : null, details);
        await FlushAuditAsync(cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("Legal hold placed on {Scope} {Target} by {User}: {Reason}", scope, target, _userId, reason);
        return hold;
    }

    /// <summary>Releases a legal hold; cleanup may then remove what it covered. Audited (<c>release</c>).</summary>
    /// <param name="target">The model name, or the record id.</param>
    /// <param name="scope">Whether <paramref name="target"/> is a model (default) or a record.</param>
    /// <param name="reason">Why it is released (written to the audit trail), or <c>null</c>.</param>
    /// <returns>Whether there was such a hold.</returns>
    public bool ReleaseLegalHold(string target, LegalHoldScope scope = LegalHoldScope.Model, string? reason = null) =>
        SyncOverAsync.Run(ReleaseLegalHoldAsync(target, scope, reason));

    /// <inheritdoc cref="ReleaseLegalHold"/>
    public async ValueTask<bool> ReleaseLegalHoldAsync(string target, LegalHoldScope scope = LegalHoldScope.Model, string? reason = null,
        CancellationToken cancellationToken = default)
    {
        ValidateHoldTarget(target, scope);
        ThrowIfDisposed();
        string key = HoldKey(scope, target);
        var state = await _backend.ReadStateAsync(StateScopes.LegalHolds, cancellationToken).ConfigureAwait(false);
        if (!state.TryGetValue(key, out var stored)) return false;
        await _backend.WriteStateAsync(StateScopes.LegalHolds, key, null, cancellationToken).ConfigureAwait(false);
        var details = HoldDetails(scope, target);
        if (reason is not null) details["reason"] = reason;
        if (TryParseHold(stored) is { } previous)
        {
            details["held_since"] = PythonTimestamp.Format(previous.PlacedAt);
            details["hold_reason"] = previous.Reason;
        }
        Audit(AuditActions.Release, scope == LegalHoldScope.Record ? target : null, details);
        await FlushAuditAsync(cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("Legal hold released on {Scope} {Target} by {User}", scope, target, _userId);
        return true;
    }

    /// <summary>Every legal hold in place, oldest first.</summary>
    public IReadOnlyList<LegalHold> GetLegalHolds() => SyncOverAsync.Run(GetLegalHoldsAsync());

    /// <inheritdoc cref="GetLegalHolds"/>
    public async ValueTask<IReadOnlyList<LegalHold>> GetLegalHoldsAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return await LoadHoldsAsync(cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<List<LegalHold>> LoadHoldsAsync(CancellationToken cancellationToken)
    {
        var state = await _backend.ReadStateAsync(StateScopes.LegalHolds, cancellationToken).ConfigureAwait(false);
        var holds = new List<LegalHold>(state.Count);
        foreach (var (key, value) in state)
        {
            if (TryParseHold(value) is { } hold) holds.Add(hold);
            else _logger.LogError("The legal hold {Key} cannot be read: {Value}", key, value);
        }
        holds.Sort((a, b) => a.PlacedAt != b.PlacedAt ? a.PlacedAt.CompareTo(b.PlacedAt) : string.CompareOrdinal(a.Target, b.Target));
        return holds;
    }

    private async ValueTask<CleanupReport> RunCleanupAsync(int? daysOld, bool dryRun, string trigger, CancellationToken cancellationToken)
    {
        await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        var now = _options.TimeProvider.GetUtcNow();
        int days = daysOld ?? _options.MetadataRetentionDays;
        int complianceDays = Math.Max(days, _options.ComplianceRetentionDays);
        var cutoff = now.AddDays(-days);
        var complianceCutoff = now.AddDays(-complianceDays);
        string runId = Guid.CreateVersion7(now).ToString();
        string ordinaryReason = $"retention: older than {days} days" + (daysOld is null ? " (metadata_retention_days)" : "");
        string complianceReason = $"compliance retention: older than {complianceDays} days (compliance_retention_days)";

        // A hold that cannot be read must not be ignored: LoadHoldsAsync logs it, and a record whose hold
        // failed to parse would be removed, so refuse to run instead.
        var state = await _backend.ReadStateAsync(StateScopes.LegalHolds, cancellationToken).ConfigureAwait(false);
        var heldModels = new Dictionary<string, LegalHold>(StringComparer.Ordinal);
        var heldRecords = new Dictionary<string, LegalHold>(StringComparer.Ordinal);
        foreach (var (key, value) in state)
        {
            var hold = TryParseHold(value) ?? throw new MetadataStorageException(
                $"Cleanup refused: the legal hold '{key}' in the {_backend.Name} store at '{_backend.StoragePath}' cannot be read.")
            {
                Backend = _backend.Name,
                Path = _backend.DbPath ?? _backend.StoragePath,
            };
            (hold.Scope == LegalHoldScope.Model ? heldModels : heldRecords)[hold.Target] = hold;
        }

        var removed = new List<CleanupItem>();
        var held = new List<CleanupItem>();
        // Every record met, id → model: the hold keys of the records and of the compliance events' records.
        var modelOf = new Dictionary<string, string?>(StringComparer.Ordinal);
        await foreach (var r in _backend.QueryAsync(new MetadataQuery { Until = cutoff, Order = RecordOrder.OldestFirst }, cancellationToken).ConfigureAwait(false))
        {
            modelOf[r.Id] = r.ModelName;
            bool compliance = r.Stage == PipelineStages.Compliance;
            if (compliance && r.Timestamp >= complianceCutoff) continue;
            var hold = heldRecords.GetValueOrDefault(r.Id) ?? heldModels.GetValueOrDefault(r.ModelName);
            var item = new CleanupItem(CleanupItemKind.Record, r.Id, r.ModelName, r.Stage, r.Timestamp,
                hold is null ? (compliance ? complianceReason : ordinaryReason) : HeldReason(hold));
            (hold is null ? removed : held).Add(item);
        }
        var recordOfEvent = new Dictionary<string, string>(StringComparer.Ordinal);
        var eventItems = new List<CleanupItem>();
        await foreach (var ev in _backend.QueryComplianceEventsAsync(new ComplianceEventQuery { Until = complianceCutoff }, cancellationToken).ConfigureAwait(false))
        {
            LegalHold? hold = null;
            string? model = null;
            if (ev.MetadataId is { } metadataId)
            {
                recordOfEvent[ev.Id] = metadataId;
                if (!modelOf.TryGetValue(metadataId, out model))
                {
                    // The scan has just listed the store: a file backend need not list it again for a record long gone.
                    var record = _backend is IKnownRecordLookup known
                        ? await known.GetKnownAsync(metadataId, cancellationToken).ConfigureAwait(false)
                        : await _backend.GetAsync(metadataId, cancellationToken).ConfigureAwait(false);
                    modelOf[metadataId] = model = record?.ModelName;
                }
                hold = heldRecords.GetValueOrDefault(metadataId) ?? (model is null ? null : heldModels.GetValueOrDefault(model));
            }
            var item = new CleanupItem(CleanupItemKind.ComplianceEvent, ev.Id, model, null, ev.Timestamp, hold is null ? complianceReason : HeldReason(hold));
            if (hold is null) eventItems.Add(item);
            else held.Add(item);
        }
        eventItems.Reverse(); // events come newest first; the report lists oldest first
        removed.AddRange(eventItems);

        int removedCount = 0;
        if (!dryRun)
        {
            // A hold placed (in any process) while this runs wins: each chunk re-reads the holds and deletes as one step
            // under the lock hold placement takes, and what a new hold covers moves from removed to held.
            var keptLate = new List<CleanupItem>();
            foreach (var kind in (CleanupItemKind[])[CleanupItemKind.Record, CleanupItemKind.ComplianceEvent])
            {
                foreach (var chunk in removed.Where(i => i.Kind == kind).Chunk(CleanupChunkSize))
                {
                    if (BeforeCleanupChunk is { } hook) await hook(cancellationToken).ConfigureAwait(false);
                    var guards = chunk.ToDictionary(i => i.Id, i => HoldKeys(RecordIdOf(i, recordOfEvent), i.ModelName), StringComparer.Ordinal);
                    var result = await DeleteUnlessHeldAsync(new GuardedDeletion(kind, StateScopes.LegalHolds, guards), cancellationToken).ConfigureAwait(false);
                    removedCount += result.Deleted;
                    var kept = result.Kept.ToHashSet(StringComparer.Ordinal);
                    keptLate.AddRange(chunk.Where(i => kept.Contains(i.Id)));
                    AuditRemovals(chunk.Where(i => !kept.Contains(i.Id)), runId, trigger);
                }
            }
            if (keptLate.Count > 0) await MoveToHeldAsync(keptLate, removed, held, recordOfEvent, cancellationToken).ConfigureAwait(false);
        }
        var report = new CleanupReport
        {
            RunId = runId,
            DryRun = dryRun,
            Trigger = trigger,
            RanAt = now,
            RetentionDays = days,
            ComplianceRetentionDays = complianceDays,
            Cutoff = cutoff,
            ComplianceCutoff = complianceCutoff,
            Removed = removed,
            Held = held,
            RemovedCount = removedCount,
        };
        if (!dryRun || _options.AuditAllAccess)
        {
            Audit(AuditActions.Cleanup, null, CleanupDetails(report), runId);
            await FlushAuditAsync(cancellationToken).ConfigureAwait(false);
        }
        _logger.LogInformation("Cleanup {RunId} ({Trigger}{DryRun}) removed {Count} item(s) older than {Days} days ({ComplianceDays} for compliance); {Held} kept by legal holds",
            runId, trigger, dryRun ? ", dry run" : "", dryRun ? removed.Count : removedCount, days, complianceDays, held.Count);
        return report;
    }

    /// <summary>The record an item is or belongs to: itself, or a compliance event's record (<c>null</c> when it names none).</summary>
    private static string? RecordIdOf(CleanupItem item, Dictionary<string, string> recordOfEvent) =>
        item.Kind == CleanupItemKind.Record ? item.Id : recordOfEvent.GetValueOrDefault(item.Id);

    /// <summary>The legal-hold state keys any one of which keeps an item of this record and model.</summary>
    private static string[] HoldKeys(string? recordId, string? model)
    {
        var keys = new List<string>(2);
        if (recordId is not null) keys.Add(HoldKey(LegalHoldScope.Record, recordId));
        if (model is not null) keys.Add(HoldKey(LegalHoldScope.Model, model));
        return [.. keys];
    }

    /// <summary>
    /// Deletes what no hold covers, as one step against hold placement (<see cref="IGuardedDeleteBackend"/>). A backend
    /// without that capability gets the holds re-read just before the step: a narrow window, but no guarantee.
    /// </summary>
    private async ValueTask<GuardedDeleteResult> DeleteUnlessHeldAsync(GuardedDeletion deletion, CancellationToken cancellationToken)
    {
        if (_backend is IGuardedDeleteBackend guarded) return await guarded.DeleteUnlessGuardedAsync(deletion, cancellationToken).ConfigureAwait(false);
        var state = await _backend.ReadStateAsync(deletion.Scope, cancellationToken).ConfigureAwait(false);
        var (delete, kept) = deletion.Partition(state.ContainsKey);
        int deleted = deletion.Kind == CleanupItemKind.Record
            ? await _backend.DeleteAsync(delete, cancellationToken).ConfigureAwait(false)
            : await _backend.DeleteComplianceEventsAsync(delete, cancellationToken).ConfigureAwait(false);
        return new GuardedDeleteResult(deleted, kept);
    }

    /// <summary>Moves the items a hold placed during the run kept from <paramref name="removed"/> to <paramref name="held"/>, naming the hold.</summary>
    private async ValueTask MoveToHeldAsync(List<CleanupItem> kept, List<CleanupItem> removed, List<CleanupItem> held,
        Dictionary<string, string> recordOfEvent, CancellationToken cancellationToken)
    {
        var holds = await LoadHoldsAsync(cancellationToken).ConfigureAwait(false);
        foreach (var item in kept)
        {
            string? recordId = RecordIdOf(item, recordOfEvent);
            var hold = holds.FirstOrDefault(h => h.Scope == LegalHoldScope.Record ? h.Target == recordId : h.Target == item.ModelName);
            held.Add(item with { Reason = hold is null ? "kept: legal hold placed during the cleanup" : HeldReason(hold) });
        }
        var moved = kept.ToHashSet();
        removed.RemoveAll(moved.Contains);
    }

    private void AuditRemovals(IEnumerable<CleanupItem> items, string runId, string trigger)
    {
        foreach (var item in items)
        {
            var details = new JsonObject
            {
                ["kind"] = item.Kind == CleanupItemKind.Record ? "record" : "compliance_event",
                ["reason"] = item.Reason,
                ["run_id"] = runId,
                ["trigger"] = trigger,
                ["timestamp"] = PythonTimestamp.Format(item.Timestamp),
            };
            if (item.ModelName is not null) details["model_name"] = item.ModelName;
            if (item.Stage is not null) details["stage"] = item.Stage;
            Audit(AuditActions.Delete, item.Id, details);
        }
    }

    private static JsonObject CleanupDetails(CleanupReport report)
    {
        var details = new JsonObject
        {
            ["run_id"] = report.RunId,
            ["trigger"] = report.Trigger,
            ["dry_run"] = report.DryRun,
            ["retention_days"] = report.RetentionDays,
            ["compliance_retention_days"] = report.ComplianceRetentionDays,
            ["cutoff"] = PythonTimestamp.Format(report.Cutoff),
            ["compliance_cutoff"] = PythonTimestamp.Format(report.ComplianceCutoff),
            ["removed_records"] = report.Removed.Count(i => i.Kind == CleanupItemKind.Record),
            ["removed_compliance_events"] = report.Removed.Count(i => i.Kind == CleanupItemKind.ComplianceEvent),
            ["deleted"] = report.RemovedCount,
            ["held"] = report.Held.Count,
        };
        if (report.Held.Count > 0) details["held_ids"] = new JsonArray([.. report.Held.Take(1000).Select(i => (JsonNode)i.Id)]);
        return details;
    }

    private static string HeldReason(LegalHold hold) =>
        $"kept: legal hold on {(hold.Scope == LegalHoldScope.Model ? "model" : "record")} '{hold.Target}' ({hold.Reason})";

    private static void ValidateHoldTarget(string target, LegalHoldScope scope)
    {
        if (scope == LegalHoldScope.Model) NameRules.Validate(target, nameof(target));
        else if (scope == LegalHoldScope.Record) ArgumentException.ThrowIfNullOrWhiteSpace(target);
        else throw new ArgumentOutOfRangeException(nameof(scope), scope, "Unknown legal hold scope.");
    }

    private static string HoldKey(LegalHoldScope scope, string target) =>
        (scope == LegalHoldScope.Model ? "model:" : "record:") + target;

    private static JsonObject HoldDetails(LegalHoldScope scope, string target) => new()
    {
        ["scope"] = scope == LegalHoldScope.Model ? "model" : "record",
        ["target"] = target,
    };

    private static JsonObject ToJson(LegalHold hold) => new()
    {
        ["scope"] = hold.Scope == LegalHoldScope.Model ? "model" : "record",
        ["target"] = hold.Target,
        ["reason"] = hold.Reason,
        ["placed_by"] = hold.PlacedBy,
        ["placed_at"] = PythonTimestamp.Format(hold.PlacedAt),
    };

    private static LegalHold? TryParseHold(string json)
    {
        try
        {
            if (JsonNode.Parse(json) is not JsonObject obj) return null;
            var scope = (string?)obj["scope"] switch
            {
                "model" => LegalHoldScope.Model,
                "record" => LegalHoldScope.Record,
                _ => (LegalHoldScope?)null,
            };
            string? target = (string?)obj["target"];
            string? reason = (string?)obj["reason"];
            if (scope is null || string.IsNullOrEmpty(target) || reason is null
                || !PythonTimestamp.TryParse((string?)obj["placed_at"], out var placedAt))
            {
                return null;
            }
            return new LegalHold(scope.Value, target, reason, (string?)obj["placed_by"], placedAt);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    // ------------------------------------------------------------------ automatic cleanup

    private void StartAutoCleanup()
    {
        if (!_options.AutoCleanup) return;
        var period = _options.CleanupSchedule switch
        {
            CleanupSchedule.Hourly => TimeSpan.FromHours(1),
            CleanupSchedule.Daily => TimeSpan.FromDays(1),
            CleanupSchedule.Weekly => TimeSpan.FromDays(7),
            _ => TimeSpan.FromDays(30),
        };
        _cleanupTimer = _options.TimeProvider.CreateTimer(static state => ((MetadataStorage)state!).OnCleanupTimer(), this, period, period);
        _logger.LogInformation("Automatic cleanup every {Period} ({Schedule})", period, _options.CleanupSchedule);
    }

    private void OnCleanupTimer()
    {
        // Under the lock, so that once DisposeAsync has taken it (after setting _disposed) no run can start.
        lock (_cleanupLock)
        {
            if (Volatile.Read(ref _disposed) != 0) return;
            if (Interlocked.CompareExchange(ref _cleanupRunning, 1, 0) != 0)
            {
                _logger.LogWarning("Automatic cleanup skipped: the previous run is still going");
                return;
            }
            // The timer callback only starts the run: it never blocks the timer thread (or a test clock's Advance).
            _autoCleanupTask = Task.Run(RunScheduledCleanupAsync);
        }
    }

    private async Task RunScheduledCleanupAsync()
    {
        try
        {
            var report = await RunCleanupAsync(null, dryRun: false, ScheduleTrigger, _cleanupStopping.Token).ConfigureAwait(false);
            Volatile.Write(ref _lastAutoCleanup, report);
        }
        catch (OperationCanceledException) when (_cleanupStopping.IsCancellationRequested)
        {
            _logger.LogInformation("Automatic cleanup stopped: the store is closing");
        }
        catch (Exception ex)
        {
            Interlocked.Increment(ref _autoCleanupFailures);
            _logger.LogError(ex, "Automatic cleanup failed; it runs again at the next scheduled time");
        }
        finally
        {
            Volatile.Write(ref _cleanupRunning, 0);
        }
    }

    private async ValueTask StopAutoCleanupAsync()
    {
        if (_cleanupTimer is { } timer) await timer.DisposeAsync().ConfigureAwait(false);
        await _cleanupStopping.CancelAsync().ConfigureAwait(false);
        Task? running;
        lock (_cleanupLock) running = _autoCleanupTask;
        if (running is not null) await running.ConfigureAwait(false); // never throws: the run catches everything
        _cleanupStopping.Dispose();
    }
}
