using Ciaf.Metadata.Capture;
using Ciaf.Metadata.Governance;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Governance;

public sealed class AiActEventLogTests : IAsyncLifetime
{
    private GovernedPipeline _p = null!;

    public async Task InitializeAsync() => _p = await GovernedPipeline.CreateAsync(declareFacts: false);

    public async Task DisposeAsync() => await _p.DisposeAsync();

    [Fact]
    public async Task UseStartedThenEnded_RecordsThePeriodUnderTheUseId_AndRefusesASecondEnd()
    {
        var m = _p.Manager;
        string useId = m.LogUseStarted(new { session = "s-1" });
        string endId = m.LogUseEnded(useId, new { decisions = 12 });
        var start = _p.Storage.GetMetadata(useId)!;
        var end = _p.Storage.GetMetadata(endId)!;
        Assert.Equal((GovernanceStages.Operation, GovernanceEvents.UseStarted, GovernedPipeline.Version), (start.Stage, start.EventType, start.ModelVersion));
        Assert.Equal(GovernanceEvents.UseEnded, end.EventType);
        Assert.Equal(useId, (string?)end.Metadata["use_id"]);
        Assert.Equal((string?)start.Metadata["started_at"], (string?)end.Metadata["started_at"]);
        var started = PythonTimestamp.Parse((string)end.Metadata["started_at"]!);
        var ended = PythonTimestamp.Parse((string)end.Metadata["ended_at"]!);
        Assert.True(ended >= started);
        Assert.Equal((ended - started).TotalSeconds, (double)end.Metadata["duration_seconds"]!);
        Assert.Equal(12, (int)end.Metadata["outcome"]!["decisions"]!);

        Assert.Contains("already ended", Assert.Throws<ArgumentException>(() => m.LogUseEnded(useId)).Message);
        Assert.Contains("not the id of a use_started record", Assert.Throws<ArgumentException>(() => m.LogUseEnded(endId)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.LogUse(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddSeconds(-1)));
        Assert.Equal(1, await _p.Storage.CountAsync($"stage = 'operation' AND event_type = 'use_ended' AND metadata.use_id = '{useId}'"));
    }

    [Fact]
    public async Task Oversight_Risk_InputCheck_Modification_AreSearchableRecordsWithTheirFields()
    {
        var m = _p.Manager;
        string use = m.LogUseStarted();
        m.LogInputCheck("watchlist v3", matched: true, input: new { hash = "ab12" }, useId: use);
        m.LogHumanOversight("alice", "Overridden", use, systemOutput: new { decision = "declined" }, finalOutput: new { decision = "approved" }, reason: "documents checked");
        m.LogHumanOversight("bob", "confirmed", use);
        m.LogRiskSituation("high", "approval rate for one group below four fifths", use, new { air = 0.7 });
        m.LogSubstantialModification("drift (PSI 0.31)", "retrained on new data", previousVersion: "1.0.0", changes: new { rows = 9000 });

        Assert.Equal(1, await _p.Storage.CountAsync("stage = 'operation' AND event_type = 'human_oversight' AND metadata.override = true AND metadata.verified_by = 'alice'"));
        Assert.Equal(1, await _p.Storage.CountAsync("stage = 'operation' AND metadata.decision = 'confirmed' AND metadata.override = false"));
        Assert.Equal(1, await _p.Storage.CountAsync($"event_type = 'input_checked' AND metadata.matched = true AND metadata.use_id = '{use}'"));
        Assert.Equal(1, await _p.Storage.CountAsync("event_type = 'risk_situation' AND metadata.severity = 'high' AND metadata.article = 'Art. 79(1)'"));
        Assert.Equal(1, await _p.Storage.CountAsync("stage = 'model_lifecycle' AND event_type = 'substantial_modification' AND metadata.previous_version = '1.0.0' AND metadata.new_version = '2.0.0'"));

        Assert.Contains("allowed: confirmed, overridden, rejected, escalated", Assert.Throws<ArgumentException>(() => m.LogHumanOversight("carol", "ignored")).Message);
        Assert.Contains("allowed: low, medium, high, critical", Assert.Throws<ArgumentException>(() => m.LogRiskSituation("severe", "x")).Message);
        Assert.Throws<ArgumentException>(() => m.LogHumanOversight(" ", "confirmed"));
    }

    [Fact]
    public async Task DeclaredFacts_UnknownOrIllShapedFacts_AreAllListed_AndNothingIsWritten()
    {
        var e = Assert.Throws<ArgumentException>(() => _p.Manager.LogDeclaredFacts(new { hardwre = "x", owners = "me", references = new[] { "not a uri" }, intended_purpose = "" }));
        Assert.Contains("'hardwre' is not a declared fact", e.Message);
        Assert.Contains("owners: must be an array", e.Message);
        Assert.Contains("references: must be an array of absolute URIs", e.Message);
        Assert.Contains("intended_purpose: must be a non-empty string", e.Message);
        Assert.Equal(0, await _p.Storage.CountAsync("stage = 'documentation'"));
        string id = _p.Manager.LogDeclaredFacts(new { hardware = "x86-64", limitations = new[] { "a", "b" } });
        Assert.Equal("x86-64", (string?)_p.Storage.GetMetadata(id)!.Metadata["hardware"]);
    }

    [Fact]
    public async Task Capture_MarkedAsUse_WritesTheUsePeriodBesideItsOwnRecord()
    {
        string? captureId;
        DateTimeOffset before = PythonTimestamp.Now();
        await using (var capture = new MetadataCapture(GovernedPipeline.Model, "inference", "batch_prediction", _p.Storage))
        {
            capture.MarkAsUse(new { batch = 3 });
            Assert.True(capture.IsUse);
            captureId = capture.CaptureId;
            await Task.Delay(20);
        }
        var use = (await _p.Storage.SearchAsync("event_type = 'use_ended'")).Records.Single();
        Assert.Equal(captureId, (string?)use.Metadata["use_id"]);
        var captured = (await _p.Storage.SearchAsync("event_type = 'batch_prediction'")).Records.Single();
        Assert.Equal(captured.Id, (string?)use.Metadata["outcome"]!["capture_record_id"]);
        Assert.Equal(3, (int)use.Metadata["outcome"]!["context"]!["batch"]!);
        Assert.False((bool)use.Metadata["outcome"]!["failed"]!);
        var started = PythonTimestamp.Parse((string)use.Metadata["started_at"]!);
        var ended = PythonTimestamp.Parse((string)use.Metadata["ended_at"]!);
        Assert.InRange(started, before.AddSeconds(-1), ended);
        Assert.True((double)use.Metadata["duration_seconds"]! >= 0.015, "the period covers the scope's work");

        using (new MetadataCapture(GovernedPipeline.Model, "inference", "unmarked", _p.Storage)) { }
        Assert.Equal(1, await _p.Storage.CountAsync("event_type = 'use_ended'"));
    }
}
