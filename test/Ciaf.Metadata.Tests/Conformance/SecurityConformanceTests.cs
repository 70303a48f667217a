using System.Text;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Encryption;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Retention;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Ciaf.Metadata.Tests.Conformance;

/// <summary>
/// Access audit, retention (dry run, legal holds, scheduled cleanup) and encryption at rest: the behaviour
/// every backend must show. Each backend subclasses this (per write mode); a new backend passes it unchanged.
/// </summary>
public abstract class SecurityConformanceTests : IDisposable
{
    protected static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _folder = new();
    private readonly TempDirectory _keys = new();

    /// <summary>The registered backend name under test.</summary>
    protected abstract string BackendName { get; }

    /// <summary>The write mode under test.</summary>
    protected abstract WriteMode Mode { get; }

    /// <summary>A connection string for server backends (PostgreSQL); null for the file and SQLite backends.</summary>
    protected virtual string? ConnectionString => null;

    protected string Root => _folder.Path;

    /// <summary>The clock every store of a test shares; timers fire only when a test advances it.</summary>
    protected FakeTimeProvider Clock { get; } = new(T0);

    /// <summary>Opens the store at <see cref="Root"/> as user <c>alice</c>, auditing every access, on <see cref="Clock"/>.</summary>
    protected MetadataStorage Open(Action<MetadataStorageOptions>? configure = null)
    {
        var options = new MetadataStorageOptions
        {
            StoragePath = Root,
            Backend = BackendName,
            ConnectionString = ConnectionString,
            WriteMode = Mode,
            BatchSize = 50,
            TimeProvider = Clock,
            UserId = "alice",
            AuditAllAccess = true,
        };
        configure?.Invoke(options);
        return OpenStorage(options);
    }

    /// <summary>
    /// Opens a store with <paramref name="options"/>: by name (<c>new MetadataStorage(options)</c>). A backend that needs
    /// more than the options carry (a server per store, a handler) overrides this.
    /// </summary>
    protected virtual MetadataStorage OpenStorage(MetadataStorageOptions options) => new(options);


    /// <summary>Generates a key file outside the store and returns its path.</summary>
    protected string NewKeyFile(string name = "metadata.key")
    {
        string path = Path.Combine(_keys.Path, name);
        MetadataEncryption.GenerateKey(path);
        return path;
    }

    public void Dispose()
    {
        _folder.Dispose();
        _keys.Dispose();
        GC.SuppressFinalize(this);
    }

    private static JsonObject DetailsOf(AuditEntry entry) => (JsonObject)JsonNode.Parse(entry.Details!)!;

    // ------------------------------------------------------------------ access audit

    [Fact]
    public async Task Audit_EveryAccess_WritesEntryWithActionRecordAndUser()
    {
        await using var storage = Open();
        string id = storage.SaveMetadata("m", "training", "trained", new { accuracy = 0.9 });
        Assert.NotNull(storage.GetMetadata(id));
        Assert.Null(storage.GetMetadata("00000000-0000-7000-8000-000000000000"));
        Assert.Single(storage.GetModelMetadata("m", "training"));
        string ev = storage.AddComplianceEvent(id, "GDPR", 0.9, "passed");
        Assert.Single(storage.GetComplianceEvents("GDPR"));
        string export = storage.ExportMetadata("m", "jsonl");
        Clock.Advance(TimeSpan.FromDays(400));
        Assert.Equal(1, storage.CleanupOldMetadata(30));

        var trail = storage.GetAuditTrail(new AuditQuery { Order = RecordOrder.OldestFirst });

        Assert.All(trail, e => Assert.Equal("alice", e.UserId));
        Assert.All(trail, e => Assert.False(string.IsNullOrEmpty(e.Id)));
        Assert.Contains(trail, e => e.Action == AuditActions.Save && e.ParentId == id && (string?)DetailsOf(e)["model_name"] == "m");
        Assert.Contains(trail, e => e.Action == AuditActions.Save && e.ParentId == ev && (string?)DetailsOf(e)["kind"] == "compliance_event");
        Assert.Contains(trail, e => e.Action == AuditActions.Read && e.ParentId == id);
        Assert.Contains(trail, e => e.Action == AuditActions.Read && e.ParentId == "00000000-0000-7000-8000-000000000000"
            && (bool?)DetailsOf(e)["found"] == false);
        Assert.Contains(trail, e => e.Action == AuditActions.Query && (string?)DetailsOf(e)["model_name"] == "m"
            && (string?)DetailsOf(e)["stage"] == "training" && (int?)DetailsOf(e)["results"] == 1);
        Assert.Contains(trail, e => e.Action == AuditActions.Query && (string?)DetailsOf(e)["kind"] == "compliance_events"
            && (string?)DetailsOf(e)["framework"] == "GDPR");
        Assert.Contains(trail, e => e.Action == AuditActions.Export && (string?)DetailsOf(e)["path"] == export && (string?)DetailsOf(e)["format"] == "jsonl");
        Assert.Contains(trail, e => e.Action == AuditActions.Delete && e.ParentId == id);
        Assert.Contains(trail, e => e.Action == AuditActions.Cleanup && e.ParentId is null);
        // The save happened before the read, which happened before the cleanup.
        int save = trail.ToList().FindIndex(e => e.Action == AuditActions.Save && e.ParentId == id);
        int delete = trail.ToList().FindIndex(e => e.Action == AuditActions.Delete);
        Assert.True(save < delete);
    }

    [Fact]
    public async Task Audit_AccessAuditOff_WritesNoAccessEntriesButStillAuditsRemovals()
    {
        await using var storage = Open(o => o.AuditAllAccess = false);
        string id = storage.SaveMetadata("m", "training", "trained", new { a = 1 });
        storage.GetMetadata(id);
        storage.GetModelMetadata("m");
        Assert.Empty(storage.GetAuditTrail());

        Clock.Advance(TimeSpan.FromDays(400));
        storage.CleanupOldMetadata();
        var trail = storage.GetAuditTrail();
        Assert.Equal([AuditActions.Cleanup, AuditActions.Delete], trail.Select(e => e.Action).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Audit_ReopenedStore_ReadsEarlierEntries()
    {
        string id;
        await using (var storage = Open())
        {
            id = storage.SaveMetadata("m", "training", "trained", new { a = 1 });
            storage.Flush();
            Clock.Advance(TimeSpan.FromSeconds(1));
            storage.GetMetadata(id);
        }
        Clock.Advance(TimeSpan.FromSeconds(1));
        await using (var again = Open(o => o.UserId = "bob"))
        {
            again.GetMetadata(id);
            var trail = again.GetAuditTrail(new AuditQuery { ParentId = id, Order = RecordOrder.OldestFirst });
            Assert.Equal([(AuditActions.Save, "alice"), (AuditActions.Read, "alice"), (AuditActions.Read, "bob")],
                trail.Select(e => (e.Action, e.UserId!)));
        }
    }

    [Fact]
    public async Task GetAuditTrail_Filters_ByRecordActionUserTimeLimitAndOrder()
    {
        var ids = new List<string>();
        await using (var storage = Open())
        {
            for (int day = 0; day < 3; day++)
            {
                ids.Add(storage.SaveMetadata("m", "training", "trained", new { day }));
                storage.Flush();
                Clock.Advance(TimeSpan.FromMinutes(1));
                storage.GetMetadata(ids[^1]);
                Clock.Advance(TimeSpan.FromDays(1)); // entries over several UTC days (several daily files on file backends)
            }
        }
        await using (var bob = Open(o => o.UserId = "bob"))
        {
            bob.GetMetadata(ids[0]);
            var all = bob.GetAuditTrail();
            Assert.Equal(7, all.Count);
            Assert.Equal(all.OrderByDescending(e => e.Timestamp).ThenByDescending(e => e.Id, StringComparer.Ordinal).Select(e => e.Id), all.Select(e => e.Id));

            var forSecond = bob.GetAuditTrail(new AuditQuery { ParentId = ids[1], Order = RecordOrder.OldestFirst });
            Assert.Equal([AuditActions.Save, AuditActions.Read], forSecond.Select(e => e.Action));

            Assert.Equal(4, bob.GetAuditTrail(new AuditQuery { Action = AuditActions.Read }).Count);
            var byBob = Assert.Single(bob.GetAuditTrail(new AuditQuery { UserId = "bob" }));
            Assert.Equal(ids[0], byBob.ParentId);

            var window = bob.GetAuditTrail(new AuditQuery { Since = T0.AddDays(1), Until = T0.AddDays(2), Order = RecordOrder.OldestFirst });
            Assert.Equal([(AuditActions.Save, ids[1]), (AuditActions.Read, ids[1])], window.Select(e => (e.Action, e.ParentId!)));

            var newest = bob.GetAuditTrail(new AuditQuery { Limit = 2 });
            Assert.Equal(all.Take(2).Select(e => e.Id), newest.Select(e => e.Id));
            var oldest = bob.GetAuditTrail(new AuditQuery { Limit = 1, Order = RecordOrder.OldestFirst });
            Assert.Equal(all[^1].Id, Assert.Single(oldest).Id);
            Assert.Empty(bob.GetAuditTrail(new AuditQuery { UserId = "nobody" }));
        }
    }

    [Fact]
    public async Task Audit_ManyConcurrentReads_AllRecorded()
    {
        await using var storage = Open();
        string id = storage.SaveMetadata("m", "training", "trained", new { a = 1 });
        await Parallel.ForAsync(0, 200, async (_, ct) => Assert.NotNull(await storage.GetMetadataAsync(id, ct)));
        Assert.Equal(200, storage.GetAuditTrail(new AuditQuery { Action = AuditActions.Read }).Count);
    }

    [Fact]
    public async Task ExportAuditTrail_WritesEveryEntry_AndImportIsAudited()
    {
        await using var storage = Open();
        string id = storage.SaveMetadata("m", "training", "trained", new { a = 1 });
        string export = storage.ExportMetadata("m", "jsonl");
        var result = storage.ImportMetadata(export);
        Assert.Equal(1, result.Skipped);
        var import = Assert.Single(storage.GetAuditTrail(new AuditQuery { Action = AuditActions.Import }));
        Assert.Equal(1, (int?)DetailsOf(import)["skipped"]);

        var trail = storage.GetAuditTrail(new AuditQuery { Order = RecordOrder.OldestFirst });
        string jsonl = storage.ExportAuditTrail("jsonl");
        var lines = File.ReadAllLines(jsonl).Select(l => JsonNode.Parse(l)!).ToList();
        // Everything before the export, plus the export's own entry, oldest first.
        Assert.Subset(lines.Select(l => (string)l["id"]!).ToHashSet(), trail.Select(e => e.Id).ToHashSet());
        Assert.Equal(trail.Count + 1, lines.Count);
        Assert.Equal(lines.Select(l => (string)l["timestamp"]!).Order(StringComparer.Ordinal), lines.Select(l => (string)l["timestamp"]!));
        Assert.Contains(lines, l => (string?)l["action"] == AuditActions.Save && (string?)l["parent_id"] == id);
        string csv = storage.ExportAuditTrail("csv", filter: new AuditQuery { Action = AuditActions.Save });
        var rows = File.ReadAllLines(csv);
        Assert.Equal("id,parent_id,action,timestamp,user_id,details", rows[0]);
        Assert.Contains(id, rows[1], StringComparison.Ordinal);
        Assert.Equal(2, rows.Length);
        Assert.Throws<ArgumentException>(() => storage.ExportAuditTrail("xml"));
    }

    // ------------------------------------------------------------------ retention

    [Fact]
    public async Task PreviewCleanup_ListsWhatWouldGo_WithoutDeleting()
    {
        await using var storage = Open();
        string old = storage.SaveMetadata("m", "training", "trained", new { a = 1 });
        string oldCompliance = storage.SaveMetadata("m", PipelineStages.Compliance, "gdpr_compliance", new { compliance_score = 0.9 });
        string ev = storage.AddComplianceEvent(old, "GDPR", 0.9, "passed");
        Clock.Advance(TimeSpan.FromDays(400));
        string fresh = storage.SaveMetadata("m", "training", "trained", new { a = 2 });

        var preview = storage.PreviewCleanup();
        Assert.True(preview.DryRun);
        Assert.Equal(0, preview.RemovedCount);
        var item = Assert.Single(preview.Removed);
        Assert.Equal((CleanupItemKind.Record, old, "m", "training"), (item.Kind, item.Id, item.ModelName, item.Stage));
        Assert.Contains("365", item.Reason, StringComparison.Ordinal);
        Assert.Equal((365, 2555), (preview.RetentionDays, preview.ComplianceRetentionDays));
        Assert.Equal(Clock.GetUtcNow().AddDays(-365), preview.Cutoff);
        Assert.NotNull(storage.GetMetadata(old));

        var dry = storage.CleanupOldMetadata(null, dryRun: true);
        Assert.Equal([old], dry.Removed.Select(i => i.Id));
        Assert.NotNull(storage.GetMetadata(old));

        // A dry run over the compliance retention lists compliance records and events too, still deleting nothing.
        Clock.Advance(TimeSpan.FromDays(2600));
        var longer = storage.PreviewCleanup();
        Assert.Equal(new[] { old, oldCompliance, fresh, ev }.Order(StringComparer.Ordinal), longer.Removed.Select(i => i.Id).Order(StringComparer.Ordinal));
        Assert.Contains(longer.Removed, i => i.Kind == CleanupItemKind.ComplianceEvent && i.Id == ev);
        Assert.Single(storage.GetComplianceEvents());

        Assert.Equal(4, storage.CleanupOldMetadata());
        Assert.Null(storage.GetMetadata(old));
        Assert.Empty(storage.GetComplianceEvents());
    }

    [Fact]
    public async Task Cleanup_AiActHighRisk_RefusesLogsYoungerThan183DaysToTheSecond()
    {
        string old, exact, young;
        await using (var storage = Open(o => o.AiActHighRisk = true))
        {
            old = storage.SaveMetadata("m", PipelineStages.Inference, "batch_scored", new { rows = 1 });       // T0
            Clock.Advance(TimeSpan.FromSeconds(1));
            exact = storage.SaveMetadata("m", PipelineStages.Monitoring, "drift_checked", new { psi = 0.1 });  // T0 + 1 s
            Clock.Advance(TimeSpan.FromSeconds(1));
            young = storage.SaveMetadata("m", "human_oversight", "output_verified", new { by = "bob" });      // T0 + 2 s: any other stage is a log
            // Now the three are 183 days plus one second, exactly 183 days, and 183 days minus one second old.
            Clock.Advance(TimeSpan.FromDays(AiActRetention.LogMinimumDays) - TimeSpan.FromSeconds(1));

            var preview = storage.PreviewCleanup(0);
            Assert.True(preview.AiActHighRisk);
            Assert.Equal([old, exact], preview.Removed.Select(i => i.Id));
            var refused = Assert.Single(preview.Protected);
            Assert.Equal((young, "human_oversight"), (refused.Id, refused.Stage));
            Assert.Contains("EU AI Act Art. 19(1) and Art. 26(6)", refused.Reason, StringComparison.Ordinal);
            Assert.Contains("182 days old", refused.Reason, StringComparison.Ordinal);
            Assert.NotNull(storage.GetMetadata(old));

            var report = storage.CleanupOldMetadata(0, dryRun: false);
            Assert.Equal(2, report.RemovedCount);
            Assert.Equal([young], report.Protected.Select(i => i.Id));
            Assert.Null(storage.GetMetadata(old));
            Assert.Null(storage.GetMetadata(exact));
            Assert.NotNull(storage.GetMetadata(young));
            var run = storage.GetAuditTrail(new AuditQuery { Action = AuditActions.Cleanup }).Single(e => DetailsOf(e)["dry_run"]!.GetValue<bool>() == false);
            Assert.Equal(1, (int?)DetailsOf(run)["protected"]);

            // Two seconds later the last one is 183 days and one second old: it may go.
            Clock.Advance(TimeSpan.FromSeconds(2));
            Assert.Equal(1, storage.CleanupOldMetadata(0));
            Assert.Null(storage.GetMetadata(young));
        }
    }

    [Fact]
    public async Task Cleanup_AiActHighRisk_RefusesDocumentationYoungerThanTenYears()
    {
        await using var storage = Open(o => o.AiActHighRisk = true);
        string training = storage.SaveMetadata("m", PipelineStages.Training, "training_completed", new { accuracy = 0.9 });
        string validation = storage.SaveMetadata("m", PipelineStages.Validation, "model_validated", new { accuracy = 0.9 });
        string compliance = storage.SaveMetadata("m", PipelineStages.Compliance, "eeoc_compliance", new { compliance_score = 0.9 });
        string ev = storage.AddComplianceEvent(compliance, "EEOC", 0.9, "passed");
        // The governance records: declared facts and post-market monitoring are documentation, Art. 12 use events are logs.
        string facts = storage.SaveMetadata("m", Ciaf.Metadata.Governance.GovernanceStages.Documentation, "declared_facts", new { provider = "p" });
        string incident = storage.SaveMetadata("m", Ciaf.Metadata.Governance.GovernanceStages.PostMarket, "incident_opened", new { kind = "serious" });
        string use = storage.SaveMetadata("m", Ciaf.Metadata.Governance.GovernanceStages.Operation, "use_started", new { use = 1 });
        string log = storage.SaveMetadata("m", PipelineStages.Inference, "batch_scored", new { rows = 1 });
        // Ten years after the first save, less one second: every documentation item is just younger than ten years.
        Clock.Advance(T0.AddYears(AiActRetention.DocumentationMinimumYears) - TimeSpan.FromSeconds(1) - Clock.GetUtcNow());

        var report = storage.CleanupOldMetadata(0, dryRun: false);

        Assert.Equal(new[] { use, log }.Order(StringComparer.Ordinal), report.Removed.Select(i => i.Id).Order(StringComparer.Ordinal));
        Assert.Equal(new[] { training, validation, compliance, ev, facts, incident }.Order(StringComparer.Ordinal), report.Protected.Select(i => i.Id).Order(StringComparer.Ordinal));
        Assert.All(report.Protected, i => Assert.Contains("EU AI Act Art. 18(1)", i.Reason, StringComparison.Ordinal));
        Assert.Contains(report.Protected, i => i.Kind == CleanupItemKind.ComplianceEvent && i.Reason.Contains("this compliance event", StringComparison.Ordinal));
        Assert.NotNull(storage.GetMetadata(training));
        Assert.Single(storage.GetComplianceEvents());

        // Past ten years (the later saves are a few microseconds younger, hence a second more), they go like any record.
        Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(6, storage.CleanupOldMetadata(0));
        Assert.Null(storage.GetMetadata(training));
        Assert.Empty(storage.GetComplianceEvents());
    }

    [Fact]
    public async Task Cleanup_NotHighRisk_RemovesYoungLogsAsAsked()
    {
        await using var storage = Open();
        string log = storage.SaveMetadata("m", PipelineStages.Inference, "batch_scored", new { rows = 1 });
        Clock.Advance(TimeSpan.FromDays(1));

        var report = storage.CleanupOldMetadata(0, dryRun: false);

        Assert.False(report.AiActHighRisk);
        Assert.Empty(report.Protected);
        Assert.Equal([log], report.Removed.Select(i => i.Id));
    }

    [Fact]
    public async Task LegalHold_OnModel_BlocksCleanupUntilReleased()
    {
        string held, other;
        await using (var storage = Open())
        {
            held = storage.SaveMetadata("held_model", "training", "trained", new { a = 1 });
            other = storage.SaveMetadata("other_model", "training", "trained", new { a = 1 });
            var hold = storage.PlaceLegalHold("held_model", "case 42");
            Assert.Equal((LegalHoldScope.Model, "held_model", "case 42", "alice", T0), (hold.Scope, hold.Target, hold.Reason, hold.PlacedBy, hold.PlacedAt));
            Clock.Advance(TimeSpan.FromDays(400));

            var report = storage.CleanupOldMetadata(null, dryRun: false);
            Assert.Equal([other], report.Removed.Select(i => i.Id));
            var kept = Assert.Single(report.Held);
            Assert.Equal(held, kept.Id);
            Assert.Contains("case 42", kept.Reason, StringComparison.Ordinal);
            Assert.NotNull(storage.GetMetadata(held));
            Assert.Null(storage.GetMetadata(other));
        }

        // The hold lives in the store: another instance sees it and honours it.
        await using (var again = Open(o => o.UserId = "bob"))
        {
            var hold = Assert.Single(again.GetLegalHolds());
            Assert.Equal(("held_model", "case 42", "alice"), (hold.Target, hold.Reason, hold.PlacedBy));
            Assert.Equal(0, again.CleanupOldMetadata());
            Assert.NotNull(again.GetMetadata(held));

            Assert.True(again.ReleaseLegalHold("held_model", reason: "case closed"));
            Assert.False(again.ReleaseLegalHold("held_model"));
            Assert.Empty(again.GetLegalHolds());
            Assert.Equal(1, again.CleanupOldMetadata());
            Assert.Null(again.GetMetadata(held));

            var holds = again.GetAuditTrail(new AuditQuery { Order = RecordOrder.OldestFirst })
                .Where(e => e.Action is AuditActions.Hold or AuditActions.Release).ToList();
            Assert.Equal([(AuditActions.Hold, "alice"), (AuditActions.Release, "bob")], holds.Select(e => (e.Action, e.UserId!)));
            Assert.Equal("case 42", (string?)DetailsOf(holds[0])["reason"]);
            Assert.Equal("case closed", (string?)DetailsOf(holds[1])["reason"]);
            Assert.Equal("held_model", (string?)DetailsOf(holds[1])["target"]);
        }
    }

    [Fact]
    public async Task LegalHold_OnRecord_KeepsTheRecordAndItsComplianceEvents()
    {
        await using var storage = Open();
        string held = storage.SaveMetadata("m", "training", "trained", new { a = 1 });
        string other = storage.SaveMetadata("m", "training", "trained", new { a = 2 });
        string heldEvent = storage.AddComplianceEvent(held, "GDPR", 0.9, "passed");
        string otherEvent = storage.AddComplianceEvent(other, "GDPR", 0.9, "passed");
        storage.PlaceLegalHold(held, "audit request", LegalHoldScope.Record);
        Assert.Throws<ArgumentException>(() => storage.PlaceLegalHold("no-such-record", "x", LegalHoldScope.Record));
        Assert.Throws<ArgumentException>(() => storage.PlaceLegalHold("m", " "));

        Clock.Advance(TimeSpan.FromDays(3000));
        var report = storage.CleanupOldMetadata(null, dryRun: false);

        Assert.Equal(new[] { other, otherEvent }.Order(StringComparer.Ordinal), report.Removed.Select(i => i.Id).Order(StringComparer.Ordinal));
        Assert.Equal(new[] { held, heldEvent }.Order(StringComparer.Ordinal), report.Held.Select(i => i.Id).Order(StringComparer.Ordinal));
        Assert.NotNull(storage.GetMetadata(held));
        Assert.Equal([heldEvent], storage.GetComplianceEvents().Select(e => e.Id));
        var hold = Assert.Single(storage.GetAuditTrail(new AuditQuery { Action = AuditActions.Hold }));
        Assert.Equal(held, hold.ParentId);
    }

    [Fact]
    public async Task LegalHold_OnModel_KeepsComplianceEventsOfItsRecords()
    {
        await using var storage = Open();
        string held = storage.SaveMetadata("held_model", "training", "trained", new { a = 1 });
        string heldEvent = storage.AddComplianceEvent(held, "GDPR", 0.9, "passed");
        string orphanEvent = storage.AddComplianceEvent(null, "GDPR", 0.9, "passed");
        storage.PlaceLegalHold("held_model", "litigation");
        Clock.Advance(TimeSpan.FromDays(3000));

        var report = storage.CleanupOldMetadata(null, dryRun: false);
        Assert.Equal([orphanEvent], report.Removed.Select(i => i.Id));
        Assert.Equal([heldEvent], storage.GetComplianceEvents().Select(e => e.Id));
    }

    [Fact]
    public async Task Cleanup_EveryRemoval_AuditedWithUserIdsAndReason()
    {
        await using var storage = Open(o => o.AuditAllAccess = false);
        var old = Enumerable.Range(0, 3).Select(i => storage.SaveMetadata("m", "training", "trained", new { i })).ToList();
        Clock.Advance(TimeSpan.FromDays(400));
        storage.SaveMetadata("m", "training", "trained", new { fresh = true });

        var report = storage.CleanupOldMetadata(null, dryRun: false);
        Assert.Equal(3, report.RemovedCount);

        var deletes = storage.GetAuditTrail(new AuditQuery { Action = AuditActions.Delete });
        Assert.Equal(old.Order(StringComparer.Ordinal), deletes.Select(e => e.ParentId!).Order(StringComparer.Ordinal));
        Assert.All(deletes, e =>
        {
            Assert.Equal("alice", e.UserId);
            Assert.Equal(Clock.GetUtcNow(), e.Timestamp);
            var details = DetailsOf(e);
            Assert.Equal(report.RunId, (string?)details["run_id"]);
            Assert.Equal("manual", (string?)details["trigger"]);
            Assert.Equal("record", (string?)details["kind"]);
            Assert.Equal("m", (string?)details["model_name"]);
            Assert.StartsWith("retention: older than 365 days", (string?)details["reason"], StringComparison.Ordinal);
        });
        var run = Assert.Single(storage.GetAuditTrail(new AuditQuery { Action = AuditActions.Cleanup }));
        Assert.Equal(report.RunId, run.Id);
        Assert.Equal(3, (int?)DetailsOf(run)["deleted"]);
        Assert.Equal(false, (bool?)DetailsOf(run)["dry_run"]);
    }

    [Fact]
    public async Task AutoCleanup_RunsOnSchedule_DrivenByTheClock()
    {
        string old;
        await using (var first = Open())
        {
            old = first.SaveMetadata("m", "training", "trained", new { a = 1 });
        }
        Clock.Advance(TimeSpan.FromDays(400));

        await using var storage = Open(o =>
        {
            o.AutoCleanup = true;
            o.CleanupSchedule = CleanupSchedule.Hourly;
        });
        Clock.Advance(TimeSpan.FromMinutes(59));
        await Task.Delay(100);
        Assert.Null(storage.LastAutoCleanup);
        Assert.NotNull(storage.GetMetadata(old));

        Clock.Advance(TimeSpan.FromMinutes(1));
        var report = await WaitForAsync(() => storage.LastAutoCleanup);
        Assert.Equal("schedule", report.Trigger);
        Assert.Equal([old], report.Removed.Select(i => i.Id));
        Assert.Null(storage.GetMetadata(old));
        var run = Assert.Single(storage.GetAuditTrail(new AuditQuery { Action = AuditActions.Cleanup }));
        Assert.Equal("schedule", (string?)DetailsOf(run)["trigger"]);

        // It keeps running every period.
        string later = storage.SaveMetadata("m", "training", "trained", new { a = 2 });
        Clock.Advance(TimeSpan.FromDays(366));
        await WaitForAsync(() => storage.LastAutoCleanup is { } r && r.RunId != report.RunId ? r : null);
        Assert.Null(storage.GetMetadata(later));
        Assert.Equal(0, storage.AutoCleanupFailures);
    }

    [Fact]
    public async Task AutoCleanup_AfterDispose_TimerStopped()
    {
        var storage = Open(o =>
        {
            o.AutoCleanup = true;
            o.CleanupSchedule = CleanupSchedule.Daily;
        });
        await storage.DisposeAsync();
        Clock.Advance(TimeSpan.FromDays(3));
        await Task.Delay(50);
        Assert.Null(storage.LastAutoCleanup);
        Assert.Equal(0, storage.AutoCleanupFailures);
    }

    // ------------------------------------------------------------------ encryption at rest

    private static object SensitivePayload(string token) => new
    {
        accuracy = 0.93,
        patient = new { SSN = $"ssn-{token}", age = 41, contact = new { Email = $"mail-{token}@example.org" } },
        visits = new object[] { new { phone_number = $"phone-{token}" }, new { note = "routine" } },
        api_key = new { primary = $"key-{token}", rotated = new[] { 1, 2 } },
        password = (string?)null,
    };

    [Fact]
    public async Task Encryption_RoundTrip_DecryptsTransparently()
    {
        string keyPath = NewKeyFile();
        string token = Guid.NewGuid().ToString("N");
        var expected = PythonJson.Canonical(MetadataConverter.ToJsonObject(SensitivePayload(token)));
        await using var storage = Open(o =>
        {
            o.EncryptSensitiveData = true;
            o.EncryptionKeyPath = keyPath;
        });
        string id = storage.SaveMetadata("m", "training", "trained", SensitivePayload(token));
        var batch = storage.SaveMetadataBatch([new MetadataEntry("m", "training", "trained", SensitivePayload(token))]);

        var record = storage.GetMetadata(id)!;
        Assert.Equal(expected, PythonJson.Canonical(record.Metadata));
        Assert.Equal($"ssn-{token}", (string?)record.Metadata["patient"]!["SSN"]);
        Assert.All(storage.GetModelMetadata("m"), r => Assert.Equal(expected, PythonJson.Canonical(r.Metadata)));
        Assert.Equal(expected, PythonJson.Canonical(storage.GetMetadata(batch[0])!.Metadata));
        var trace = storage.GetPipelineTrace("m");
        Assert.All(trace.Stages.SelectMany(s => s.Entries), e => Assert.Equal(expected, PythonJson.Canonical(e.Metadata)));

        // The hash is of the stored (encrypted) form, not of the plaintext.
        Assert.NotEqual(PythonJson.Hash(record.Metadata), record.MetadataHash);
    }

    [Fact]
    public async Task Encryption_NoSensitiveValueInPlaintext_AnywhereInTheStoreFiles()
    {
        string keyPath = NewKeyFile();
        string token = Guid.NewGuid().ToString("N");
        await using (var storage = Open(o =>
        {
            o.EncryptSensitiveData = true;
            o.EncryptionKeyPath = keyPath;
        }))
        {
            string id = storage.SaveMetadata("m", "training", "trained", SensitivePayload(token));
            storage.SaveMetadataBatch([.. Enumerable.Range(0, 5).Select(_ => new MetadataEntry("m", "inference", "predicted", SensitivePayload(token)))]);
            storage.AddComplianceEvent(id, "GDPR", 0.9, "passed");
            storage.GetMetadata(id);
            storage.GetModelMetadata("m");
            storage.ExportMetadata("m", "json");
            storage.ExportMetadata(null, "jsonl");
            Assert.Equal($"ssn-{token}", (string?)storage.GetMetadata(id)!.Metadata["patient"]!["SSN"]);
        }

        var files = Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories).ToList();
        Assert.NotEmpty(files);
        bool sawMarker = false;
        foreach (var file in files)
        {
            byte[] bytes = File.ReadAllBytes(file);
            Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(token)) < 0, $"plaintext found in {file}");
            sawMarker |= bytes.AsSpan().IndexOf("$ciaf_encrypted"u8) >= 0;
        }
        Assert.True(sawMarker, "no encrypted marker was found in the store's files");
    }

    [Fact]
    public async Task Encryption_ExportThenImport_KeepsCiphertextAndVerifies()
    {
        string keyPath = NewKeyFile();
        string token = Guid.NewGuid().ToString("N");
        await using var storage = Open(o =>
        {
            o.EncryptSensitiveData = true;
            o.EncryptionKeyPath = keyPath;
        });
        storage.SaveMetadata("m", "training", "trained", SensitivePayload(token));
        string export = storage.ExportMetadata("m", "jsonl");
        Assert.DoesNotContain(token, File.ReadAllText(export), StringComparison.Ordinal);

        var again = storage.ImportMetadata(export);
        Assert.Equal((0, 1), (again.Imported, again.Skipped));
        Assert.Empty(again.Mismatched);
        Assert.Empty(storage.Verify().Issues);
    }

    [Fact]
    public async Task Encryption_NoKeyWhenReading_ReturnsMarkers()
    {
        string keyPath = NewKeyFile();
        string id;
        await using (var writer = Open(o =>
        {
            o.EncryptSensitiveData = true;
            o.EncryptionKeyPath = keyPath;
        }))
        {
            id = writer.SaveMetadata("m", "training", "trained", SensitivePayload("x"));
        }

        await using var reader = Open();
        var record = reader.GetMetadata(id)!;
        var marker = record.Metadata["patient"]!["SSN"];
        Assert.True(MetadataEncryption.IsEncryptedValue(marker));
        Assert.Equal("v1", (string?)marker![MetadataEncryption.MarkerProperty]);
        Assert.Equal("AES-256-GCM", (string?)marker["alg"]);
        Assert.Equal(MetadataEncryption.KeyId(MetadataEncryption.LoadKey(keyPath)), (string?)marker["kid"]);
        Assert.Equal(12, Convert.FromBase64String((string)marker["nonce"]!).Length);
        Assert.Equal(16, Convert.FromBase64String((string)marker["tag"]!).Length);
        Assert.True(MetadataEncryption.IsEncryptedValue(record.Metadata["patient"]!["contact"]!["Email"]));
        Assert.True(MetadataEncryption.IsEncryptedValue(record.Metadata["visits"]![0]!["phone_number"]));
        Assert.True(MetadataEncryption.IsEncryptedValue(record.Metadata["api_key"]));
        Assert.True(MetadataEncryption.IsEncryptedValue(record.Metadata["password"]));
        Assert.Equal(41, (int?)record.Metadata["patient"]!["age"]);
        Assert.Equal("routine", (string?)record.Metadata["visits"]![1]!["note"]);
        Assert.Equal(0.93, (double?)record.Metadata["accuracy"]);
        Assert.Single(reader.GetModelMetadata("m"));
    }

    [Fact]
    public async Task Encryption_WrongKey_ThrowsNamingTheRecord()
    {
        string keyPath = NewKeyFile("right.key");
        string wrongPath = NewKeyFile("wrong.key");
        string id;
        await using (var writer = Open(o =>
        {
            o.EncryptSensitiveData = true;
            o.EncryptionKeyPath = keyPath;
        }))
        {
            id = writer.SaveMetadata("m", "training", "trained", SensitivePayload("x"));
        }

        await using var reader = Open(o => o.EncryptionKeyPath = wrongPath);
        var ex = Assert.Throws<MetadataEncryptionException>(() => reader.GetMetadata(id));
        Assert.Equal(id, ex.RecordId);
        Assert.Contains(id, ex.Message, StringComparison.Ordinal);
        Assert.Equal(MetadataEncryption.KeyId(MetadataEncryption.LoadKey(keyPath)), ex.StoredKeyId);
        Assert.Equal(MetadataEncryption.KeyId(MetadataEncryption.LoadKey(wrongPath)), ex.ConfiguredKeyId);
        Assert.Throws<MetadataEncryptionException>(() => reader.GetModelMetadata("m"));
    }

    [Fact]
    public async Task Encryption_HashCoversStoredForm_VerifiesWithoutTheKey()
    {
        string keyPath = NewKeyFile();
        string id;
        await using (var writer = Open(o =>
        {
            o.EncryptSensitiveData = true;
            o.EncryptionKeyPath = keyPath;
        }))
        {
            id = writer.SaveMetadata("m", "training", "trained", SensitivePayload("x"));
        }

        await using var reader = Open();
        var stored = reader.GetMetadata(id)!;
        Assert.Equal(stored.MetadataHash, PythonJson.Hash(stored.Metadata));
        Assert.All(reader.GetModelMetadata("m"), r => Assert.Equal(r.MetadataHash, PythonJson.Hash(r.Metadata)));
    }

    [Fact]
    public async Task Encryption_KeyConfiguredButOff_StoresPlaintextAndStillDecrypts()
    {
        string keyPath = NewKeyFile();
        string encrypted;
        await using (var writer = Open(o =>
        {
            o.EncryptSensitiveData = true;
            o.EncryptionKeyPath = keyPath;
        }))
        {
            encrypted = writer.SaveMetadata("m", "training", "trained", new { ssn = "111" });
        }
        await using var storage = Open(o => o.EncryptionKeyPath = keyPath);
        string plain = storage.SaveMetadata("m", "training", "trained", new { ssn = "222" });
        Assert.Equal("111", (string?)storage.GetMetadata(encrypted)!.Metadata["ssn"]);
        var record = storage.GetMetadata(plain)!;
        Assert.Equal("222", (string?)record.Metadata["ssn"]);
        Assert.Equal(record.MetadataHash, PythonJson.Hash(record.Metadata));
    }

    [Fact]
    public void Encryption_OnWithoutKey_FailsAtStartup()
    {
        var ex = Assert.Throws<ArgumentException>(() => Open(o => o.EncryptSensitiveData = true));
        Assert.Contains("EncryptionKeyPath", ex.Message, StringComparison.Ordinal);
        string missing = Path.Combine(Root, "..", "missing-" + Guid.NewGuid().ToString("N") + ".key");
        var notFound = Assert.Throws<ArgumentException>(() => Open(o =>
        {
            o.EncryptSensitiveData = true;
            o.EncryptionKeyPath = missing;
        }));
        Assert.Contains(Path.GetFileName(missing), notFound.Message, StringComparison.Ordinal);
    }

    // ------------------------------------------------------------------ data subjects (crypto-shredding)

    /// <summary>Everything the store holds, as text: every file under <see cref="Root"/> (database and WAL included); server backends add their rows.</summary>
    protected virtual string StoredText() => string.Join("\n", Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories).Select(path =>
    {
        try
        {
            return Encoding.Latin1.GetString(File.ReadAllBytes(path));
        }
        catch (IOException)
        {
            return string.Empty; // a lock file held open, or a temporary file already renamed: no content of its own
        }
    }));

    // Whether the store holds `value`, as it is or as a JSON string escapes it (base64's '+' is written \u002B).
    private bool Holds(string value)
    {
        string stored = StoredText();
        return stored.Contains(value, StringComparison.Ordinal) || stored.Contains(System.Text.Json.JsonEncodedText.Encode(value).ToString(), StringComparison.Ordinal);
    }

    private MetadataStorage OpenWithSubjects(string key) => Open(o =>
    {
        o.EncryptSensitiveData = true;
        o.EncryptionKeyPath = key;
        o.SensitiveFields = ["ssn", "email"];
        o.SubjectFields = ["applicant.id", "subject_id"];
    });

    private static object Applicant(string id, string ssn, string email) => new { applicant = new { id, ssn, email }, score = 0.7 };

    [Fact]
    public async Task EraseSubject_ValuesReadAsErased_NoPlaintextNorKeyLeft_RecordsStillVerify()
    {
        string key = NewKeyFile();
        await using var storage = OpenWithSubjects(key);
        string a1 = storage.SaveMetadata("credit", "inference", "scored", Applicant("A-1", "SSN-AAAA-1111", "anna@example.org"));
        string a2 = storage.SaveMetadata("credit", "inference", "scored", Applicant("A-1", "SSN-AAAA-1111", "anna.second@example.org"));
        string b1 = storage.SaveMetadata("credit", "inference", "scored", Applicant("B-2", "SSN-BBBB-2222", "ben@example.org"));
        string other = storage.SaveMetadata("credit", "training", "trained", new { ssn = "SSN-CCCC-3333" }); // no subject: the store key
        storage.Flush();
        Assert.Equal("SSN-AAAA-1111", (string?)storage.GetMetadata(a1)!.Metadata["applicant"]!["ssn"]);
        string reference = storage.Core.Subjects!.Reference("A-1");
        string wrapped = (string)JsonNode.Parse((await storage.Core.State.ReadStateEntryAsync(StateScopes.SubjectKeys, reference))!)!["key"]!["ct"]!;
        Assert.True(Holds(wrapped));
        Assert.False(Holds("SSN-AAAA-1111")); // encrypted from the start

        var erasure = storage.EraseSubject("A-1", "GDPR request 17");

        Assert.False(erasure.AlreadyErased);
        Assert.Equal(("alice", "GDPR request 17", reference), (erasure.ErasedBy, erasure.Reason, erasure.Reference));
        foreach (string id in new[] { a1, a2 })
        {
            var erased = storage.GetMetadata(id)!.Metadata["applicant"]!;
            Assert.Equal("v1", (string?)erased["ssn"]!["$ciaf_erased"]);
            Assert.Equal(reference, (string?)erased["email"]!["sub"]);
            Assert.Equal("A-1", (string?)erased["id"]); // not a sensitive field: it stays
        }
        Assert.Equal("SSN-BBBB-2222", (string?)storage.GetMetadata(b1)!.Metadata["applicant"]!["ssn"]);
        Assert.Equal("SSN-CCCC-3333", (string?)storage.GetMetadata(other)!.Metadata["ssn"]);
        // The subject's key is in no file and no row: the values can never be read again, whoever holds the store key.
        Assert.False(Holds(wrapped));
        Assert.False(Holds("SSN-AAAA-1111"));
        Assert.False(Holds("anna@example.org"));
        // Records, hashes and ledger are untouched.
        var report = storage.Verify();
        Assert.True(report.IsValid, string.Join("\n", report.Issues.Select(i => i.Detail)));
        if (storage.Ledger.IsSupported)
        {
            var leaf = (await storage.Ledger.LocateAsync(reference))!.Leaf;
            Assert.Contains("\"kind\":\"erasure\"", leaf, StringComparison.Ordinal);
            Assert.Contains("\"reason\":\"GDPR request 17\"", leaf, StringComparison.Ordinal);
            Assert.DoesNotContain("A-1", leaf, StringComparison.Ordinal);
        }
        var audit = Assert.Single(storage.GetAuditTrail(new AuditQuery { Action = AuditActions.EraseSubject }));
        Assert.Equal("alice", audit.UserId);
        Assert.Equal(reference, (string?)DetailsOf(audit)["subject_reference"]);
        Assert.DoesNotContain("A-1", audit.Details!, StringComparison.Ordinal);
        // No new record about the erased subject; erasing again says when it was done.
        var refused = Assert.Throws<ArgumentException>(() => storage.SaveMetadata("credit", "inference", "scored", Applicant("A-1", "x", "y")));
        Assert.Contains("erased", refused.Message, StringComparison.Ordinal);
        Assert.True(storage.EraseSubject("A-1", "again").AlreadyErased);
        Assert.Throws<KeyNotFoundException>(() => storage.EraseSubject("never-seen", "no such subject"));
    }

    [Fact]
    public async Task SubjectRecords_SealedWithItsKeyOrNamingItInPlaintext_AreReturnedDecrypted()
    {
        await using var storage = OpenWithSubjects(NewKeyFile());
        string a1 = storage.SaveMetadata("credit", "inference", "scored", Applicant("A-1", "SSN-A", "a@example.org"));
        string a2 = storage.SaveMetadata("credit", "monitoring", "checked", new { subject_id = "A-1", note = "no sensitive field" });
        storage.SaveMetadata("credit", "inference", "scored", Applicant("B-2", "SSN-B", "b@example.org"));

        var records = storage.GetSubjectRecords("A-1");

        Assert.Equal(new[] { a1, a2 }.Order(), records.Select(r => r.Id).Order());
        Assert.Equal("SSN-A", (string?)records.Single(r => r.Id == a1).Metadata["applicant"]!["ssn"]);
        Assert.Contains(storage.GetAuditTrail(new AuditQuery { Action = AuditActions.ExportSubject }), e => (int?)DetailsOf(e)["count"] == 2);
        Assert.Empty(storage.GetSubjectRecords("nobody"));
    }

    [Fact]
    public void SubjectFields_WithoutEncryption_FailAtStartupNamingTheOption()
    {
        var ex = Assert.Throws<ArgumentException>(() => Open(o => o.SubjectFields = ["applicant.id"]));
        Assert.Contains("SubjectFields", ex.Message, StringComparison.Ordinal);
        var empty = Assert.Throws<ArgumentException>(() => Open(o =>
        {
            o.EncryptSensitiveData = true;
            o.EncryptionKeyPath = NewKeyFile("other.key");
            o.SubjectFields = ["applicant..id"];
        }));
        Assert.Contains("empty segment", empty.Message, StringComparison.Ordinal);
    }

    private static async Task<T> WaitForAsync<T>(Func<T?> probe)
        where T : class
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (probe() is { } value) return value;
            await Task.Delay(20);
        }
        throw new TimeoutException("The condition was not met within 20 s.");
    }
}
