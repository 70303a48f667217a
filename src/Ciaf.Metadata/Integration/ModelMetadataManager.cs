using System.Text.Json;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Compliance;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Metadata.Integration;

/// <summary>
/// Logs one model's lifecycle with the reference's stage and event names, so a Python and a .NET pipeline
/// write the same events to one store. Creating a manager logs <c>model_lifecycle</c>/<c>model_initialized</c>.
/// </summary>
/// <remarks>
/// Stage / event names: data_ingestion/data_loaded, data_preprocessing/data_preprocessed,
/// training/training_started and training_completed, validation/model_validated, deployment/model_deployed,
/// inference/inference_performed, monitoring/monitoring_data, compliance/&lt;framework lower&gt;_compliance.
/// Thread-safe as far as the store is.
/// </remarks>
public sealed partial class ModelMetadataManager
{
    /// <summary>The reference's default model version.</summary>
    public const string DefaultModelVersion = "1.0.0";

    private double _complianceScoreThreshold = IntegrationSettings.ComplianceScoreThreshold;

    /// <summary>Creates the manager and logs <c>model_lifecycle</c>/<c>model_initialized</c> with <c>{model_name, model_version, initialized_at}</c>.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="modelVersion">The model version (default <c>1.0.0</c>).</param>
    /// <param name="storage">The store; default: the process-wide default store.</param>
    /// <exception cref="ArgumentException">The model name is empty or breaks the store's naming rules.</exception>
    /// <exception cref="MetadataStorageException">The initialization record could not be written.</exception>
    public ModelMetadataManager(string modelName, string modelVersion = DefaultModelVersion, MetadataStorage? storage = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelName);
        ModelName = modelName;
        ModelVersion = string.IsNullOrEmpty(modelVersion) ? DefaultModelVersion : modelVersion;
        Storage = storage ?? IntegrationSettings.DefaultStorage;
        InitializationId = LogEvent(PipelineStages.ModelLifecycle, ManagerEvents.ModelInitialized, new JsonObject
        {
            ["model_name"] = ModelName,
            ["model_version"] = ModelVersion,
            ["initialized_at"] = PythonTimestamp.Format(PythonTimestamp.Now()),
        });
    }

    /// <summary>The model name.</summary>
    public string ModelName { get; }

    /// <summary>The model version written on every record.</summary>
    public string ModelVersion { get; }

    /// <summary>The store the manager writes to.</summary>
    public MetadataStorage Storage { get; }

    /// <summary>The id of the <c>model_initialized</c> record written by the constructor.</summary>
    public string InitializationId { get; }

    /// <summary>
    /// The pass mark for <see cref="LogComplianceCheck"/> (config <c>compliance_score_threshold</c>, default 0.8):
    /// a score at or above it is <c>passed</c>, below it <c>failed</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set outside [0, 1].</exception>
    public double ComplianceScoreThreshold
    {
        get => _complianceScoreThreshold;
        set
        {
            if (double.IsNaN(value) || value < 0 || value > 1)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The compliance score threshold must be in [0, 1].");
            }
            _complianceScoreThreshold = value;
        }
    }

    /// <summary>Logs any event for this model and returns the new record's id.</summary>
    /// <param name="stage">The stage.</param>
    /// <param name="eventType">The event type.</param>
    /// <param name="metadata">The payload (anonymous object, dictionary, JSON).</param>
    /// <param name="details">A human-readable description.</param>
    /// <exception cref="ArgumentException">A name breaks the store's rules or the payload cannot be serialized.</exception>
    /// <exception cref="MetadataValidationException">A registered validator rejected the payload.</exception>
    /// <exception cref="MetadataStorageException">The store failed to write.</exception>
    public string LogEvent(string stage, string eventType, object? metadata, string? details = null)
        => Storage.SaveMetadata(ModelName, stage, eventType, metadata, ModelVersion, details);

    /// <inheritdoc cref="LogEvent"/>
    /// <param name="stage">The stage.</param>
    /// <param name="eventType">The event type.</param>
    /// <param name="metadata">The payload.</param>
    /// <param name="details">A human-readable description.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    public ValueTask<string> LogEventAsync(string stage, string eventType, object? metadata, string? details = null, CancellationToken cancellationToken = default)
        => Storage.SaveMetadataAsync(ModelName, stage, eventType, metadata, ModelVersion, details, cancellationToken);

    /// <summary>Logs <c>data_ingestion</c>/<c>data_loaded</c>.</summary>
    /// <param name="dataInfo">Source, volume, quality, schema.</param>
    /// <param name="details">A human-readable description.</param>
    public string LogDataIngestion(object? dataInfo, string? details = null) => LogEvent(PipelineStages.DataIngestion, ManagerEvents.DataLoaded, dataInfo, details);

    /// <summary>Logs <c>data_ingestion</c>/<c>data_loaded</c>.</summary>
    /// <param name="dataInfo">Source, volume, quality, schema.</param>
    /// <param name="details">A human-readable description.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    public ValueTask<string> LogDataIngestionAsync(object? dataInfo, string? details = null, CancellationToken cancellationToken = default)
        => LogEventAsync(PipelineStages.DataIngestion, ManagerEvents.DataLoaded, dataInfo, details, cancellationToken);

    /// <summary>Logs <c>data_preprocessing</c>/<c>data_preprocessed</c>.</summary>
    /// <param name="preprocessingInfo">Transformations, feature engineering, cleaning.</param>
    /// <param name="details">A human-readable description.</param>
    public string LogDataPreprocessing(object? preprocessingInfo, string? details = null)
        => LogEvent(PipelineStages.DataPreprocessing, ManagerEvents.DataPreprocessed, preprocessingInfo, details);

    /// <summary>Logs <c>data_preprocessing</c>/<c>data_preprocessed</c>.</summary>
    /// <param name="preprocessingInfo">Transformations, feature engineering, cleaning.</param>
    /// <param name="details">A human-readable description.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    public ValueTask<string> LogDataPreprocessingAsync(object? preprocessingInfo, string? details = null, CancellationToken cancellationToken = default)
        => LogEventAsync(PipelineStages.DataPreprocessing, ManagerEvents.DataPreprocessed, preprocessingInfo, details, cancellationToken);

    /// <summary>Logs <c>training</c>/<c>training_started</c>.</summary>
    /// <param name="trainingConfig">Algorithm, hyperparameters.</param>
    /// <param name="details">A human-readable description.</param>
    public string LogTrainingStart(object? trainingConfig, string? details = null) => LogEvent(PipelineStages.Training, ManagerEvents.TrainingStarted, trainingConfig, details);

    /// <summary>Logs <c>training</c>/<c>training_started</c>.</summary>
    /// <param name="trainingConfig">Algorithm, hyperparameters.</param>
    /// <param name="details">A human-readable description.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    public ValueTask<string> LogTrainingStartAsync(object? trainingConfig, string? details = null, CancellationToken cancellationToken = default)
        => LogEventAsync(PipelineStages.Training, ManagerEvents.TrainingStarted, trainingConfig, details, cancellationToken);

    /// <summary>Logs <c>training</c>/<c>training_completed</c>.</summary>
    /// <param name="trainingResults">Accuracy, precision, recall, duration.</param>
    /// <param name="details">A human-readable description.</param>
    public string LogTrainingComplete(object? trainingResults, string? details = null) => LogEvent(PipelineStages.Training, ManagerEvents.TrainingCompleted, trainingResults, details);

    /// <summary>Logs <c>training</c>/<c>training_completed</c>.</summary>
    /// <param name="trainingResults">Accuracy, precision, recall, duration.</param>
    /// <param name="details">A human-readable description.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    public ValueTask<string> LogTrainingCompleteAsync(object? trainingResults, string? details = null, CancellationToken cancellationToken = default)
        => LogEventAsync(PipelineStages.Training, ManagerEvents.TrainingCompleted, trainingResults, details, cancellationToken);

    /// <summary>Logs <c>validation</c>/<c>model_validated</c>.</summary>
    /// <param name="validationResults">Test performance, cross-validation, bias.</param>
    /// <param name="details">A human-readable description.</param>
    public string LogValidation(object? validationResults, string? details = null) => LogEvent(PipelineStages.Validation, ManagerEvents.ModelValidated, validationResults, details);

    /// <summary>Logs <c>validation</c>/<c>model_validated</c>.</summary>
    /// <param name="validationResults">Test performance, cross-validation, bias.</param>
    /// <param name="details">A human-readable description.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    public ValueTask<string> LogValidationAsync(object? validationResults, string? details = null, CancellationToken cancellationToken = default)
        => LogEventAsync(PipelineStages.Validation, ManagerEvents.ModelValidated, validationResults, details, cancellationToken);

    /// <summary>Logs <c>deployment</c>/<c>model_deployed</c> (the reference's <c>log_model_deployment</c>).</summary>
    /// <param name="deploymentInfo">Configuration, infrastructure.</param>
    /// <param name="details">A human-readable description.</param>
    public string LogDeployment(object? deploymentInfo, string? details = null) => LogEvent(PipelineStages.Deployment, ManagerEvents.ModelDeployed, deploymentInfo, details);

    /// <summary>Logs <c>deployment</c>/<c>model_deployed</c>.</summary>
    /// <param name="deploymentInfo">Configuration, infrastructure.</param>
    /// <param name="details">A human-readable description.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    public ValueTask<string> LogDeploymentAsync(object? deploymentInfo, string? details = null, CancellationToken cancellationToken = default)
        => LogEventAsync(PipelineStages.Deployment, ManagerEvents.ModelDeployed, deploymentInfo, details, cancellationToken);

    /// <summary>Logs <c>inference</c>/<c>inference_performed</c>.</summary>
    /// <param name="inferenceInfo">Request, prediction, latency.</param>
    /// <param name="details">A human-readable description.</param>
    public string LogInference(object? inferenceInfo, string? details = null) => LogEvent(PipelineStages.Inference, ManagerEvents.InferencePerformed, inferenceInfo, details);

    /// <summary>Logs <c>inference</c>/<c>inference_performed</c>.</summary>
    /// <param name="inferenceInfo">Request, prediction, latency.</param>
    /// <param name="details">A human-readable description.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    public ValueTask<string> LogInferenceAsync(object? inferenceInfo, string? details = null, CancellationToken cancellationToken = default)
        => LogEventAsync(PipelineStages.Inference, ManagerEvents.InferencePerformed, inferenceInfo, details, cancellationToken);

    /// <summary>Logs <c>monitoring</c>/<c>monitoring_data</c> (the reference's <c>log_model_monitoring</c>).</summary>
    /// <param name="monitoringData">Drift, degradation, alerts.</param>
    /// <param name="details">A human-readable description.</param>
    public string LogMonitoring(object? monitoringData, string? details = null) => LogEvent(PipelineStages.Monitoring, ManagerEvents.MonitoringData, monitoringData, details);

    /// <summary>Logs <c>monitoring</c>/<c>monitoring_data</c>.</summary>
    /// <param name="monitoringData">Drift, degradation, alerts.</param>
    /// <param name="details">A human-readable description.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    public ValueTask<string> LogMonitoringAsync(object? monitoringData, string? details = null, CancellationToken cancellationToken = default)
        => LogEventAsync(PipelineStages.Monitoring, ManagerEvents.MonitoringData, monitoringData, details, cancellationToken);

    /// <summary>
    /// Logs <c>compliance</c>/<c>&lt;framework lower&gt;_compliance</c>. When <paramref name="results"/> holds a numeric
    /// <c>compliance_score</c>, also adds a compliance event: <c>passed</c> when the score is at least
    /// <see cref="ComplianceScoreThreshold"/>, else <c>failed</c>.
    /// </summary>
    /// <param name="framework">The framework, e.g. <c>GDPR</c>.</param>
    /// <param name="results">The results (anonymous object, dictionary, JSON).</param>
    /// <param name="details">A description, stored on the record and the compliance event.</param>
    /// <returns>The compliance record's id.</returns>
    public string LogComplianceCheck(string framework, object? results, string? details = null)
    {
        var (data, score) = PrepareCompliance(framework, results);
        var id = LogEvent(PipelineStages.Compliance, ComplianceEventType(framework), data, details);
        if (score is double s)
        {
            Storage.AddComplianceEvent(id, framework, s, Status(s), details);
        }
        return id;
    }

    /// <inheritdoc cref="LogComplianceCheck"/>
    /// <param name="framework">The framework, e.g. <c>GDPR</c>.</param>
    /// <param name="results">The results.</param>
    /// <param name="details">A description.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    public async ValueTask<string> LogComplianceCheckAsync(string framework, object? results, string? details = null, CancellationToken cancellationToken = default)
    {
        var (data, score) = PrepareCompliance(framework, results);
        var id = await LogEventAsync(PipelineStages.Compliance, ComplianceEventType(framework), data, details, cancellationToken).ConfigureAwait(false);
        if (score is double s)
        {
            await Storage.AddComplianceEventAsync(id, framework, s, Status(s), details, cancellationToken).ConfigureAwait(false);
        }
        return id;
    }

    /// <summary>The compliance status the manager writes for a score: <c>passed</c> or <c>failed</c>.</summary>
    /// <param name="score">The compliance score.</param>
    public string Status(double score) => score >= ComplianceScoreThreshold ? "passed" : "failed";

    /// <summary>Every record of this model, grouped by stage in pipeline order.</summary>
    public PipelineTrace GetPipelineTrace() => Storage.GetPipelineTrace(ModelName);

    /// <summary>Every record of this model, grouped by stage in pipeline order.</summary>
    /// <param name="cancellationToken">Cancels the query.</param>
    public ValueTask<PipelineTrace> GetPipelineTraceAsync(CancellationToken cancellationToken = default) => Storage.GetPipelineTraceAsync(ModelName, cancellationToken);

    /// <summary>This model's records of one stage (the reference's default limit: 50).</summary>
    /// <param name="stage">The stage (exact match).</param>
    /// <param name="limit">The most records to return (default 50; null for all).</param>
    public IReadOnlyList<MetadataRecord> GetStageMetadata(string stage, int? limit = 50) => Storage.GetModelMetadata(ModelName, stage, limit);

    /// <summary>This model's records of one stage.</summary>
    /// <param name="stage">The stage (exact match).</param>
    /// <param name="limit">The most records to return (default 50; null for all).</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    public ValueTask<IReadOnlyList<MetadataRecord>> GetStageMetadataAsync(string stage, int? limit = 50, CancellationToken cancellationToken = default)
        => Storage.GetModelMetadataAsync(ModelName, stage, limit, cancellationToken);

    /// <summary>Exports this model's records; returns the file written.</summary>
    /// <param name="format">The export format (default <c>json</c>).</param>
    public string ExportMetadata(string format = "json") => Storage.ExportMetadata(ModelName, format);

    /// <summary>The event type of a framework's compliance record: <c>&lt;framework lower&gt;_compliance</c>.</summary>
    /// <param name="framework">The framework name.</param>
    public static string ComplianceEventType(string framework)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(framework);
        return framework.ToLowerInvariant() + "_compliance";
    }

    private static (JsonObject Data, double? Score) PrepareCompliance(string framework, object? results)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(framework);
        JsonObject data;
        try
        {
            data = EvidenceReader.ToJsonObject(results, nameof(results));
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
        {
            throw new ArgumentException($"The compliance results cannot be serialized: {ex.Message}", nameof(results), ex);
        }
        double? score = EvidenceReader.TryGetNumber(data["compliance_score"], out var s) ? s : null;
        return (data, score);
    }
}
