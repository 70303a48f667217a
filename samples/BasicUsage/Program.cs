using Ciaf.Metadata;
using Ciaf.Metadata.Storage;

using var storage = new MetadataStorage("my_project_metadata", "sqlite");
string id = storage.SaveMetadata("my_classifier", "training", "model_trained",
    new { accuracy = 0.95, training_time = 120, algorithm = "RandomForest" },
    details: "Model training completed successfully");
MetadataRecord? record = storage.GetMetadata(id);
PipelineTrace trace = storage.GetPipelineTrace("my_classifier");

Console.WriteLine($"saved {id}: {record?.EventType}, metadata hash {record?.MetadataHash}");
foreach (var stage in trace.Stages)
{
    Console.WriteLine($"{trace.ModelName} / {stage.Stage}: {stage.Entries.Count} record(s)");
}

await SaveBufferedAsync();

// Buffered writes batch records in the background: for high-throughput pipelines.
static async Task SaveBufferedAsync()
{
    await using var storage = new MetadataStorage(new MetadataStorageOptions
    {
        StoragePath = "metadata", Backend = "sqlite", WriteMode = WriteMode.Buffered, BatchSize = 500,
    });
    storage.SaveMetadata("model", "inference", "inference_performed", new { latency_ms = 3.2 }); // returns at once
    storage.Flush();   // everything saved before is durable; a background failure is thrown here
    Console.WriteLine($"buffered: {storage.GetModelMetadata("model", "inference").Count} record(s) durable after Flush");
}
