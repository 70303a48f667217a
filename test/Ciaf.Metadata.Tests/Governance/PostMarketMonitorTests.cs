using Ciaf.Metadata.Governance;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Governance;

public sealed class PostMarketMonitorTests : IAsyncLifetime
{
    private GovernedPipeline _p = null!;

    public async Task InitializeAsync() => _p = await GovernedPipeline.CreateAsync(declareFacts: false);

    public async Task DisposeAsync() => await _p.DisposeAsync();

    private static MonitoringPlan Plan() => MonitoringPlan.Parse("""
        {"description": "drift and volume",
         "conditions": [
           {"name": "drift", "filter": "stage = 'monitoring' AND metadata.max_psi > 0.2", "window": "7d", "incident_kind": "serious"},
           {"name": "busy", "filter": "stage = 'inference'", "window": "24h", "min_matches": 2, "incident_kind": "widespread"}]}
        """);

    [Fact]
    public async Task Check_CountsMatchesInsideTheWindowOnly_RecordsTheCheck_AndOpensTheMostUrgentIncident()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow.AddHours(1));
        var monitor = new PostMarketMonitor(_p.Storage, clock);
        string planId = await monitor.SetPlanAsync(GovernedPipeline.Model, Plan());
        _p.Manager.LogInference(new { request_id = "r-2" });

        var check = await monitor.CheckAsync(GovernedPipeline.Model, openIncident: true);
        Assert.Equal(planId, check.PlanId);
        var drift = check.Conditions[0];
        Assert.Equal((1L, true), (drift.Matches, drift.Breached));
        Assert.Equal(clock.Now.AddDays(-7).ToUnixTimeMilliseconds(), drift.WindowStart.ToUnixTimeMilliseconds());
        Assert.Equal((2L, true), (check.Conditions[1].Matches, check.Conditions[1].Breached));
        Assert.Single(drift.MatchedIds);

        // Two conditions breached: the incident takes the shorter deadline (widespread, 2 days).
        var incident = await new IncidentRegister(_p.Storage, clock).GetAsync(check.IncidentId!);
        Assert.NotNull(incident);
        Assert.Equal(IncidentKind.Widespread, incident.Kind);
        Assert.Contains("drift (1 match(es) in 7d", incident.Summary);

        var stored = (await _p.Storage.SearchAsync("event_type = 'monitoring_check'")).Records.Single();
        Assert.Equal(check.Id, stored.Id);
        Assert.Equal(check.IncidentId, (string?)stored.Metadata["incident_id"]);
        Assert.Equal(["drift", "busy"], stored.Metadata["breached"]!.AsArray().Select(n => (string?)n));

        // Eight days on, both windows have passed every record: nothing is breached, the plan's own records never match.
        clock.Now = clock.Now.AddDays(8);
        var later = await monitor.CheckAsync(GovernedPipeline.Model, openIncident: true);
        Assert.False(later.Breached);
        Assert.All(later.Conditions, c => Assert.Equal(0, c.Matches));
        Assert.Null(later.IncidentId);
    }

    [Fact]
    public async Task Check_WithoutOpenIncident_RecordsTheBreachButOpensNothing_AndWithoutAPlanSaysHowToSetOne()
    {
        var monitor = new PostMarketMonitor(_p.Storage);
        var none = await Assert.ThrowsAsync<InvalidOperationException>(async () => await monitor.CheckAsync(GovernedPipeline.Model));
        Assert.Contains("ciaf monitoring plan set", none.Message);
        await monitor.SetPlanAsync(GovernedPipeline.Model, Plan());
        var check = await monitor.CheckAsync(GovernedPipeline.Model);
        Assert.True(check.Breached);
        Assert.Null(check.IncidentId);
        Assert.Equal(0, await _p.Storage.CountAsync("event_type = 'incident_opened'"));
        var plan = await monitor.GetPlanAsync(GovernedPipeline.Model);
        Assert.Equal("drift and volume", plan!.Description);
        Assert.Equal(["drift", "busy"], plan.Conditions.Select(c => c.Name));
    }

    [Fact]
    public void Parse_ListsEveryProblem_EachNamingItsField()
    {
        var e = Assert.Throws<ArgumentException>(() => MonitoringPlan.Parse("""
            {"conditions": [
               {"name": "a", "filter": "stage = 'monitoring' AND colour = 'red'", "window": "7d"},
               {"name": "b", "filter": "stage = 'inference'", "window": "7 days", "min_matches": 0},
               {"name": "c", "filter": "stage = 'inference'", "window": "1w", "incident_kind": "catastrophic", "extra": 1},
               {"filter": "stage = 'inference'", "window": "1d"}],
             "owner": "me"}
            """));
        foreach (var expected in new[]
                 {
                     "'owner' is not a plan field", "conditions[0].filter: Invalid filter: unknown field 'colour'", "conditions[1].window: '7 days' is not a duration",
                     "conditions[2].incident_kind: 'catastrophic'", "conditions[2]: 'extra' is not a condition field", "conditions[3].name: required",
                 })
        {
            Assert.Contains(expected, e.Message);
        }
        var twice = Assert.Throws<ArgumentException>(() => MonitoringPlan.Parse("""{"conditions": [{"name": "a", "filter": "stage = 'x'", "window": "1d"}, {"name": "a", "filter": "stage = 'y'", "window": "1d"}]}"""));
        Assert.Contains("'a' is used twice", twice.Message);
        Assert.Contains("min_matches: 0 must be at least 1", Assert.Throws<ArgumentException>(() => new MonitoringCondition("b", "stage = 'x'", "1d", 0)).Message);
        Assert.Contains("not JSON", Assert.Throws<ArgumentException>(() => MonitoringPlan.Parse("{conditions")).Message);
    }
}
