using System.Globalization;
using System.Text.Json.Nodes;

namespace Ciaf.Metadata.Compliance;

/// <summary>
/// The EU AI Act (Regulation (EU) 2024/1689) obligations of a high-risk system's provider, scored over Arts. 9, 10, 11,
/// 12, 13, 14, 15, 17, 72 and 73 (0.10 each; see docs/governance.md). Evidence has two parts: <c>store_evidence</c>,
/// gathered from the store by <see cref="ComplianceTracker.TrackEuAiActCompliance"/> (the ledger, the Art. 12 events, the
/// validation metrics, the Annex IV coverage, the monitoring plan and checks, the incidents), and <c>declared</c>, what
/// the provider states. A requirement the store can judge is judged from <c>store_evidence</c> (finding basis
/// <c>evidenced</c>); without it, and for the requirements only a person can attest, from <c>declared</c> (basis
/// <c>declared</c>). Each finding carries its crosswalk to ISO/IEC 42001 Annex A and the NIST AI RMF functions.
/// The score says what the records show; it is not a conformity assessment.
/// </summary>
public sealed class EuAiActComplianceFramework : ComplianceFramework
{
    /// <summary>Creates the framework (name <c>EU_AI_ACT</c>).</summary>
    public EuAiActComplianceFramework() : base(ComplianceFrameworkNames.EuAiAct) { }

    /// <summary>The requirements: key, weight, citation, the declared key that stands in without store evidence, and the crosswalk.</summary>
    internal static IReadOnlyList<(string Requirement, double Weight, string Citation, string DeclaredKey, ControlCrosswalk Crosswalk)> Requirements { get; } =
    [
        ("risk_management.system", 0.10, "Art. 9(1), 9(2)", "risk_management_system", new(["A.5.2", "A.5.3", "A.5.4"], ["Govern", "Map", "Manage"])),
        ("data_governance.provenance", 0.04, "Art. 10(2)(a)-(b)", "data_provenance", new(["A.7.3", "A.7.5"], ["Map"])),
        ("data_governance.preparation", 0.03, "Art. 10(2)(c)", "data_preparation", new(["A.7.4", "A.7.6"], ["Map", "Measure"])),
        ("data_governance.bias_examination", 0.03, "Art. 10(2)(f)-(g)", "bias_examination", new(["A.7.4", "A.5.4"], ["Measure"])),
        ("technical_documentation.annex_iv", 0.10, "Art. 11(1), Annex IV", "technical_documentation", new(["A.6.2.7", "A.6.2.3"], ["Govern", "Map"])),
        ("logging.ledger", 0.05, "Art. 12(1)", "automatic_logging", new(["A.6.2.8"], ["Manage"])),
        ("logging.use_periods", 0.05, "Art. 12(2), 12(3)(a)", "use_logging", new(["A.6.2.8", "A.6.2.6"], ["Measure", "Manage"])),
        ("transparency.instructions_for_use", 0.10, "Art. 13(2)-(3)", "instructions_for_use", new(["A.8.2", "A.9.4"], ["Govern", "Map"])),
        ("human_oversight.measures", 0.04, "Art. 14(1)-(4)", "human_oversight_measures", new(["A.9.2", "A.3.2"], ["Govern", "Manage"])),
        ("human_oversight.events_in_period", 0.06, "Art. 14(5), 26(2)", "human_oversight_in_operation", new(["A.9.2", "A.6.2.6"], ["Manage"])),
        ("accuracy.declared_levels_met", 0.06, "Art. 15(1)-(3)", "accuracy_levels_met", new(["A.6.2.4"], ["Measure"])),
        ("cybersecurity.measures", 0.04, "Art. 15(4)-(5)", "cybersecurity_measures", new(["A.6.2.4", "A.6.2.6"], ["Measure", "Manage"])),
        ("quality_management.system", 0.10, "Art. 17(1)", "quality_management_system", new(["A.2.2", "A.6.1.3"], ["Govern"])),
        ("post_market.plan", 0.05, "Art. 72(1), 72(3)", "monitoring_plan", new(["A.6.2.6"], ["Measure", "Manage"])),
        ("post_market.recent_checks", 0.05, "Art. 72(2)", "monitoring_checks", new(["A.6.2.6"], ["Measure"])),
        ("incidents.reported_on_time", 0.10, "Art. 73(2)-(5)", "incident_reporting", new(["A.8.4", "A.8.3"], ["Manage"])),
    ];

    /// <inheritdoc />
    public override ComplianceEvaluation Assess(JsonObject evidence)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        var declared = evidence["declared"] as JsonObject ?? [];
        var store = evidence["store_evidence"] as JsonObject;
        var findings = new List<ComplianceFinding>();
        double score = 0;
        foreach (var (requirement, weight, citation, declaredKey, crosswalk) in Requirements)
        {
            var judged = store is null ? null : FromStore(requirement, store, declared);
            var (met, earned, reason, basis) = judged is { } j
                ? (j.Met, j.Share * weight, j.Reason, "evidenced")
                : FromDeclared(declaredKey, declared, store is null && IsStoreJudged(requirement));
            double e = met ? weight : earned;
            score += e;
            findings.Add(new ComplianceFinding(requirement, met, weight, e, reason, citation) { Basis = basis, Crosswalk = crosswalk });
        }
        return new ComplianceEvaluation(Math.Min(score, 1.0), findings);
    }

    private static bool IsStoreJudged(string requirement) => requirement is not ("risk_management.system" or "transparency.instructions_for_use"
        or "human_oversight.measures" or "cybersecurity.measures" or "quality_management.system");

    private static (bool Met, double Earned, string Reason, string Basis) FromDeclared(string key, JsonObject declared, bool storeCouldTell)
    {
        string suffix = storeCouldTell ? " (no store evidence: assess with TrackEuAiActCompliance to judge it from the records)" : "";
        if (!declared.TryGetPropertyValue(key, out var value) || value is null) return (false, 0, $"declared.{key} not provided{suffix}", "declared");
        bool met = EvidenceReader.IsTrue(value);
        return (met, 0, $"declared.{key} = {Short(value)}{(met ? "" : " (not in place)")}{suffix}", "declared");
    }

    private sealed record Judgement(bool Met, double Share, string Reason);

    // The requirements the records can answer; null for those only a person can attest.
    private static Judgement? FromStore(string requirement, JsonObject s, JsonObject declared)
    {
        var c = CultureInfo.InvariantCulture;
        long N(params string[] path) => (long)(Number(s, path) ?? 0);
        switch (requirement)
        {
            case "data_governance.provenance":
                return Count(N("data", "with_source"), "data ingestion record(s) naming their source", "no data ingestion record names its source (manager.LogDataIngestion(new { source, … }))");
            case "data_governance.preparation":
                return Count(N("data", "preprocessing_records"), "data preprocessing record(s)", "no data preprocessing record (manager.LogDataPreprocessing)");
            case "data_governance.bias_examination":
                return Count(N("data", "fairness_breakdowns"), "per-group breakdown(s) in the validation records", "no validation record holds a per-group (fairness) breakdown");
            case "technical_documentation.annex_iv":
            {
                long items = N("annex_iv", "items"), evidenced = N("annex_iv", "evidenced");
                double share = items == 0 ? 0 : (double)evidenced / items;
                string gaps = s["annex_iv"]?["gaps"] is JsonArray g && g.Count > 0 ? $"; gaps: {string.Join(", ", g.Select(x => x?.ToString()))}" : "";
                return new(items > 0 && evidenced == items, share, string.Create(c, $"{evidenced} of {items} Annex IV items evidenced from the store{gaps}"));
            }
            case "logging.ledger":
            {
                bool on = Flag(s, "ledger", "enabled") && Flag(s, "ledger", "active");
                return new(on, 0, on
                    ? "every record is logged automatically to the tamper-evident ledger" + (Flag(s, "ledger", "signed_checkpoint") ? ", with signed checkpoints" : " (no signed checkpoint yet)")
                    : "the store's ledger is off or not initialized: events are not logged tamper-evidently (ledger_enabled, ciaf ledger init)");
            }
            case "logging.use_periods":
                return Count(N("article_12", "use_periods"), "period(s) of use recorded (use_ended)", "no period of use is recorded (manager.LogUseStarted/LogUseEnded, MetadataCapture.MarkAsUse, ciaf log use-start)");
            case "human_oversight.events_in_period":
            {
                long n = N("article_12", "oversight_in_period");
                long days = N("period", "days");
                return new(n > 0, 0, n > 0
                    ? string.Create(c, $"{n} human oversight event(s) in the last {days} days")
                    : string.Create(c, $"no human oversight event in the last {days} days (manager.LogHumanOversight, ciaf log oversight)"));
            }
            case "accuracy.declared_levels_met":
                return Accuracy(s, declared);
            case "post_market.plan":
            {
                string? plan = s["monitoring"]?["plan_id"]?.ToString();
                return new(plan is not null, 0, plan is not null ? $"monitoring plan in force (record {plan})" : "no post-market monitoring plan (ciaf monitoring plan set)");
            }
            case "post_market.recent_checks":
            {
                long n = N("monitoring", "checks_in_recency");
                long days = N("monitoring", "recency_days");
                return new(n > 0, 0, n > 0 ? string.Create(c, $"{n} check(s) of the plan in the last {days} days")
                    : string.Create(c, $"no check of the plan in the last {days} days (ciaf monitoring check)"));
            }
            case "incidents.reported_on_time":
            {
                long total = N("incidents", "total"), overdue = N("incidents", "overdue"), late = N("incidents", "reported_late");
                bool met = overdue == 0 && late == 0;
                return new(met, 0, total == 0 ? "no serious incident recorded"
                    : string.Create(c, $"{total} incident(s): {overdue} overdue, {late} reported late, {N("incidents", "due")} due, {N("incidents", "reported")} reported on time"));
            }
            default:
                return null;
        }
    }

    private static Judgement Count(long n, string what, string none) =>
        new(n > 0, 0, n > 0 ? string.Create(CultureInfo.InvariantCulture, $"{n} {what}") : none);

    private static Judgement Accuracy(JsonObject s, JsonObject declared)
    {
        if (declared["performance_thresholds"] is not JsonObject floors || floors.Count == 0)
        {
            return new(false, 0, "no performance thresholds declared (declared.performance_thresholds: {\"accuracy\": 0.8, …})");
        }
        if (s["validation"]?["metrics"] is not JsonObject metrics)
        {
            return new(false, 0, "no validation record with metrics (manager.LogValidation)");
        }
        var parts = new List<string>();
        bool all = true;
        foreach (var (metric, floorNode) in floors)
        {
            if (!EvidenceReader.TryGetNumber(floorNode, out double floor))
            {
                parts.Add($"{metric}: the declared threshold {Short(floorNode)} is not a number");
                all = false;
            }
            else if (!EvidenceReader.TryGetNumber(metrics[metric], out double value))
            {
                parts.Add($"{metric}: not recorded in validation");
                all = false;
            }
            else
            {
                bool ok = value >= floor;
                all &= ok;
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{metric} = {value:R} {(ok ? ">=" : "<")} {floor:R}"));
            }
        }
        return new(all, 0, $"validation record {s["validation"]?["record_id"]}: " + string.Join("; ", parts));
    }

    private static double? Number(JsonObject s, params string[] path)
    {
        JsonNode? node = s;
        foreach (var p in path) node = node is JsonObject o ? o[p] : null;
        return EvidenceReader.TryGetNumber(node, out var d) ? d : null;
    }

    private static bool Flag(JsonObject s, string group, string key) => EvidenceReader.IsTrue(s[group]?[key]);

    private static string Short(JsonNode? value)
    {
        string text = EvidenceReader.Show(value);
        return text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 79), "…");
    }
}
