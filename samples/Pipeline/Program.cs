using Ciaf.Metadata;
using Ciaf.Metadata.Integration;

// A pipeline logged stage by stage, on the process-wide default store (MetadataStorage.Default: the defaults, then
// ./ciaf_config.json if present, then the CIAF_* variables).
var manager = new ModelMetadataManager("customer_classifier", "2.1.0");   // storage: MetadataStorage.Default
manager.LogDataIngestion(new { rows = 10000, columns = 25, quality_score = 0.92, source = "customer_database" });
manager.LogTrainingStart(new { algorithm = "XGBoost", hyperparameters = new { n_estimators = 100, max_depth = 6 } });
manager.LogTrainingComplete(new { accuracy = 0.94, precision = 0.92, recall = 0.96, training_time_minutes = 15 });
PipelineTrace trace = manager.GetPipelineTrace();
IReadOnlyList<MetadataRecord> compliance = manager.GetStageMetadata("compliance");

manager.LogValidation(new { holdout_accuracy = 0.93, auc_roc = 0.95 }, details: "Held-out 20% split");
manager.LogDeployment(new { environment = "production", endpoint = "/v2/classify", replicas = 3 });
manager.LogComplianceCheck("GDPR", new { compliance_score = 0.9, data_minimization = true });

trace = manager.GetPipelineTrace();
Console.WriteLine($"{trace.ModelName}: {trace.EntryCount} records in {trace.Stages.Count} stages (compliance before the check: {compliance.Count})");
foreach (var stage in trace.Stages)
{
    Console.WriteLine($"  {stage.Stage}: {string.Join(", ", stage.Entries.Select(e => e.EventType))}");
}
Console.WriteLine($"store: {MetadataStorage.Default.StoragePath} ({MetadataStorage.Default.Backend})");
