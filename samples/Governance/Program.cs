using Ciaf.Metadata;
using Ciaf.Metadata.Capture;
using Ciaf.Metadata.Compliance;
using Ciaf.Metadata.Governance;
using Ciaf.Metadata.Integration;
using Ciaf.Metadata.Ledger;

// A credit model on a store whose ledger signs checkpoints: the pipeline, then what the EU AI Act asks of it.
LedgerKeys.Create("governance_key.pem").Dispose();
using var storage = MetadataStorage.Create(b => b.UseSqlite("governance_store").Configure(o => o.LedgerKeyPath = "governance_key.pem"));
var manager = new ModelMetadataManager("credit_model", "1.4.0", storage);
manager.LogDataIngestion(new { source = "bureau_2026q1", rows = 12000, protected_attributes = new[] { "gender" } });
manager.LogTrainingStart(new { algorithm = "LogisticRegression", hyperparameters = new { l2 = 0.1 }, features = new[] { "income", "debt" } });
manager.LogValidation(new { test_samples = 2400, accuracy = 0.91, auc_roc = 0.88 });
manager.LogDeployment(new { environment = "production", serving = "REST API" });

// Article 12 events: a capture scope marked as a use records its period; people record their oversight.
using (var batch = new MetadataCapture("credit_model", "inference", "batch_prediction", storage))
{
    batch.MarkAsUse(new { batch = 1 });
    batch.AddMetadata("decisions", 500);
}
manager.LogHumanOversight("alice", "overridden", reason: "income documents verified");
manager.LogDeclaredFacts(new { intended_purpose = "Pre-scores consumer credit applications for a loan officer", provider = "Example Bank" });

// Post-market monitoring: a plan in the search language, a check that opens an incident with its Art. 73 deadline.
var monitor = new PostMarketMonitor(storage);
monitor.SetPlan("credit_model", new MonitoringPlan([new MonitoringCondition("low_accuracy", "stage = 'validation' AND metadata.accuracy < 0.95", "30d", 1, IncidentKind.Serious)]));
MonitoringCheck check = monitor.Check("credit_model", openIncident: true);
var incidents = new IncidentRegister(storage);
Incident incident = incidents.Update(check.IncidentId!, report: "initial", note: "first, incomplete report (Art. 73(5))");

// The EU AI Act assessment, judged from the store where it can be; the Annex IV pack and the model card.
var tracker = new ComplianceTracker(manager);
ComplianceAssessment aiAct = tracker.TrackEuAiActCompliance(new { quality_management_system = true, performance_thresholds = new { accuracy = 0.9 } });
AnnexIvPack pack = AnnexIvDocumentation.Build(storage, "credit_model");
File.WriteAllText("annex_iv.md", pack.ToMarkdown());
ModelCard card = ModelCardDocument.Build(storage, "credit_model");
File.WriteAllText("model_card.json", card.ToJson());

Console.WriteLine($"incident {incident.Kind}: due {incident.DueAt:yyyy-MM-dd HH:mm} UTC, {incident.DeadlineState(incidents.Now)}");
Console.WriteLine($"EU AI Act: {aiAct.Score:0.00}, {aiAct.Findings.Count(f => f.Basis == "evidenced")} findings evidenced from the store");
Console.WriteLine($"Annex IV: {pack.Items.Count() - pack.Gaps.Count} of {pack.Items.Count()} items evidenced, first gap {pack.Gaps[0].Id}");
Console.WriteLine($"model card: {card.Gaps.Count} gap(s), written to model_card.json");
