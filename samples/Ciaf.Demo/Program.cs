using Ciaf.Metadata;

// An end-to-end pipeline on the embedded default store: every stage recorded, then read back.
string path = args.Length > 0 ? args[0] : "ciaf_metadata";
string backend = args.Length > 1 ? args[1] : "sqlite";
using var storage = new MetadataStorage(path, backend);
const string model = "credit_scoring_demo";

var ingestion = storage.SaveMetadata(model, PipelineStages.DataIngestion, "data_loaded",
    new { rows = 10_000, columns = 25, quality_score = 0.92, source = "customer_database" }, "1.0.0", "Loaded applications");
storage.SaveMetadata(model, PipelineStages.DataPreprocessing, "data_preprocessed",
    new { steps = new[] { "impute_median", "one_hot(region)", "standardize" }, rows_after = 9_874 }, "1.0.0");
storage.SaveMetadata(model, PipelineStages.Training, "training_started",
    new { algorithm = "FastTree", hyperparameters = new { trees = 100, leaves = 20, learning_rate = 0.2 } }, "1.0.0");
var training = storage.SaveMetadata(model, PipelineStages.Training, "training_completed",
    new { accuracy = 0.94, precision = 0.92, recall = 0.96, f1_score = 0.94, auc_roc = 0.97, training_time_seconds = 4.5 }, "1.0.0");
storage.SaveMetadata(model, PipelineStages.Validation, "model_validated",
    new { test_accuracy = 0.93, cross_validation = new { folds = 5, mean = 0.931, std = 0.004 } }, "1.0.0");
storage.SaveMetadata(model, PipelineStages.Deployment, "model_deployed",
    new { environment = "staging", replicas = 2, latency_budget_ms = 50 }, "1.0.0");
var batch = storage.SaveMetadataBatch(Enumerable.Range(0, 50).Select(i =>
    new MetadataEntry(model, PipelineStages.Inference, "inference_performed",
        new { request_id = $"req_{i:D6}", prediction = i % 3 == 0 ? "declined" : "approved", confidence = 0.7 + i % 30 / 100.0, processing_time_ms = 12.5 },
        "1.0.0")));
storage.SaveMetadata(model, PipelineStages.Monitoring, "monitoring_data", new { psi = 0.03, drift_detected = false }, "1.0.0");
var compliance = storage.SaveMetadata(model, PipelineStages.Compliance, "gdpr_compliance",
    new { compliance_score = 1.0, encryption = true, anonymization = true, explicit_consent = true }, "1.0.0");
storage.AddComplianceEvent(compliance, "GDPR", 1.0, "passed", "All GDPR measures in place");

var trace = storage.GetPipelineTrace(model);
Console.WriteLine($"Pipeline trace of '{trace.ModelName}' ({trace.EntryCount} records, backend {storage.Backend}, store {storage.StoragePath}):");
foreach (var stage in trace.Stages)
{
    Console.WriteLine($"  {stage.Stage,-20} {stage.Entries.Count,4} record(s), latest {stage.Entries[^1].EventType}");
}

var record = storage.GetMetadata(training)!;
Console.WriteLine($"Training record {record.Id}: accuracy {record.Metadata["accuracy"]}, hash {record.MetadataHash[..16]}...");
foreach (var ev in storage.GetComplianceEvents("GDPR"))
{
    Console.WriteLine($"Compliance: {ev.Framework} score {ev.ComplianceScore} {ev.ValidationStatus} at {ev.Timestamp:u}");
}
var export = storage.ExportMetadata(model, "json");
var metrics = storage.GetPerformanceMetrics();
Console.WriteLine($"Exported to {export}");
Console.WriteLine($"Store: {metrics.RecordCount} records, {metrics.TotalSizeMb:F2} MB, average save {metrics.AvgWriteTimeMs:F3} ms");
if (storage.GetMetadata(ingestion) is null || batch.Count != 50) return 1;
return 0;
