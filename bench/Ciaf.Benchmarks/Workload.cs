using System.Globalization;
using System.Text.Json.Nodes;
using Ciaf.Metadata;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Benchmarks;

/// <summary>
/// The record every scenario stores: a training event with an algorithm, hyperparameters, 5 metrics
/// and 10 feature importances (about 700 bytes of metadata), with values varied per record; and the
/// other payload shapes callers pass (<see cref="Shapes"/>), for the ingest scenario that compares them.
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

    private static readonly string[] Features =
        ["age", "income", "credit_score", "tenure_months", "num_products", "balance", "has_card", "is_active", "region", "salary"];

    /// <summary>
    /// The payload shapes of the ingest comparison: what callers pass to <c>SaveMetadata</c>, each made per
    /// record index. Anonymous types are what the seed's examples turn into in C#.
    /// </summary>
    public static readonly PayloadShape[] Shapes =
    [
        new("dictionaries", Payload, Large: false),
        new("seed-style anonymous objects", SeedPayload, Large: false),
        new("non-ASCII strings", NonAsciiPayload, Large: false),
        new("50 KB records", LargePayload, Large: true),
    ];

    /// <summary>
    /// The seed's training-metadata example as a C# caller writes it: nested anonymous objects and an array of
    /// ten small feature objects, values rounded as in the seed (about 700 bytes as JSON).
    /// </summary>
    public static object SeedPayload(int i)
    {
        var rng = new Random(i);
        return new
        {
            algorithm = Algorithms[i % Algorithms.Length],
            hyperparameters = new
            {
                n_estimators = 50 + rng.Next(450),
                max_depth = 3 + rng.Next(20),
                learning_rate = Math.Round(rng.NextDouble() / 10, 3),
            },
            training_samples = 8000 + rng.Next(2000),
            validation_samples = 2000,
            performance = new
            {
                accuracy = Math.Round(rng.NextDouble(), 2),
                precision = Math.Round(rng.NextDouble(), 2),
                recall = Math.Round(rng.NextDouble(), 2),
                f1_score = Math.Round(rng.NextDouble(), 2),
                auc_roc = Math.Round(rng.NextDouble(), 2),
            },
            training_time_seconds = 300 + rng.Next(300),
            feature_importance = Features.Select(f => new { feature = f, importance = Math.Round(rng.NextDouble() / 5, 2) }).ToArray(),
        };
    }

    private static readonly string[] Owners = ["José Müller", "张伟", "Søren Ødegård", "Zoë Ångström", "Đặng Thị Mỹ"];

    /// <summary>
    /// A seed-style record whose strings and some keys are not ASCII: accents, CJK, emoji (surrogate pairs),
    /// which the canonical form escapes (<c>ensure_ascii</c>) and orders by code point.
    /// </summary>
    public static object NonAsciiPayload(int i)
    {
        var rng = new Random(i);
        return new
        {
            dataset = "données_clients_été_" + i.ToString(CultureInfo.InvariantCulture),
            description = "Modèle de crédit — 顧客の信用スコアを予測する 🚀📊",
            owner = Owners[i % Owners.Length],
            région = "Île-de-France",
            tags = new[] { "финансы", "信用评分", "😀 production", "naïve-bayes" },
            métriques = new
            {
                précision = Math.Round(rng.NextDouble(), 4),
                rappel = Math.Round(rng.NextDouble(), 4),
                exactitude = Math.Round(rng.NextDouble(), 4),
            },
            notes = "Température moyenne 23 °C; 数据质量良好 ✅; ﬁn",
            feature_importance = Features.Select(f => new { feature = f + "_ü", importance = Math.Round(rng.NextDouble() / 5, 4) }).ToArray(),
        };
    }

    /// <summary>A seed-style record with a 940-point ROC curve: about 50 KB as JSON.</summary>
    public static object LargePayload(int i)
    {
        var rng = new Random(i);
        var curve = Enumerable.Range(0, 940).Select(p => new
        {
            fpr = Math.Round(p / 940.0, 6),
            tpr = Math.Round(rng.NextDouble(), 6),
            threshold = Math.Round(1 - p / 940.0, 6),
        }).ToArray();
        return new { summary = SeedPayload(i), roc_curve = curve };
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

/// <summary>One payload shape: its name, how record <c>i</c>'s payload is made, and whether it is one of the large ones (fewer records).</summary>
internal sealed record PayloadShape(string Name, Func<int, object> Create, bool Large);
