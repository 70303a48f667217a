using System.Text.Json;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;
using Microsoft.Extensions.Logging;

namespace Ciaf.Metadata.Retention;

/// <summary>
/// Retention: cleanup (with dry run), legal holds, and the EU AI Act's minimums on a high-risk store (<see cref="AiActRetention"/>).
/// </summary>
/// <remarks>
/// Legal holds live in the store, through the backend's small state API (scope "legal_holds", key
/// "model:&lt;name&gt;" or "record:&lt;id&gt;", value the hold as JSON): <c>&lt;root&gt;/audit/legal_holds/*.json</c> on the
/// file backends, the <c>ciaf_state</c> table on SQLite and PostgreSQL. Every process opening the store sees them.
/// Cleanup reads them at the start of a run (for its report), and again in each deletion step, under the
/// lock hold placement takes (<see cref="IGuardedDeleteBackend"/>): once a hold is placed, in any process,
/// nothing it covers is deleted.
/// </remarks>
internal sealed class RetentionService(StoreCore core)
{
    /// <summary>The trigger of a cleanup called by a user.</summary>
    public const string ManualTrigger = "manual";

    /// <summary>The trigger of a cleanup run by the schedule.</summary>
    public const string ScheduleTrigger = "schedule";

    private readonly StoreCore _core = core;

    /// <summary>How many records (or compliance events) one cleanup step deletes; tests make it small.</summary>
    public int ChunkSize { get; set; } = 1000;

    /// <summary>Awaited before each cleanup deletion step; a test hook (e.g. to place a hold from another process midway).</summary>
    public Func<CancellationToken, ValueTask>? BeforeChunk { get; set; }

    public async ValueTask<LegalHold> PlaceHoldAsync(string target, string reason, LegalHoldScope scope, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        target = ValidateHoldTarget(target, scope);
        _core.ThrowIfDisposed();
        if (scope == LegalHoldScope.Record && await _core.GetStoredAsync(target, cancellationToken).ConfigureAwait(false) is null)
            throw new ArgumentException($"No metadata record has the id '{target}'.", nameof(target));
        var hold = new LegalHold(scope, target, reason, _core.ActingUser, PythonTimestamp.Now(_core.Options.TimeProvider));
        await _core.State.WriteStateAsync(StateScopes.LegalHolds, HoldKey(scope, target), ToJson(hold).ToJsonString(), cancellationToken).ConfigureAwait(false);
        var details = HoldDetails(scope, target);
        details["reason"] = reason;
        _core.Audit(AuditActions.Hold, scope == LegalHoldScope.Record ? target : null, details);
        await _core.FlushAuditAsync(cancellationToken).ConfigureAwait(false);
        _core.Logger.LogInformation("Legal hold placed on {Scope} {Target} by {User}: {Reason}", scope, target, _core.ActingUser, reason);
        return hold;
    }

    public async ValueTask<bool> ReleaseHoldAsync(string target, LegalHoldScope scope, string? reason, CancellationToken cancellationToken)
    {
        string given = target;
        target = ValidateHoldTarget(target, scope);
        _core.ThrowIfDisposed();
        var state = await _core.State.ReadStateAsync(StateScopes.LegalHolds, cancellationToken).ConfigureAwait(false);
        string key = HoldKey(scope, target);
        if (!state.TryGetValue(key, out var stored))
        {
            // A hold placed before model names were normalized is under the spelling given.
            key = HoldKey(scope, given);
            if (!state.TryGetValue(key, out stored)) return false;
            target = given;
        }
        await _core.State.WriteStateAsync(StateScopes.LegalHolds, key, null, cancellationToken).ConfigureAwait(false);
        var details = HoldDetails(scope, target);
        if (reason is not null) details["reason"] = reason;
        if (TryParseHold(stored) is { } previous)
        {
            details["held_since"] = PythonTimestamp.Format(previous.PlacedAt);
            details["hold_reason"] = previous.Reason;
        }
        _core.Audit(AuditActions.Release, scope == LegalHoldScope.Record ? target : null, details);
        await _core.FlushAuditAsync(cancellationToken).ConfigureAwait(false);
        _core.Logger.LogInformation("Legal hold released on {Scope} {Target} by {User}", scope, target, _core.ActingUser);
        return true;
    }

    public async ValueTask<List<LegalHold>> LoadHoldsAsync(CancellationToken cancellationToken)
    {
        var state = await _core.State.ReadStateAsync(StateScopes.LegalHolds, cancellationToken).ConfigureAwait(false);
        var holds = new List<LegalHold>(state.Count);
        foreach (var (key, value) in state)
        {
            if (TryParseHold(value) is { } hold) holds.Add(hold);
            else _core.Logger.LogError("The legal hold {Key} cannot be read: {Value}", key, value);
        }
        holds.Sort((a, b) => a.PlacedAt != b.PlacedAt ? a.PlacedAt.CompareTo(b.PlacedAt) : string.CompareOrdinal(a.Target, b.Target));
        return holds;
    }

    /// <exception cref="ArgumentOutOfRangeException"><paramref name="daysOld"/> is negative or more than <see cref="MetadataStorageOptions.MaxRetentionDays"/>.</exception>
    public async ValueTask<CleanupReport> RunCleanupAsync(int? daysOld, bool dryRun, string trigger, CancellationToken cancellationToken)
    {
        if (daysOld is < 0 or > MetadataStorageOptions.MaxRetentionDays)
        {
            throw new ArgumentOutOfRangeException(nameof(daysOld), daysOld, $"The age must be between 0 and {MetadataStorageOptions.MaxRetentionDays} days.");
        }
        await _core.Writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        var now = _core.Options.TimeProvider.GetUtcNow();
        int days = daysOld ?? _core.Options.MetadataRetentionDays;
        int complianceDays = Math.Max(days, _core.Options.ComplianceRetentionDays);
        var cutoff = now.AddDays(-days);
        var complianceCutoff = now.AddDays(-complianceDays);
        string runId = Uuid7.NewString(now);
        string ordinaryReason = $"retention: older than {days} days" + (daysOld is null ? " (metadata_retention_days)" : "");
        string complianceReason = $"compliance retention: older than {complianceDays} days (compliance_retention_days)";

        // A hold that cannot be read must not be ignored: LoadHoldsAsync logs it, and a record whose hold
        // failed to parse would be removed, so refuse to run instead.
        var state = await _core.State.ReadStateAsync(StateScopes.LegalHolds, cancellationToken).ConfigureAwait(false);
        var heldModels = new Dictionary<string, LegalHold>(StringComparer.Ordinal);
        var heldRecords = new Dictionary<string, LegalHold>(StringComparer.Ordinal);
        foreach (var (key, value) in state)
        {
            var hold = TryParseHold(value) ?? throw new MetadataStorageException(
                $"Cleanup refused: the legal hold '{key}' in the {_core.Backend.Name} store at '{_core.Backend.StoragePath}' cannot be read.")
            {
                Backend = _core.Backend.Name,
                Path = _core.Backend.DbPath ?? _core.Backend.StoragePath,
            };
            // Model holds match in normalization form C both ways: a hold covers the model however its name was spelled.
            if (hold.Scope == LegalHoldScope.Model) heldModels[NameRules.ForLookup(hold.Target)!] = hold;
            else heldRecords[hold.Target] = hold;
        }

        var removed = new List<CleanupItem>();
        var held = new List<CleanupItem>();
        // A high-risk store keeps what the EU AI Act's minimums cover, before legal holds are even looked at: the law
        // keeps it whatever a hold says, and the report names the article.
        bool highRisk = _core.Options.AiActHighRisk;
        var protectedItems = new List<CleanupItem>();
        // Every record met, id → model: the hold keys of the records and of the compliance events' records.
        var modelOf = new Dictionary<string, string?>(StringComparer.Ordinal);
        await foreach (var r in _core.Backend.QueryAsync(new MetadataQuery { Until = cutoff, Order = RecordOrder.OldestFirst }, cancellationToken).ConfigureAwait(false))
        {
            modelOf[r.Id] = r.ModelName;
            bool compliance = r.Stage == PipelineStages.Compliance;
            if (compliance && r.Timestamp >= complianceCutoff) continue;
            if (highRisk && AiActRetention.Refusal(CleanupItemKind.Record, r.Stage, r.Timestamp, now) is { } refusal)
            {
                protectedItems.Add(new CleanupItem(CleanupItemKind.Record, r.Id, r.ModelName, r.Stage, r.Timestamp, refusal));
                continue;
            }
            var hold = heldRecords.GetValueOrDefault(r.Id) ?? heldModels.GetValueOrDefault(NameRules.ForLookup(r.ModelName)!);
            var item = new CleanupItem(CleanupItemKind.Record, r.Id, r.ModelName, r.Stage, r.Timestamp,
                hold is null ? (compliance ? complianceReason : ordinaryReason) : HeldReason(hold));
            (hold is null ? removed : held).Add(item);
        }
        var recordOfEvent = new Dictionary<string, string>(StringComparer.Ordinal);
        var eventItems = new List<CleanupItem>();
        await foreach (var ev in _core.Events.QueryComplianceEventsAsync(new ComplianceEventQuery { Until = complianceCutoff }, cancellationToken).ConfigureAwait(false))
        {
            LegalHold? hold = null;
            string? model = null;
            if (ev.MetadataId is { } metadataId)
            {
                recordOfEvent[ev.Id] = metadataId;
                if (!modelOf.TryGetValue(metadataId, out model))
                {
                    // The scan has just listed the store: a file backend need not list it again for a record long gone.
                    var record = await _core.GetKnownAsync(metadataId, cancellationToken).ConfigureAwait(false);
                    modelOf[metadataId] = model = record?.ModelName;
                }
                hold = heldRecords.GetValueOrDefault(metadataId) ?? (model is null ? null : heldModels.GetValueOrDefault(model));
            }
            if (highRisk && AiActRetention.Refusal(CleanupItemKind.ComplianceEvent, null, ev.Timestamp, now) is { } refusal)
            {
                protectedItems.Add(new CleanupItem(CleanupItemKind.ComplianceEvent, ev.Id, model, null, ev.Timestamp, refusal));
                continue;
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
                foreach (var chunk in removed.Where(i => i.Kind == kind).Chunk(ChunkSize))
                {
                    if (BeforeChunk is { } hook) await hook(cancellationToken).ConfigureAwait(false);
                    var guards = chunk.ToDictionary(i => i.Id, i => HoldKeys(RecordIdOf(i, recordOfEvent), i.ModelName), StringComparer.Ordinal);
                    var result = await new GuardedDeletion(kind, StateScopes.LegalHolds, guards).RunAsync(_core, cancellationToken).ConfigureAwait(false);
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
            AiActHighRisk = highRisk,
            Protected = protectedItems,
        };
        if (!dryRun || _core.Options.AuditAllAccess)
        {
            _core.Audit(AuditActions.Cleanup, null, CleanupDetails(report), runId);
            await _core.FlushAuditAsync(cancellationToken).ConfigureAwait(false);
        }
        _core.Logger.LogInformation("Cleanup {RunId} ({Trigger}{DryRun}) removed {Count} item(s) older than {Days} days ({ComplianceDays} for compliance); {Held} kept by legal holds, {Protected} by the EU AI Act's minimums",
            runId, trigger, dryRun ? ", dry run" : "", dryRun ? removed.Count : removedCount, days, complianceDays, held.Count, protectedItems.Count);
        return report;
    }

    /// <summary>The record an item is or belongs to: itself, or a compliance event's record (<c>null</c> when it names none).</summary>
    private static string? RecordIdOf(CleanupItem item, Dictionary<string, string> recordOfEvent) =>
        item.Kind == CleanupItemKind.Record ? item.Id : recordOfEvent.GetValueOrDefault(item.Id);

    /// <summary>The legal-hold state keys any one of which keeps an item of this record and model.</summary>
    private static string[] HoldKeys(string? recordId, string? model)
    {
        var keys = new List<string>(3);
        if (recordId is not null) keys.Add(HoldKey(LegalHoldScope.Record, recordId));
        if (model is not null)
        {
            // Holds are placed on the NFC name; one placed before names were normalized is under the stored spelling.
            keys.Add(HoldKey(LegalHoldScope.Model, model));
            if (NameRules.ForLookup(model) is { } nfc && nfc != model) keys.Add(HoldKey(LegalHoldScope.Model, nfc));
        }
        return [.. keys];
    }

    /// <summary>Moves the items a hold placed during the run kept from <paramref name="removed"/> to <paramref name="held"/>, naming the hold.</summary>
    private async ValueTask MoveToHeldAsync(List<CleanupItem> kept, List<CleanupItem> removed, List<CleanupItem> held,
        Dictionary<string, string> recordOfEvent, CancellationToken cancellationToken)
    {
        var holds = await LoadHoldsAsync(cancellationToken).ConfigureAwait(false);
        foreach (var item in kept)
        {
            string? recordId = RecordIdOf(item, recordOfEvent);
            var hold = holds.FirstOrDefault(h => h.Scope == LegalHoldScope.Record ? h.Target == recordId : NameRules.ForLookup(h.Target) == NameRules.ForLookup(item.ModelName));
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
            _core.Audit(AuditActions.Delete, item.Id, details);
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
        if (report.AiActHighRisk)
        {
            details["ai_act_high_risk"] = true;
            details["protected"] = report.Protected.Count;
        }
        return details;
    }

    private static string HeldReason(LegalHold hold) =>
        $"kept: legal hold on {(hold.Scope == LegalHoldScope.Model ? "model" : "record")} '{hold.Target}' ({hold.Reason})";

    /// <summary>The target as holds store it: a model name in normalization form C, a record id as given.</summary>
    private static string ValidateHoldTarget(string target, LegalHoldScope scope)
    {
        if (scope == LegalHoldScope.Model) return NameRules.Normalize(target, nameof(target));
        if (scope == LegalHoldScope.Record)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(target);
            return target;
        }
        throw new ArgumentOutOfRangeException(nameof(scope), scope, "Unknown legal hold scope.");
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

}
