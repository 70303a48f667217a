using System.Globalization;
using Ciaf.Metadata.Ledger;
using Ciaf.Metadata.Storage;

namespace Ciaf.Metadata.Governance;

/// <summary>
/// Builds the Annex IV technical documentation of a model version from a store (docs/governance.md maps each item to
/// its evidence). Every item is evidenced from the records it cites, or a gap naming what is missing and the method or
/// command that records it. Each cited record gets its ledger receipt; the pack's checkpoint is the newest checkpoint
/// those receipts use, so rebuilding from the same store state gives the same bytes.
/// </summary>
public static class AnnexIvDocumentation
{
    /// <summary>Builds the pack of <paramref name="modelName"/> at <paramref name="version"/> (default: the version of its newest record).</summary>
    /// <param name="storage">The store.</param>
    /// <param name="modelName">The model.</param>
    /// <param name="version">The version; null for the current one.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <exception cref="ArgumentException">The store holds no record of the model (or of that version).</exception>
    /// <remarks>
    /// A cited record no signed checkpoint covers yet gets one signed when the store has a signing key (that is the only
    /// write); without a key it goes without a receipt and the pack's notes say so.
    /// </remarks>
    public static async Task<AnnexIvPack> BuildAsync(MetadataStorage storage, string modelName, string? version = null, CancellationToken cancellationToken = default)
    {
        var evidence = await ModelEvidence.LoadAsync(storage, modelName, version, cancellationToken).ConfigureAwait(false);
        var sections = Sections(evidence);
        var cited = sections.SelectMany(s => s.Items).SelectMany(i => i.Evidence).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var (receipts, notes) = await ProveAsync(storage, cited, cancellationToken).ConfigureAwait(false);
        string? checkpoint = receipts.Values.OrderByDescending(r => r.TreeSize).FirstOrDefault()?.Checkpoint;
        return new AnnexIvPack { Model = evidence.ModelName, Version = evidence.Version, Checkpoint = checkpoint, Sections = sections, Receipts = receipts, Notes = notes };
    }

    /// <inheritdoc cref="BuildAsync"/>
    public static AnnexIvPack Build(MetadataStorage storage, string modelName, string? version = null) =>
        SyncOverAsync.Run(new ValueTask<AnnexIvPack>(BuildAsync(storage, modelName, version)));

    /// <summary>The items without receipts (for the EU AI Act assessment's Art. 11 evidence).</summary>
    internal static IReadOnlyList<AnnexIvSection> Sections(ModelEvidence e) =>
    [
        new("1", "A general description of the AI system", [Item1A(e), Item1B(e), Item1C(e), Item1D(e),
            FactItem(e, "1(e)", "The hardware on which the AI system is intended to run", "hardware", "Hardware"),
            FactItem(e, "1(f)", "Where the AI system is a component of products: photographs or illustrations of external features, marking and internal layout", "product_integration", "Product integration"),
            FactItem(e, "1(g)", "A basic description of the user interface provided to the deployer", "user_interface", "User interface"),
            FactItem(e, "1(h)", "Instructions for use for the deployer", "instructions_for_use", "Instructions for use")]),
        new("2", "A detailed description of the elements of the AI system and of the process for its development",
            [Item2A(e), Item2B(e), Item2C(e), Item2D(e), Item2E(e),
             FactItem(e, "2(f)", "Pre-determined changes to the AI system and its performance, and the technical solutions ensuring continuous compliance", "predetermined_changes", "Pre-determined changes"),
             Item2G(e), Item2H(e)]),
        new("3", "Monitoring, functioning and control of the AI system", [Item3(e)]),
        new("4", "The appropriateness of the performance metrics for the specific AI system", [Item4(e)]),
        new("5", "The risk management system in accordance with Article 9", [Item5(e)]),
        new("6", "Relevant changes made by the provider to the system through its lifecycle", [Item6(e)]),
        new("7", "Harmonised standards applied, or the solutions adopted to meet Chapter III, Section 2, and other standards and specifications",
            [FactItem(e, "7", "Harmonised standards applied, or the solutions adopted to meet Chapter III, Section 2, and other standards and specifications", "standards", "Standards and specifications")]),
        new("8", "A copy of the EU declaration of conformity (Article 47)",
            [FactItem(e, "8", "A copy of the EU declaration of conformity (Article 47)", "declaration_of_conformity", "EU declaration of conformity")]),
        new("9", "The system to evaluate performance in the post-market phase (Article 72), including the post-market monitoring plan", [Item9(e)]),
    ];

    private static AnnexIvItem Item1A(ModelEvidence e)
    {
        var d = new ItemDraft(e);
        d.Fact("intended_purpose", "Intended purpose");
        d.Fact("provider", "Provider");
        d.Line($"Version documented: {e.Version}.");
        d.Versions();
        return d.Build("1(a)", "Its intended purpose, the name of the provider and the version of the system reflecting its relation to previous versions");
    }

    private static AnnexIvItem Item1B(ModelEvidence e)
    {
        var d = new ItemDraft(e);
        d.Fact("interactions", "Interactions");
        return d.Build("1(b)", "How the AI system interacts with hardware or software, including other AI systems, that are not part of it");
    }

    private static AnnexIvItem Item1C(ModelEvidence e)
    {
        var d = new ItemDraft(e);
        var withFramework = e.Training.Records.Where(r => GovernanceStore.Text(r.Metadata, "framework") is not null).ToList();
        foreach (var r in withFramework) d.Line($"Software used in training ({EvidenceText.Time(r.Timestamp)}, {r.EventType}): {GovernanceStore.Text(r.Metadata, "framework")}.");
        d.Cite(withFramework);
        d.Fact("software_versions", "Software and firmware versions, update requirements", required: withFramework.Count == 0);
        return d.Build("1(c)", "The versions of relevant software or firmware, and any requirements related to version updates");
    }

    private static AnnexIvItem Item1D(ModelEvidence e)
    {
        var d = new ItemDraft(e);
        foreach (var r in e.Deployment.Records) d.Line($"- {EvidenceText.Describe(r)}. {EvidenceText.Fields(r.Metadata)}");
        d.More(e.Deployment, "deployment");
        d.Cite(e.Deployment.Records);
        d.Fact("distribution_forms", "Forms placed on the market or put into service", required: e.Deployment.Total == 0);
        return d.Build("1(d)", "The forms in which the AI system is placed on the market or put into service");
    }

    private static AnnexIvItem Item2A(ModelEvidence e)
    {
        var d = new ItemDraft(e);
        var steps = e.Ingestion.Records.Concat(e.Preprocessing.Records).Concat(e.Training.Records)
            .OrderBy(r => r.Timestamp).ThenBy(r => r.Id, StringComparer.Ordinal).ToList();
        if (steps.Count > 0) d.Line("Development steps recorded, in order:");
        foreach (var r in steps) d.Line($"- {EvidenceText.Describe(r)}");
        d.More(e.Ingestion, "data ingestion");
        d.More(e.Preprocessing, "preprocessing");
        d.More(e.Training, "training");
        d.Cite(steps);
        d.Require(e.Training.Total > 0, "training records", "`manager.LogTrainingStart(…)` and `manager.LogTrainingComplete(…)` (`ciaf save MODEL training training_started --metadata …`)");
        d.Fact("development_methods", "Methods, pre-trained systems and third-party tools", required: false);
        return d.Build("2(a)", "The methods and steps performed for the development of the AI system, including pre-trained systems or third-party tools and how they were used");
    }

    private static AnnexIvItem Item2B(ModelEvidence e)
    {
        var d = new ItemDraft(e);
        if (e.TrainingStart is { } start)
        {
            d.Line($"General logic and algorithm (training started {EvidenceText.Time(start.Timestamp)}):");
            foreach (var (key, value) in start.Metadata) d.Line($"- {key}: {GovernanceStore.Show(value)}");
            d.Cite([start]);
        }
        d.Require(e.TrainingStart is not null, "a training_started record (algorithm, hyperparameters, features)", "`manager.LogTrainingStart(new { algorithm, hyperparameters, features })`");
        d.Fact("design_rationale", "Design choices, rationale and assumptions");
        return d.Build("2(b)", "The design specifications: general logic and algorithms, key design choices with rationale and assumptions, what the system optimises for, expected output, trade-offs");
    }

    private static AnnexIvItem Item2C(ModelEvidence e)
    {
        var d = new ItemDraft(e);
        d.Fact("architecture", "Architecture");
        var timed = e.Training.Records.Where(r => r.Metadata.Any(kv => kv.Key.Contains("time", StringComparison.Ordinal) && GovernanceStore.Number(kv.Value) is not null)).ToList();
        if (timed.Count > 0) d.Line("Computational resources recorded for development:");
        foreach (var r in timed)
        {
            d.Line($"- {EvidenceText.Describe(r)}: " + string.Join(", ", r.Metadata.Where(kv => kv.Key.Contains("time", StringComparison.Ordinal) && GovernanceStore.Number(kv.Value) is not null)
                .Select(kv => $"{kv.Key} = {GovernanceStore.Show(kv.Value)}")));
        }
        d.Cite(timed);
        d.Require(timed.Count > 0, "the computational resources used (training records with execution or training times)",
            "a `MetadataCapture` scope around training (records execution_time) or `manager.LogTrainingComplete(new { training_time_seconds, … })`");
        return d.Build("2(c)", "The system architecture, how software components build on or feed into each other, and the computational resources used to develop, train, test and validate");
    }

    private static AnnexIvItem Item2D(ModelEvidence e)
    {
        var d = new ItemDraft(e);
        foreach (var r in e.Ingestion.Records) d.Line($"- Data ({EvidenceText.Describe(r)}): {EvidenceText.Fields(r.Metadata)}");
        foreach (var r in e.Preprocessing.Records) d.Line($"- Preparation ({EvidenceText.Describe(r)}): {EvidenceText.Fields(r.Metadata)}");
        d.More(e.Ingestion, "data ingestion");
        d.More(e.Preprocessing, "preprocessing");
        d.Cite(e.Ingestion.Records);
        d.Cite(e.Preprocessing.Records);
        d.Require(e.Ingestion.Total > 0, "data ingestion records (provenance, scope, characteristics)", "`manager.LogDataIngestion(new { source, rows, columns, … })`");
        d.Fact("data_labelling", "Labelling, acquisition and selection", required: false);
        return d.Build("2(d)", "The data requirements: training data sets, their provenance, scope and main characteristics, how data was obtained and selected, labelling and cleaning");
    }

    private static AnnexIvItem Item2E(ModelEvidence e)
    {
        var d = new ItemDraft(e);
        d.Fact("oversight_assessment", "Assessment of the human oversight measures");
        d.Oversight();
        return d.Build("2(e)", "The assessment of the human oversight measures needed in accordance with Article 14, including measures to interpret outputs (Article 13(3)(d))");
    }

    private static AnnexIvItem Item2G(ModelEvidence e)
    {
        var d = new ItemDraft(e);
        foreach (var r in e.Validation.Records)
        {
            d.Line($"- {EvidenceText.Describe(r)}. Metrics: {EvidenceText.MetricText(r.Metadata)}.");
            foreach (var g in EvidenceText.Groups(r.Metadata)) d.Line($"- Potentially discriminatory impacts, {g.Text()}.");
        }
        d.More(e.Validation, "validation");
        d.Cite(e.Validation.Records);
        d.Require(e.Validation.Total > 0, "validation records (the test logs and reports)", "`manager.LogValidation(new { accuracy, … })` (`ciaf save MODEL validation model_validated --metadata …`)");
        if (e.Validation.Total > 0)
        {
            d.Line("Test logs and reports: the validation records above, dated by their timestamps and signed by the ledger checkpoint of this document (each with its receipt).");
        }
        return d.Build("2(g)", "The validation and testing procedures and data, the metrics for accuracy, robustness and potentially discriminatory impacts, and the dated and signed test logs and reports");
    }

    private static AnnexIvItem Item2H(ModelEvidence e)
    {
        var d = new ItemDraft(e);
        d.Fact("cybersecurity", "Cybersecurity measures");
        d.Line("Integrity of these records: each is a leaf of the store's append-only Merkle log (RFC 9162) whose root is signed in checkpoints; the receipts of this document prove each cited record is in it, unchanged.");
        return d.Build("2(h)", "The cybersecurity measures put in place");
    }

    private static AnnexIvItem Item3(ModelEvidence e)
    {
        var d = new ItemDraft(e);
        if (e.LatestValidation is { } v)
        {
            d.Line($"Expected level of accuracy (validation of {EvidenceText.Time(v.Timestamp)}): {EvidenceText.MetricText(v.Metadata)}.");
            foreach (var g in EvidenceText.Groups(v.Metadata)) d.Line($"- Performance by group, {g.Text()}.");
            d.Cite([v]);
        }
        d.Require(e.LatestValidation is not null, "validation records (the accuracy overall and by group)", "`manager.LogValidation(…)`");
        d.Fact("limitations", "Capabilities and limitations");
        d.Fact("foreseeable_risks", "Foreseeable unintended outcomes and sources of risk", required: false);
        if (e.Monitoring.Records.Count > 0)
        {
            var m = e.Monitoring.Records[^1];
            d.Line($"Monitoring in operation: {e.Monitoring.Total} record(s); latest {EvidenceText.Describe(m)}.");
            d.Cite([m]);
        }
        d.Risks();
        d.Oversight();
        if (d.HasFact("input_specifications")) d.Fact("input_specifications", "Input data");
        else if (e.TrainingStart?.Metadata["features"] is { } features) d.Line($"Input data: the features {GovernanceStore.Show(features)} (training_started).");
        return d.Build("3", "Capabilities and limitations in performance (accuracy for specific persons or groups and overall), foreseeable unintended outcomes and risks, human oversight measures, input data specifications");
    }

    private static AnnexIvItem Item4(ModelEvidence e)
    {
        var d = new ItemDraft(e);
        d.Fact("metrics_rationale", "Why these metrics");
        if (e.LatestValidation is { } v)
        {
            d.Line($"Metrics recorded in validation: {string.Join(", ", EvidenceText.Metrics(v.Metadata).Select(m => m.Name))}.");
            d.Cite([v]);
        }
        return d.Build("4", "The appropriateness of the performance metrics for the specific AI system");
    }

    private static AnnexIvItem Item5(ModelEvidence e)
    {
        var d = new ItemDraft(e);
        d.Fact("risk_management", "Risk management system");
        d.Risks();
        return d.Build("5", "A detailed description of the risk management system in accordance with Article 9");
    }

    private static AnnexIvItem Item6(ModelEvidence e)
    {
        var d = new ItemDraft(e);
        d.Versions();
        d.Require(e.Initialized.Total > 0, "the model's lifecycle records (model_initialized)", "`new ModelMetadataManager(model, version, storage)` (it logs model_initialized)");
        return d.Build("6", "Relevant changes made by the provider to the system through its lifecycle");
    }

    private static AnnexIvItem Item9(ModelEvidence e)
    {
        var d = new ItemDraft(e);
        if (e.Plan is { } planRecord)
        {
            var plan = MonitoringPlan.FromRecord(planRecord);
            d.Line($"Post-market monitoring plan in force, set {EvidenceText.Time(planRecord.Timestamp)}" + (plan.Description is null ? ":" : $": {plan.Description}"));
            foreach (var c in plan.Conditions)
            {
                d.Line($"- {c.Name}: `{c.Filter}` over {c.WindowText}, breached at {c.MinMatches} match(es)"
                    + (c.IncidentKind is { } k ? $", opening a {IncidentDeadlines.Name(k)} incident" : ""));
            }
            d.Cite([planRecord]);
        }
        d.Require(e.Plan is not null, "a post-market monitoring plan", "`ciaf monitoring plan set MODEL --file plan.json` (`PostMarketMonitor.SetPlanAsync`)");
        if (e.Checks.Total > 0)
        {
            d.Line($"Checks of the plan: {e.Checks.Total} recorded; the newest:");
            foreach (var r in e.Checks.Records.TakeLast(5)) d.Line($"- {EvidenceText.Describe(r)}");
            d.Cite(e.Checks.Records.TakeLast(5));
        }
        else if (e.Plan is not null)
        {
            d.Line("No check of the plan is recorded yet: run `ciaf monitoring check MODEL` (`PostMarketMonitor.CheckAsync`).");
        }
        if (e.Incidents.Count > 0) d.Line($"Serious incidents (Art. 73): {e.Incidents.Count}.");
        foreach (var i in e.Incidents)
        {
            string report = i.FirstReportedAt is { } at
                ? $"first reported {EvidenceText.Time(at)} ({(at <= i.DueAt ? "on time" : "late")}{(i.ReportComplete ? ", complete report made" : ", complete report pending")})"
                : $"not reported; due {EvidenceText.Time(i.DueAt)}";
            d.Line($"- {i.Id}: {IncidentDeadlines.Name(i.Kind)}, aware {EvidenceText.Time(i.AwareAt)}, {IncidentDeadlines.Article(i.Kind)} deadline {EvidenceText.Time(i.DueAt)}; {report}; {i.Status}. {i.Summary}");
            d.CiteIds(i.RecordIds);
        }
        d.Fact("post_market_system", "Performance evaluation in the post-market phase", required: false);
        return d.Build("9", "A detailed description of the system in place to evaluate the AI system performance in the post-market phase (Article 72), including the post-market monitoring plan (Article 72(3))");
    }

    private static AnnexIvItem FactItem(ModelEvidence e, string id, string title, string fact, string label)
    {
        var d = new ItemDraft(e);
        d.Fact(fact, label);
        return d.Build(id, title);
    }

    private static async Task<(IReadOnlyDictionary<string, LedgerReceipt>, IReadOnlyList<string>)> ProveAsync(MetadataStorage storage, IReadOnlyList<string> ids,
        CancellationToken cancellationToken)
    {
        var receipts = new Dictionary<string, LedgerReceipt>(StringComparer.Ordinal);
        var notes = new List<string>();
        if (ids.Count == 0) return (receipts, notes);
        if (!storage.Ledger.IsSupported)
        {
            notes.Add($"The {storage.Backend} store keeps no ledger: the cited records have no receipts.");
            return (receipts, notes);
        }
        var status = await storage.Ledger.StatusAsync(cancellationToken).ConfigureAwait(false);
        if (!status.Enabled || !status.Active)
        {
            notes.Add(status.Enabled
                ? "The store's ledger is not initialized (`ciaf ledger init`): the cited records have no receipts."
                : "The ledger is off for this store (ledger_enabled is false): the cited records have no receipts.");
            return (receipts, notes);
        }
        var noLeaf = new List<string>();
        var uncovered = new List<string>();
        foreach (var id in ids)
        {
            try
            {
                receipts[id] = await storage.Ledger.ProveAsync(id, cancellationToken).ConfigureAwait(false);
            }
            catch (KeyNotFoundException)
            {
                noLeaf.Add(id);
            }
            catch (InvalidOperationException)
            {
                uncovered.Add(id);
            }
        }
        if (noLeaf.Count > 0) notes.Add($"{noLeaf.Count} cited record(s) have no leaf in the ledger (written before it): {string.Join(", ", noLeaf)}.");
        if (uncovered.Count > 0)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"{uncovered.Count} cited record(s) are not yet covered by a signed checkpoint and no signing key is configured: run `ciaf ledger checkpoint` with the key, then build this document again."));
        }
        return (receipts, notes);
    }
}
