using System.Globalization;
using Ciaf.Metadata.Storage;

namespace Ciaf.Metadata.Integration;

/// <summary>
/// The one seam through which the manager, capture and tracker read settings and the default store.
/// Until <c>MetadataConfig</c> is available this reads safe defaults (the reference's) and the
/// reference's <c>CIAF_ALERT_WEBHOOK</c> environment variable; switching to <c>MetadataConfig.Default</c>
/// changes only this file.
/// </summary>
internal static class IntegrationSettings
{
    /// <summary>The reference's default pass mark.</summary>
    public const double DefaultComplianceScoreThreshold = 0.8;

    private static readonly Lazy<MetadataStorage> LazyDefaultStorage =
        new(() => new MetadataStorage(MetadataStorageOptions.DefaultStoragePath, MetadataStorageOptions.DefaultBackend),
            LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary><c>compliance_score_threshold</c> (default 0.8).</summary>
    public static double ComplianceScoreThreshold => DefaultComplianceScoreThreshold;

    /// <summary><c>alert_on_compliance_failure</c> (default true).</summary>
    public static bool AlertOnComplianceFailure => true;

    /// <summary><c>alert_webhook_url</c> (default none; <c>CIAF_ALERT_WEBHOOK</c> overrides).</summary>
    public static Uri? AlertWebhookUrl
    {
        get
        {
            var text = Environment.GetEnvironmentVariable("CIAF_ALERT_WEBHOOK");
            return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri : null;
        }
    }

    /// <summary>The process-wide store used when a caller passes none.</summary>
    public static MetadataStorage DefaultStorage => LazyDefaultStorage.Value;

    /// <summary>Formats a double for messages.</summary>
    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
