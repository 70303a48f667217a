using Ciaf.Metadata.Governance;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Governance;

public sealed class IncidentRegisterTests : IAsyncLifetime
{
    private static readonly DateTimeOffset AwareAt = new(2026, 3, 1, 23, 59, 0, TimeSpan.Zero);
    private GovernedPipeline _p = null!;

    public async Task InitializeAsync() => _p = await GovernedPipeline.CreateAsync(declareFacts: false);

    public async Task DisposeAsync() => await _p.DisposeAsync();

    [Theory]
    [InlineData(IncidentKind.Death, "2026-03-11T23:59:00+00:00")]
    [InlineData(IncidentKind.Serious, "2026-03-16T23:59:00+00:00")]
    [InlineData(IncidentKind.Widespread, "2026-03-03T23:59:00+00:00")]
    [InlineData(IncidentKind.CriticalInfrastructure, "2026-03-03T23:59:00+00:00")]
    [InlineData(IncidentKind.Other, "2026-03-16T23:59:00+00:00")]
    public void DueAt_AwareAt2359Utc_IsExactlyTheArticle73DaysLaterInUtc(IncidentKind kind, string expected)
    {
        Assert.Equal(expected, PythonTimestamp.Format(IncidentDeadlines.DueAt(kind, AwareAt)));
        // The same instant written in another offset gives the same deadline: UTC throughout.
        Assert.Equal(expected, PythonTimestamp.Format(IncidentDeadlines.DueAt(kind, new DateTimeOffset(2026, 3, 2, 0, 59, 0, TimeSpan.FromHours(1)))));
    }

    [Fact]
    public void DueAt_AcrossTheEuDaylightSavingChange_KeepsTheWallClockMinuteInUtc()
    {
        // Europe moves its clocks on 29 March 2026 at 01:00 UTC; a deadline in whole UTC days does not move.
        var aware = new DateTimeOffset(2026, 3, 28, 23, 59, 0, TimeSpan.Zero);
        Assert.Equal(new DateTimeOffset(2026, 4, 12, 23, 59, 0, TimeSpan.Zero), IncidentDeadlines.DueAt(IncidentKind.Serious, aware));
        Assert.Equal(TimeSpan.FromDays(2), IncidentDeadlines.DueAt(IncidentKind.Widespread, aware) - aware);
    }

    [Fact]
    public async Task DeadlineState_AtTheDeadlineIsDue_OneMicrosecondLaterIsOverdue()
    {
        var clock = new ManualClock(AwareAt.AddHours(1));
        var register = new IncidentRegister(_p.Storage, clock);
        var incident = await register.OpenAsync(GovernedPipeline.Model, IncidentKind.Death, AwareAt, "A patient died");
        Assert.Equal(new DateTimeOffset(2026, 3, 11, 23, 59, 0, TimeSpan.Zero), incident.DueAt);
        Assert.Equal(IncidentDeadlineState.Due, incident.DeadlineState(incident.DueAt));
        Assert.Equal(IncidentDeadlineState.Overdue, incident.DeadlineState(incident.DueAt.AddTicks(10)));
        Assert.Equal("2026-03-11T23:59:00+00:00", (string?)incident.ToJson(clock.Now)["due_at"]);
        Assert.Equal("due", (string?)incident.ToJson(clock.Now)["deadline"]);
        Assert.Equal("overdue", (string?)incident.ToJson(incident.DueAt.AddTicks(10))["deadline"]);
    }

    [Fact]
    public async Task Update_AnInitialReportAtTheDeadline_IsOnTime_AndAfterItIsLate()
    {
        var clock = new ManualClock(AwareAt.AddDays(30));
        var register = new IncidentRegister(_p.Storage, clock);
        var onTime = await register.OpenAsync(GovernedPipeline.Model, IncidentKind.Widespread, AwareAt, "Wrongful denials across the EU");
        onTime = await register.UpdateAsync(onTime.Id, report: "initial", reportedAt: onTime.DueAt, note: "incomplete: root cause open");
        Assert.Equal(IncidentDeadlineState.Reported, onTime.DeadlineState(clock.Now));
        Assert.False(onTime.ReportComplete);
        onTime = await register.UpdateAsync(onTime.Id, report: "complete", reportedAt: onTime.DueAt.AddDays(5));
        Assert.True(onTime.ReportComplete);
        Assert.Equal(IncidentDeadlineState.Reported, onTime.DeadlineState(clock.Now));   // the first report counts (Art. 73(5))

        var late = await register.OpenAsync(GovernedPipeline.Model, IncidentKind.Widespread, AwareAt, "Second one");
        late = await register.UpdateAsync(late.Id, report: "initial", reportedAt: late.DueAt.AddTicks(10));
        Assert.Equal(IncidentDeadlineState.ReportedLate, late.DeadlineState(clock.Now));
    }

    [Fact]
    public async Task List_RebuildsEveryIncidentFromItsRecords_InAnotherStoreInstance()
    {
        var clock = new ManualClock(AwareAt.AddDays(1));
        var register = new IncidentRegister(_p.Storage, clock);
        var first = await register.OpenAsync(GovernedPipeline.Model, IncidentKind.Serious, AwareAt, "First");
        var second = await register.OpenAsync(GovernedPipeline.Model, IncidentKind.Death, AwareAt.AddHours(-1), "Second");
        await register.UpdateAsync(first.Id, summary: "First, better understood", report: "initial", reportedAt: AwareAt.AddHours(5));
        await register.CloseAsync(first.Id, "Model withdrawn");
        await _p.Storage.DisposeAsync();
        await using var reopened = _p.Open();
        var list = await new IncidentRegister(reopened, clock).ListAsync(GovernedPipeline.Model);
        Assert.Equal([second.Id, first.Id], list.Select(i => i.Id));   // by awareness time
        var f = list[1];
        Assert.Equal("First, better understood", f.Summary);
        Assert.Equal("closed", f.Status);
        Assert.Equal("Model withdrawn", f.Resolution);
        Assert.Equal(AwareAt.AddHours(5), f.FirstReportedAt);
        Assert.Equal(3, f.RecordIds.Count);
        Assert.Equal(IncidentKind.Death, list[0].Kind);
        Assert.Equal(1, await reopened.CountAsync("stage = 'post_market' AND event_type = 'incident_closed'"));
    }

    [Fact]
    public async Task BadInput_IsRefusedWithTheRuleBroken_AndNothingIsWritten()
    {
        var clock = new ManualClock(AwareAt);
        var register = new IncidentRegister(_p.Storage, clock);
        var future = await Assert.ThrowsAsync<ArgumentException>(async () => await register.OpenAsync(GovernedPipeline.Model, IncidentKind.Serious, AwareAt.AddMinutes(1), "x"));
        Assert.Contains("in the future", future.Message);
        Assert.Equal(0, await _p.Storage.CountAsync("stage = 'post_market'"));

        var incident = await register.OpenAsync(GovernedPipeline.Model, IncidentKind.Serious, AwareAt.AddDays(-1), "Real");
        var before = await Assert.ThrowsAsync<ArgumentException>(async () => await register.UpdateAsync(incident.Id, report: "initial", reportedAt: AwareAt.AddDays(-2)));
        Assert.Contains("before the awareness time", before.Message);
        var kind = await Assert.ThrowsAsync<ArgumentException>(async () => await register.UpdateAsync(incident.Id, report: "final"));
        Assert.Contains("initial, complete", kind.Message);
        await Assert.ThrowsAsync<ArgumentException>(async () => await register.UpdateAsync(incident.Id));
        await register.CloseAsync(incident.Id, "done");
        var closed = await Assert.ThrowsAsync<ArgumentException>(async () => await register.UpdateAsync(incident.Id, note: "late news"));
        Assert.Contains("was closed", closed.Message);
        var unknown = await Assert.ThrowsAsync<ArgumentException>(async () => await register.CloseAsync("no-such-id", "x"));
        Assert.Contains("No incident with id 'no-such-id'", unknown.Message);
        Assert.Equal(2, await _p.Storage.CountAsync("stage = 'post_market'"));   // the opening and the closing only
        Assert.Throws<ArgumentException>(() => IncidentDeadlines.ParseKind("catastrophic"));
    }
}
