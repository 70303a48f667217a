using System.Text.Json.Nodes;
using Ciaf.Metadata.Compliance;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Search;

namespace Ciaf.Metadata.Governance;

/// <summary>
/// Gathers what the store can tell about a model version's EU AI Act obligations, as the <c>store_evidence</c> of an
/// <see cref="EuAiActComplianceFramework"/> assessment (stored with it, so the assessment shows what it was judged on),
/// and fills the declared requirements the provider has already declared as facts.
/// </summary>
internal static class AiActEvidence
{
    // Declared facts that answer a declared requirement of the framework.
    private static readonly (string Fact, string Declared)[] FactsForDeclared =
    [
        ("risk_management", "risk_management_system"), ("instructions_for_use", "instructions_for_use"),
        ("oversight_assessment", "human_oversight_measures"), ("cybersecurity", "cybersecurity_measures"),
    ];

    public static async Task<JsonObject> CollectAsync(MetadataStorage storage, string modelName, string version, JsonObject declared,
        EuAiActAssessmentOptions options, CancellationToken cancellationToken)
    {
        var e = await ModelEvidence.LoadAsync(storage, modelName, version, cancellationToken).ConfigureAwait(false);
        var now = PythonTimestamp.Now(options.TimeProvider);
        string at = GovernanceStore.ModelClause(modelName, e.Version);
        string model = GovernanceStore.ModelClause(modelName);

        foreach (var (fact, key) in FactsForDeclared)
        {
            if (!declared.ContainsKey(key) && e.Fact(fact) is { } f) declared[key] = $"declared fact '{fact}' (record {f.Record.Id}): {EvidenceText.Fact(f.Value)}";
        }

        var status = storage.Ledger.IsSupported ? await storage.Ledger.StatusAsync(cancellationToken).ConfigureAwait(false) : null;
        long withSource = await storage.CountAsync($"{at} AND stage = 'data_ingestion' AND metadata.source IS NOT NULL", null, cancellationToken).ConfigureAwait(false);
        long oversight = await storage.CountAsync($"{at} AND " + GovernanceStore.EventClause(GovernanceStages.Operation, GovernanceEvents.HumanOversight)
            + $" AND timestamp >= {Since(now, options.OversightPeriod)}", null, cancellationToken).ConfigureAwait(false);
        long recentChecks = await storage.CountAsync($"{model} AND " + GovernanceStore.EventClause(GovernanceStages.PostMarket, GovernanceEvents.MonitoringCheck)
            + $" AND timestamp >= {Since(now, options.CheckRecency)}", null, cancellationToken).ConfigureAwait(false);
        var items = AnnexIvDocumentation.Sections(e).SelectMany(s => s.Items).ToList();
        var states = e.Incidents.Select(i => i.DeadlineState(now)).ToList();

        var evidence = new JsonObject
        {
            ["model_version"] = e.Version,
            ["period"] = new JsonObject { ["to"] = PythonTimestamp.Format(now), ["days"] = Days(options.OversightPeriod) },
            ["ledger"] = new JsonObject
            {
                ["enabled"] = status?.Enabled ?? false,
                ["active"] = status?.Active ?? false,
                ["signed_checkpoint"] = status?.LatestCheckpoint is not null,
            },
            ["article_12"] = new JsonObject
            {
                ["use_periods"] = e.Uses.Total,
                ["input_checks"] = e.InputChecks.Total,
                ["oversight_total"] = e.Oversight.Total,
                ["oversight_in_period"] = oversight,
                ["risk_situations"] = e.Risks.Total,
                ["substantial_modifications"] = e.Modifications.Total,
            },
            ["data"] = new JsonObject
            {
                ["ingestion_records"] = e.Ingestion.Total,
                ["with_source"] = withSource,
                ["preprocessing_records"] = e.Preprocessing.Total,
                ["fairness_breakdowns"] = e.Validation.Records.Sum(r => EvidenceText.Groups(r.Metadata).Count),
            },
            ["validation"] = e.LatestValidation is { } v
                ? new JsonObject
                {
                    ["record_id"] = v.Id,
                    ["metrics"] = new JsonObject([.. EvidenceText.Metrics(v.Metadata).Select(m => KeyValuePair.Create(m.Name, (JsonNode?)m.Value))]),
                }
                : null,
            ["annex_iv"] = new JsonObject
            {
                ["items"] = items.Count,
                ["evidenced"] = items.Count(i => i.Status == AnnexIvItemStatus.Evidenced),
                ["gaps"] = new JsonArray([.. items.Where(i => i.Status == AnnexIvItemStatus.Gap).Select(i => (JsonNode?)JsonValue.Create(i.Id))]),
            },
            ["monitoring"] = new JsonObject
            {
                ["plan_id"] = e.Plan?.Id,
                ["checks_total"] = e.Checks.Total,
                ["checks_in_recency"] = recentChecks,
                ["recency_days"] = Days(options.CheckRecency),
            },
            ["incidents"] = new JsonObject
            {
                ["total"] = e.Incidents.Count,
                ["due"] = states.Count(s => s == IncidentDeadlineState.Due),
                ["overdue"] = states.Count(s => s == IncidentDeadlineState.Overdue),
                ["reported"] = states.Count(s => s == IncidentDeadlineState.Reported),
                ["reported_late"] = states.Count(s => s == IncidentDeadlineState.ReportedLate),
            },
        };
        return evidence;
    }

    // A literal instant: exact for any period (a duration literal is capped at a million units).
    private static string Since(DateTimeOffset now, TimeSpan period) => FilterLexer.QuoteString(PythonTimestamp.Format(now - period));

    private static long Days(TimeSpan span) => Math.Max(1, (long)Math.Ceiling(span.TotalDays));
}
