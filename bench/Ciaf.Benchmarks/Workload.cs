using System.Globalization;
using System.Text.Json.Nodes;
using Ciaf.Metadata;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Benchmarks;

/// <summary>
/// The record every scenario stores: a training event with an algorithm, hyperparameters, 5 metrics
/// and 10 feature importances (about 700 bytes of metadata), with values varied per record.
/// </summary>
internal static class Workload
{
    public const string EventType = "model_trained";

    /// <summary>The pipeline stages records are spread over (the reference's eight).</summary>
    public static readonly string[] Stages =
    [
        PipelineStages.DataIngestion, PipelineStages.DataPreprocessing, PipelineStages.Training, PipelineStages.Validation,
        PipelineStages.Deployment, PipelineStages.Inference, PipelineStages.Monitoring, PipelineStages.Compliance,
    ];

    private static readonly string[] Algorithms = ["RandomForestClassifier", "GradientBoostingClassifier", "LogisticRegression", "XGBClassifier"];

    /// <summary>The payload a caller passes to <c>SaveMetadata</c>: plain dictionaries, as a pipeline builds them.</summary>
    public static Dictionary<string, object?> Payload(int i)
    {
        var rng = new Random(i);
        var features = new Dictionary<string, object?>(10);
        for (int f = 0; f < 10; f++) features["feature_" + f.ToString("00", CultureInfo.InvariantCulture)] = Math.Round(rng.NextDouble() / 5, 6);
        return new Dictionary<string, object?>
        {
            ["algorithm"] = Algorithms[i % Algorithms.Length],
            ["hyperparameters"] = new Dictionary<string, object?>
            {
                ["n_estimators"] = 50 + rng.Next(450),
                ["max_depth"] = 3 + rng.Next(20),
                ["min_samples_split"] = 2 + rng.Next(8),
                ["learning_rate"] = Math.Round(rng.NextDouble() / 10, 5),
                ["criterion"] = "gini",
                ["random_state"] = 42,
            },
            ["metrics"] = new Dictionary<string, object?>
            {
                ["accuracy"] = rng.NextDouble(),
                ["precision"] = rng.NextDouble(),
                ["recall"] = rng.NextDouble(),
                ["f1_score"] = rng.NextDouble(),
                ["roc_auc"] = rng.NextDouble(),
            },
            ["feature_importances"] = features,
        };
    }

    public static string ModelName(int model) => "bench_model_" + model.ToString("000", CultureInfo.InvariantCulture);

    /// <summary>
    /// A stored record as the library would build it (UUID v7 of its timestamp, canonical hash), for
    /// filling stores directly. Timestamps step <paramref name="step"/> apart from <paramref name="start"/>.
    /// </summary>
    public static MetadataRecord Record(int i, string modelName, DateTimeOffset start, TimeSpan step)
    {
        var metadata = MetadataConverter.ToJsonObject(Payload(i));
        var timestamp = PythonTimestamp.Truncate(start + step * i);
        return new MetadataRecord(
            Guid.CreateVersion7(timestamp).ToString(),
            modelName,
            "1.0.0",
            Stages[i % Stages.Length],
            EventType,
            timestamp,
            PythonJson.Hash(metadata),
            "benchmark record " + i.ToString(CultureInfo.InvariantCulture),
            metadata);
    }

    /// <summary>A store's records: <paramref name="count"/> records over <paramref name="models"/> models, spread over 30 days up to now.</summary>
    public static IEnumerable<MetadataRecord> Records(int count, int models)
    {
        var step = TimeSpan.FromDays(30) / Math.Max(count, 1);
        var start = DateTimeOffset.UtcNow - TimeSpan.FromDays(30);
        for (int i = 0; i < count; i++) yield return Record(i, ModelName(i % models), start, step);
    }

    /// <summary>The metadata column/field as JSON text, for code that needs a <see cref="JsonObject"/>.</summary>
    public static JsonObject PayloadNode(int i) => MetadataConverter.ToJsonObject(Payload(i));
}
