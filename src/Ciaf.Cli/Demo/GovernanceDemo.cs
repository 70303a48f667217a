using Ciaf.Metadata;
using Ciaf.Metadata.Capture;
using Ciaf.Metadata.Governance;
using Ciaf.Metadata.Integration;

namespace Ciaf.Cli.Demo;

/// <summary>What the demo's governance steps produced.</summary>
internal sealed record GovernanceOutcome(string MonitoringCheckId, bool Breached, string IncidentId, string IncidentDeadline, DateTimeOffset IncidentDueAt);

/// <summary>
/// The EU AI Act side of the credit-scoring demo (docs/governance.md): the Art. 12 events of every inference batch (the
/// batch as a use, the input check against the training data's ranges, a loan officer's review of the closest decline),
/// the declared facts, the post-market monitoring plan and its check, and one incident reported to the authority.
/// </summary>
internal sealed class GovernanceDemo(MetadataStorage storage, ModelMetadataManager manager, Action<string> step)
{
    /// <summary>What the provider states for the EU AI Act assessment (the rest is judged from the store).</summary>
    public static readonly object Declared = new
    {
        quality_management_system = "Model risk management policy MRM-7 (ISO/IEC 42001-aligned), reviewed yearly",
        performance_thresholds = new { accuracy = 0.65, auc_roc = 0.7 },
    };

    /// <summary>
    /// The Art. 12 events of one inference batch: the capture scope is the use (its start and end recorded when it ends);
    /// the batch is checked against the training data's feature ranges; a loan officer reviews the decline closest to the
    /// threshold and overrides it when the score is within 0.05 of it.
    /// </summary>
    public static async Task RecordBatchAsync(ModelMetadataManager manager, MetadataCapture capture, int batchNumber, IReadOnlyList<CreditApplicant> batch,
        IReadOnlyList<CreditPrediction> predictions, IReadOnlyList<CreditApplicant> training, CancellationToken cancellationToken)
    {
        capture.MarkAsUse(new { batch_number = batchNumber, applicants = batch.Count });
        int features = CreditApplicant.FeatureColumns.Length;
        var min = Enumerable.Range(0, features).Select(i => training.Min(t => t.Feature(i))).ToArray();
        var max = Enumerable.Range(0, features).Select(i => training.Max(t => t.Feature(i))).ToArray();
        int outside = batch.Count(a => Enumerable.Range(0, features).Any(i => a.Feature(i) < min[i] || a.Feature(i) > max[i]));
        await manager.LogInputCheckAsync("training split feature ranges (min/max per feature)", matched: outside == 0,
            input: new { batch_number = batchNumber, applicants = batch.Count, outside_training_range = outside }, useId: capture.CaptureId,
            cancellationToken: cancellationToken).ConfigureAwait(false);
        var closest = predictions.Where(p => !p.Approved).OrderByDescending(p => p.Probability).ThenBy(p => p.ApplicantId, StringComparer.Ordinal).FirstOrDefault();
        if (closest is null) return;
        bool overridden = closest.Probability >= CreditScoringDemo.DecisionThreshold - 0.05;
        await manager.LogHumanOversightAsync("loan_officer_7", overridden ? "overridden" : "confirmed", capture.CaptureId,
            systemOutput: new { applicant = closest.ApplicantId, decision = "declined", probability = Math.Round(closest.Probability, 4) },
            finalOutput: new { decision = overridden ? "approved" : "declined" },
            reason: overridden ? "score within 0.05 of the threshold; verified income documents" : "review of the closest decline confirmed it",
            cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Declares the facts, sets and runs the monitoring plan, and opens and reports one incident.</summary>
    public async Task<GovernanceOutcome> RunAsync(double maxPsi, CancellationToken cancellationToken)
    {
        step("Declaring the technical documentation's facts");
        await manager.LogDeclaredFactsAsync(Facts, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (maxPsi >= PopulationStability.SignificantShift)
        {
            await manager.LogRiskSituationAsync("high", $"Significant drift of the live population (max PSI {maxPsi:0.###}): decisions may be unreliable for new applicants",
                context: new { max_psi = Math.Round(maxPsi, 4) }, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        step("Post-market monitoring: setting the plan and checking it");
        var monitor = new PostMarketMonitor(storage);
        await monitor.SetPlanAsync(manager.ModelName, Plan, manager.ModelVersion, cancellationToken).ConfigureAwait(false);
        var check = await monitor.CheckAsync(manager.ModelName, openIncident: true, cancellationToken).ConfigureAwait(false);

        step("Reporting the incident (Art. 73)");
        var register = new IncidentRegister(storage);
        string incidentId = check.IncidentId ?? (await register.OpenAsync(manager.ModelName, IncidentKind.Other, register.Now,
            "A loan officer's review found a wrongful decline (see the human_oversight records)", manager.ModelVersion, cancellationToken: cancellationToken).ConfigureAwait(false)).Id;
        var incident = await register.UpdateAsync(incidentId, report: "initial",
            note: "Initial, incomplete report to the market surveillance authority (Art. 73(5)); the complete report follows the root-cause analysis",
            cancellationToken: cancellationToken).ConfigureAwait(false);
        return new GovernanceOutcome(check.Id, check.Breached, incident.Id, IncidentDeadlines.Name(incident.DeadlineState(register.Now)), incident.DueAt);
    }

    /// <summary>The monitoring plan: drift of the score, drift of any feature, and approval rates collapsing in live batches.</summary>
    public static MonitoringPlan Plan { get; } = new(
    [
        new MonitoringCondition("score_drift", "stage = 'monitoring' AND metadata.psi.score > 0.2", "7d", 1, IncidentKind.Serious),
        new MonitoringCondition("feature_drift", "stage = 'monitoring' AND metadata.drift_detected = true", "7d"),
        new MonitoringCondition("approval_collapse", "stage = 'inference' AND event_type = 'batch_prediction' AND metadata.approval_rate < 0.3", "7d", 2),
    ], "Weekly drift and approval-rate checks of the live credit decisions; a breach of score_drift opens a serious incident for the model risk team");

    // Facts only the provider can state. The EU declaration of conformity (Annex IV point 8) is left out on purpose: the
    // demo cannot sign one, and the pack shows it as a gap naming the command that records it.
    private static readonly object Facts = new
    {
        intended_purpose = "Scores consumer credit applications (probability of repayment) to support, not replace, a loan officer's decision",
        provider = "CIAF demo bank (synthetic)",
        interactions = "Reads applications from the loan origination system; writes a score and adverse-action reasons back to it; no other AI system",
        software_versions = "ML.NET 5 on .NET 10; updates follow the bank's change process and are logged as substantial modifications",
        distribution_forms = "Batch scoring service deployed in the bank's own infrastructure (not placed on the market)",
        hardware = "x86-64 servers, 2 vCPU and 4 GB of memory per scoring instance",
        product_integration = "Not applicable: the system is software, not a component of a product",
        user_interface = "The loan officer sees the score, the decision and the top adverse-action reasons in the origination system",
        instructions_for_use = "Instructions for use v1 (intranet: /mrm/credit-scoring/ifu): scores near the threshold must be reviewed by a loan officer",
        design_rationale = "A regularised logistic regression: interpretable weights give adverse-action reasons (FCRA) and stable behaviour; protected attributes are not inputs",
        architecture = "Cleaning → min-max normalisation → L-BFGS logistic regression; one ML.NET pipeline, scored in batches",
        data_labelling = "Labels are observed repayment outcomes from the (synthetic) bureau; no manual labelling",
        oversight_assessment = "Declines within 0.05 of the threshold are reviewed by a loan officer, who can override; overrides are logged (human_oversight)",
        predetermined_changes = "None: any retraining is a substantial modification, re-validated before deployment",
        cybersecurity = "Metadata in a tamper-evident ledger with signed checkpoints; access audited; model file identified by its SHA-256",
        limitations = new[] { "Trained on synthetic data: not for real lending decisions", "Less reliable when the live population drifts (PSI above 0.2)" },
        foreseeable_risks = new object[] { new { name = "Indirect discrimination through proxies of age or gender", mitigation_strategy = "Four-fifths rule and equalized odds checked per group at validation" } },
        metrics_rationale = "Accuracy and AUC measure ranking and decision quality; precision limits wrongful approvals, recall wrongful declines; calibration supports the threshold",
        risk_management = "Risks identified at design and in operation (risk_situation records), treated by the model risk team; residual risk accepted by the credit committee",
        standards = "No harmonised standard is yet published for the AI Act; ISO/IEC 42001:2023 and ISO/IEC 23894:2023 are followed",
        owners = new object[] { new { name = "Model risk team", contact = "mrm@example.com" } },
        license = "proprietary",
        users = new[] { "Loan officers", "Model risk managers" },
        use_cases = new[] { "Pre-scoring consumer credit applications for a loan officer's decision" },
    };
}
