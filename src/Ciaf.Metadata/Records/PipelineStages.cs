namespace Ciaf.Metadata;

/// <summary>The well-known pipeline stage names, in pipeline order. Any other stage string is allowed too.</summary>
public static class PipelineStages
{
    /// <summary><c>data_ingestion</c>: data sources, quality, schema, volume.</summary>
    public const string DataIngestion = "data_ingestion";
    /// <summary><c>data_preprocessing</c>: transformations, feature engineering, cleaning.</summary>
    public const string DataPreprocessing = "data_preprocessing";
    /// <summary><c>training</c>: algorithm, hyperparameters, training performance.</summary>
    public const string Training = "training";
    /// <summary><c>validation</c>: test performance, cross-validation, bias and fairness.</summary>
    public const string Validation = "validation";
    /// <summary><c>deployment</c>: deployment configuration and infrastructure.</summary>
    public const string Deployment = "deployment";
    /// <summary><c>inference</c>: predictions, response times.</summary>
    public const string Inference = "inference";
    /// <summary><c>monitoring</c>: drift, degradation, alerts.</summary>
    public const string Monitoring = "monitoring";
    /// <summary><c>compliance</c>: regulatory validations and scores.</summary>
    public const string Compliance = "compliance";
    /// <summary><c>model_lifecycle</c>: written by <c>ModelMetadataManager</c> when a model is initialized.</summary>
    public const string ModelLifecycle = "model_lifecycle";

    /// <summary>The stages in the order a pipeline trace lists them; other stages follow by first appearance.</summary>
    public static IReadOnlyList<string> Ordered { get; } =
        [DataIngestion, DataPreprocessing, Training, Validation, Deployment, Inference, Monitoring, Compliance, ModelLifecycle];
}
