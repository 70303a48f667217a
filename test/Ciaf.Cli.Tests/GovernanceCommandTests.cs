using System.Text.Json.Nodes;
using Ciaf.Cli.Tests.Support;

namespace Ciaf.Cli.Tests;

/// <summary><c>ciaf log</c>, <c>docs declare</c>, <c>incident</c> and <c>monitoring</c> on a store of their own.</summary>
public sealed class GovernanceCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string Store => _folder.Combine("store");

    private Task<CliResult> Run(params string[] args) => CiafTool.RunAsync(_folder.Path, [.. args, "--store", Store, "--backend", "sqlite"]);

    private async Task<CliResult> Ok(params string[] args)
    {
        var r = await Run(args);
        Assert.True(r.ExitCode == 0, r.ToString());
        return r;
    }

    private async Task SeedAsync() => await Ok("save", "scorer", "training", "training_started", "--metadata", "{\"algorithm\": \"gbm\"}", "--model-version", "3.1.0");

    [Fact]
    public async Task Log_RecordsEachArticle12Event_UnderTheModelsCurrentVersion_AndRefusesBadInput()
    {
        await SeedAsync();
        string use = (await Ok("log", "use-start", "scorer", "--context", "{\"session\": 1}")).Stdout.Trim();
        var ended = (await Ok("log", "use-end", use, "--outcome", "{\"decisions\": 3}", "--json")).Json();
        Assert.Equal(("operation", "use_ended", "3.1.0"), ((string?)ended["stage"], (string?)ended["event_type"], (string?)ended["model_version"]));
        Assert.Equal(use, (string?)ended["metadata"]!["use_id"]);
        await Ok("log", "input-check", "scorer", "--reference", "watchlist v2", "--matched", "false", "--use", use);
        await Ok("log", "oversight", "scorer", "--by", "alice", "--decision", "overridden", "--reason", "documents", "--system-output", "{\"decision\": \"declined\"}");
        await Ok("log", "risk", "scorer", "--severity", "critical", "--description", "outage of the bureau feed");
        var mod = (await Ok("log", "modification", "scorer", "--model-version", "3.2.0", "--previous-version", "3.1.0", "--trigger", "drift", "--description", "retrained", "--json")).Json();
        Assert.Equal(("model_lifecycle", "3.2.0"), ((string?)mod["stage"], (string?)mod["model_version"]));
        Assert.Equal(1, (int)(await Ok("search", "metadata.override = true AND metadata.verified_by = 'alice'", "--count", "--json")).Json()["count"]!);
        Assert.Equal(1, (int)(await Ok("search", "event_type = 'input_checked' AND metadata.matched = false", "--count", "--json")).Json()["count"]!);

        var again = await Run("log", "use-end", use);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("already ended", again.Stderr);
        Assert.Equal(2, (await Run("log", "oversight", "scorer", "--by", "bob", "--decision", "ignored")).ExitCode);
        var unknown = await Run("log", "risk", "nobody", "--severity", "low", "--description", "x");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("holds no record of model 'nobody'", unknown.Stderr);
        Assert.Equal(2, (await Run("log", "use-start", "scorer", "--context", "{not json")).ExitCode);
    }

    [Fact]
    public async Task DocsDeclare_ValidatesEveryFact_ThenTheAnnexIvPackUsesThem()
    {
        await SeedAsync();
        await File.WriteAllTextAsync(_folder.Combine("facts.json"), """{"intended_purpose": "rank leads", "owners": [{"name": "Data team", "contact": "dt@example.com"}]}""");
        var bad = await Run("docs", "declare", "scorer", "--fact", "hardwre=x", "--fact", "owners=me");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("'hardwre' is not a declared fact", bad.Stderr);
        Assert.Contains("owners: must be an array", bad.Stderr);
        Assert.Equal(2, (await Run("docs", "declare", "scorer", "--fact", "no-equals-sign")).ExitCode);
        await Ok("docs", "declare", "scorer", "--file", "facts.json", "--fact", "hardware=x86-64 with 4 GB", "--fact", "provider=Acme");
        var pack = JsonNode.Parse((await Ok("docs", "annex-iv", "scorer", "--json")).Stdout)!;
        var items = pack["sections"]!.AsArray().SelectMany(s => s!["items"]!.AsArray()).ToDictionary(i => (string)i!["id"]!, i => i!);
        Assert.Equal("evidenced", (string?)items["1(e)"]["status"]);
        Assert.Equal("Hardware: x86-64 with 4 GB", (string?)items["1(e)"]["text"]);
        Assert.Equal("evidenced", (string?)items["1(a)"]["status"]);
        Assert.Equal("gap", (string?)items["6"]["status"]);   // `ciaf save` alone writes no lifecycle record
        Assert.Contains("new ModelMetadataManager(model, version, storage)", (string?)items["6"]["text"]);
        Assert.Equal("gap", (string?)items["2(g)"]["status"]);
        Assert.Contains("manager.LogValidation", (string?)items["2(g)"]["text"]);
        var facts = (await Ok("docs", "facts", "--json")).Json().AsArray();
        Assert.Contains(facts, f => (string?)f!["name"] == "declaration_of_conformity" && (string?)f["used_by"]![0] == "8");
        var version = await Run("docs", "annex-iv", "scorer", "--version", "9.9.9");
        Assert.Equal(1, version.ExitCode);
        Assert.Contains("at version '9.9.9'", version.Stderr);
        Assert.Equal(1, (await Run("model-card", "nobody")).ExitCode);
    }

    [Fact]
    public async Task Incident_DueAtIsExactFromAnAwarenessAt2359Utc_AndTheLifecycleIsRecorded()
    {
        await SeedAsync();
        var opened = (await Ok("incident", "open", "scorer", "--kind", "death", "--aware-at", "2026-03-01T23:59:00Z", "--summary", "fatal misclassification", "--json")).Json();
        Assert.Equal("2026-03-11T23:59:00+00:00", (string?)opened["due_at"]);
        Assert.Equal("2026-03-01T23:59:00+00:00", (string?)opened["aware_at"]);
        Assert.Equal("Art. 73(4)", (string?)opened["article"]);
        string id = (string)opened["id"]!;
        var other = (await Ok("incident", "open", "scorer", "--kind", "critical_infrastructure", "--aware-at", "2026-03-02T00:59:00+01:00", "--summary", "grid", "--json")).Json();
        Assert.Equal("2026-03-03T23:59:00+00:00", (string?)other["due_at"]);   // the same instant in another offset
        Assert.Equal(2, (await Run("incident", "open", "scorer", "--kind", "minor", "--aware-at", "1h", "--summary", "x")).ExitCode);

        var updated = (await Ok("incident", "update", id, "--report", "initial", "--reported-at", "2026-03-11T23:59:00Z", "--note", "incomplete", "--json")).Json();
        Assert.Equal("reported", (string?)updated["deadline"]);   // at the deadline exactly: on time
        var late = (await Ok("incident", "update", (string)other["id"]!, "--report", "initial", "--reported-at", "2026-03-03T23:59:01Z", "--json")).Json();
        Assert.Equal("reported_late", (string?)late["deadline"]);
        await Ok("incident", "close", id, "--resolution", "model withdrawn");
        var afterClose = await Run("incident", "update", id, "--note", "x");
        Assert.Equal(1, afterClose.ExitCode);
        Assert.Contains("was closed", afterClose.Stderr);

        var open = (await Ok("incident", "list", "--open", "--json")).Json().AsArray();
        Assert.Equal([(string?)other["id"]], open.Select(i => (string?)i!["id"]));
        var table = await Ok("incident", "list", "scorer");
        Assert.Contains("2026-03-11 23:59:00", table.Stdout);
        Assert.Contains("reported_late", table.Stdout);
    }

    [Fact]
    public async Task Monitoring_PlanSetListsEveryProblem_CheckRecordsAndOpensAnIncident()
    {
        await SeedAsync();
        await Ok("save", "scorer", "monitoring", "drift", "--metadata", "{\"psi\": 0.4}", "--model-version", "3.1.0");
        string badPlan = _folder.Combine("bad.json");
        await File.WriteAllTextAsync(badPlan, """{"conditions": [{"name": "d", "filter": "metadata.psi >", "window": "1 week"}]}""");
        var bad = await Run("monitoring", "plan", "set", "scorer", "--file", badPlan);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("conditions[0].filter", bad.Stderr);
        var noPlan = await Run("monitoring", "check", "scorer");
        Assert.Equal(1, noPlan.ExitCode);
        Assert.Contains("has no monitoring plan", noPlan.Stderr);

        string plan = _folder.Combine("plan.json");
        await File.WriteAllTextAsync(plan, """{"conditions": [{"name": "drift", "filter": "stage = 'monitoring' AND metadata.psi > 0.2", "window": "7d", "incident_kind": "serious"}]}""");
        await Ok("monitoring", "plan", "set", "scorer", "--file", plan);
        var check = (await Ok("monitoring", "check", "scorer", "--open-incident", "--json")).Json();
        Assert.True((bool)check["breached"]!);
        Assert.Equal(1, (int)check["conditions"]![0]!["matches"]!);
        var incident = (await Ok("incident", "list", "scorer", "--json")).Json().AsArray().Single()!;
        Assert.Equal((string?)check["incident_id"], (string?)incident["id"]);
        Assert.Equal("serious", (string?)incident["kind"]);
        Assert.Equal("due", (string?)incident["deadline"]);
        Assert.Contains("breached", (await Ok("monitoring", "check", "scorer")).Stdout);
        Assert.Equal(2, (int)(await Ok("search", "event_type = 'monitoring_check'", "--count", "--json")).Json()["count"]!);
    }
}
