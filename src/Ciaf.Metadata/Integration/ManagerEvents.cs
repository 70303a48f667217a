namespace Ciaf.Metadata.Integration;

/// <summary>The event types <see cref="ModelMetadataManager"/> writes, exactly as the reference names them.</summary>
public static class ManagerEvents
{
    /// <summary><c>model_initialized</c> (stage <c>model_lifecycle</c>).</summary>
    public const string ModelInitialized = "model_initialized";
    /// <summary><c>data_loaded</c> (stage <c>data_ingestion</c>).</summary>
    public const string DataLoaded = "data_loaded";
    /// <summary><c>data_preprocessed</c> (stage <c>data_preprocessing</c>).</summary>
    public const string DataPreprocessed = "data_preprocessed";
    /// <summary><c>training_started</c> (stage <c>training</c>).</summary>
    public const string TrainingStarted = "training_started";
    /// <summary><c>training_completed</c> (stage <c>training</c>).</summary>
    public const string TrainingCompleted = "training_completed";
    /// <summary><c>model_validated</c> (stage <c>validation</c>).</summary>
    public const string ModelValidated = "model_validated";
    /// <summary><c>model_deployed</c> (stage <c>deployment</c>).</summary>
    public const string ModelDeployed = "model_deployed";
    /// <summary><c>inference_performed</c> (stage <c>inference</c>).</summary>
    public const string InferencePerformed = "inference_performed";
    /// <summary><c>monitoring_data</c> (stage <c>monitoring</c>).</summary>
    public const string MonitoringData = "monitoring_data";
}
