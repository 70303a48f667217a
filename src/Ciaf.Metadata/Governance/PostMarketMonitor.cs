using System.Text.Json.Nodes;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Search;
using Ciaf.Metadata.Storage;

namespace Ciaf.Metadata.Governance;

/// <summary>
/// Post-market monitoring (Art. 72): a plan per model (<c>post_market/monitoring_plan</c>; the newest is in force) and
/// checks that evaluate it against the model's records and record what they found (<c>post_market/monitoring_check</c>),
/// optionally opening an incident (<see cref="IncidentRegister"/>). <c>ciaf monitoring plan set|show</c> and
/// <c>ciaf monitoring check</c> are this class.
/// </summary>
/// <param name="storage">The store.</param>
/// <param name="timeProvider">The clock: a check's windows end at its "now" (default: the system clock).</param>
public sealed class PostMarketMonitor(MetadataStorage storage, TimeProvider? timeProvider = null)
{
    /// <summary>The most matching record ids a check keeps per condition (the newest).</summary>
    public const int MaxMatchedIds = 20;

    private readonly MetadataStorage _storage = storage ?? throw new ArgumentNullException(nameof(storage));
    private readonly TimeProvider _clock = timeProvider ?? TimeProvider.System;

    /// <summary>Records <paramref name="plan"/> as the model's plan in force; returns the plan record's id.</summary>
    /// <param name="modelName">The model.</param>
    /// <param name="plan">The plan.</param>
    /// <param name="modelVersion">The version it applies to; default: the model's current version.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    public async ValueTask<string> SetPlanAsync(string modelName, MonitoringPlan plan, string? modelVersion = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelName);
        ArgumentNullException.ThrowIfNull(plan);
        string version = await GovernanceStore.VersionOrLatestAsync(_storage, modelName, modelVersion, cancellationToken).ConfigureAwait(false);
        return await _storage.SaveMetadataAsync(modelName, GovernanceStages.PostMarket, GovernanceEvents.MonitoringPlan, plan.ToJson(), version,
            plan.Description ?? $"Post-market monitoring plan: {plan.Conditions.Count} condition(s)", cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc cref="SetPlanAsync"/>
    public string SetPlan(string modelName, MonitoringPlan plan, string? modelVersion = null) => SyncOverAsync.Run(SetPlanAsync(modelName, plan, modelVersion));

    /// <summary>The model's plan in force (the newest), or null.</summary>
    /// <param name="modelName">The model.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async ValueTask<MonitoringPlan?> GetPlanAsync(string modelName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelName);
        var newest = await GovernanceStore.ListAsync(_storage, PlanFilter(modelName), newestFirst: true, cancellationToken, limit: 1).ConfigureAwait(false);
        return newest.Count == 0 ? null : MonitoringPlan.FromRecord(newest[0]);
    }

    /// <inheritdoc cref="GetPlanAsync"/>
    public MonitoringPlan? GetPlan(string modelName) => SyncOverAsync.Run(GetPlanAsync(modelName));

    /// <summary>
    /// Evaluates the model's plan now: for each condition, the model's records matching its filter in its window (the
    /// <c>post_market</c> records themselves left out); records the check; with <paramref name="openIncident"/> and a
    /// breach, first opens one incident (aware now) of the most urgent kind the breached conditions name.
    /// </summary>
    /// <param name="modelName">The model.</param>
    /// <param name="openIncident">Open an incident when a condition is breached.</param>
    /// <param name="cancellationToken">Cancels the reads and saves.</param>
    /// <exception cref="InvalidOperationException">The model has no plan.</exception>
    public async ValueTask<MonitoringCheck> CheckAsync(string modelName, bool openIncident = false, CancellationToken cancellationToken = default)
    {
        var plan = await GetPlanAsync(modelName, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Model '{modelName}' has no monitoring plan: set one with `ciaf monitoring plan set {modelName} --file plan.json` (PostMarketMonitor.SetPlanAsync).");
        var now = PythonTimestamp.Now(_clock);
        var results = new List<MonitoringConditionResult>();
        foreach (var c in plan.Conditions)
        {
            string filter = $"{GovernanceStore.ModelClause(modelName)} AND stage != {FilterLexer.QuoteString(GovernanceStages.PostMarket)}"
                + $" AND timestamp >= now() - {c.WindowText} AND ({c.Filter})";
            var options = new SearchOptions { Now = now, Limit = MaxMatchedIds };
            long matches = await _storage.CountAsync(filter, options, cancellationToken).ConfigureAwait(false);
            var page = await _storage.SearchAsync(filter, options, cancellationToken).ConfigureAwait(false);
            results.Add(new MonitoringConditionResult(c.Name, c.Filter, c.WindowText, now - c.Window, matches, c.MinMatches, [.. page.Records.Select(r => r.Id)]));
        }
        var breached = results.Where(r => r.Breached).ToList();
        string? incidentId = null;
        string version = await GovernanceStore.VersionOrLatestAsync(_storage, modelName, null, cancellationToken).ConfigureAwait(false);
        if (openIncident && breached.Count > 0)
        {
            var kind = breached.Select(r => plan.Conditions.First(c => c.Name == r.Name).IncidentKind ?? IncidentKind.Other)
                .OrderBy(IncidentDeadlines.Days).ThenBy(k => k).First();
            string summary = "Post-market monitoring found: " + string.Join("; ", breached.Select(r => $"{r.Name} ({r.Matches} match(es) in {r.Window}, breach at {r.MinMatches})"));
            var incident = await new IncidentRegister(_storage, _clock).OpenAsync(modelName, kind, now, summary, version,
                new { source = "monitoring_check", plan_id = plan.RecordId, breached = breached.Select(r => r.Name).ToArray() }, cancellationToken).ConfigureAwait(false);
            incidentId = incident.Id;
        }
        var data = new JsonObject
        {
            ["plan_id"] = plan.RecordId,
            ["checked_at"] = PythonTimestamp.Format(now),
            ["breached"] = new JsonArray([.. breached.Select(r => (JsonNode?)JsonValue.Create(r.Name))]),
            ["conditions"] = new JsonArray([.. results.Select(r => (JsonNode)r.ToJson())]),
            ["incident_id"] = incidentId,
        };
        string details = breached.Count == 0 ? "No condition breached" : $"Breached: {string.Join(", ", breached.Select(r => r.Name))}";
        string id = await _storage.SaveMetadataAsync(modelName, GovernanceStages.PostMarket, GovernanceEvents.MonitoringCheck, data, version, details, cancellationToken)
            .ConfigureAwait(false);
        return new MonitoringCheck(id, modelName, plan.RecordId!, now, results, incidentId);
    }

    /// <inheritdoc cref="CheckAsync"/>
    public MonitoringCheck Check(string modelName, bool openIncident = false) => SyncOverAsync.Run(CheckAsync(modelName, openIncident));

    private static string PlanFilter(string modelName) =>
        GovernanceStore.ModelClause(modelName) + " AND " + GovernanceStore.EventClause(GovernanceStages.PostMarket, GovernanceEvents.MonitoringPlan);
}
