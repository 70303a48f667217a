using Ciaf.Metadata.Compliance;
using Ciaf.Metadata.Configuration;
using Ciaf.Metadata.Integration;
using Microsoft.Extensions.Logging;

namespace Ciaf.Metadata.DependencyInjection;

/// <summary>
/// Creates managers and compliance trackers bound to the registered <see cref="MetadataStorage"/> and
/// <see cref="MetadataConfig"/> (registered by <c>AddCiafMetadata</c>).
/// </summary>
public sealed class ModelMetadataManagerFactory(MetadataStorage storage, MetadataConfig config, ILoggerFactory? loggerFactory = null)
{
    /// <summary>A manager for one model (logs <c>model_lifecycle/model_initialized</c>), with the configured compliance threshold.</summary>
    public ModelMetadataManager Create(string modelName, string modelVersion = ModelMetadataManager.DefaultModelVersion) =>
        new(modelName, modelVersion, storage)
        {
            ComplianceScoreThreshold = config.Get(MetadataConfigKeys.ComplianceScoreThreshold, 0.8),
        };

    /// <summary>A compliance tracker for a manager, with the configured alert settings.</summary>
    public ComplianceTracker CreateComplianceTracker(ModelMetadataManager manager) =>
        new(manager, new ComplianceTrackerOptions
        {
            AlertOnComplianceFailure = config.Get(MetadataConfigKeys.AlertOnComplianceFailure, true),
            AlertWebhookUrl = Uri.TryCreate(config.Get<string?>(MetadataConfigKeys.AlertWebhookUrl, null), UriKind.Absolute, out var url) ? url : null,
            LoggerFactory = loggerFactory,
        });
}
