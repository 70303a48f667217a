using System.Globalization;
using Ciaf.Metadata.Configuration;

namespace Ciaf.Metadata.Integration;

/// <summary>
/// The one seam through which the manager, capture and tracker read settings and the default store:
/// <see cref="MetadataConfig.Default"/>. A setting that cannot be read (malformed file, wrong type) falls back to
/// the reference's default, so that tracking and capture never fail because of configuration; the storage and
/// <c>MetadataConfig.Validate</c> report configuration errors.
/// </summary>
internal static class IntegrationSettings
{
    /// <summary>The reference's default pass mark.</summary>
    public const double DefaultComplianceScoreThreshold = 0.8;

    /// <summary><c>compliance_score_threshold</c> (default 0.8).</summary>
    public static double ComplianceScoreThreshold
    {
        get
        {
            double t = Read(MetadataConfigKeys.ComplianceScoreThreshold, DefaultComplianceScoreThreshold);
            return double.IsNaN(t) || t < 0 || t > 1 ? DefaultComplianceScoreThreshold : t;
        }
    }

    /// <summary><c>alert_on_compliance_failure</c> (default true).</summary>
    public static bool AlertOnComplianceFailure => Read(MetadataConfigKeys.AlertOnComplianceFailure, true);

    /// <summary><c>alert_webhook_url</c> (default none).</summary>
    public static Uri? AlertWebhookUrl
    {
        get
        {
            var text = Read<string?>(MetadataConfigKeys.AlertWebhookUrl, null);
            return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri : null;
        }
    }

    /// <summary>The process-wide store used when a caller passes none: <see cref="MetadataStorage.Default"/>.</summary>
    public static MetadataStorage DefaultStorage => MetadataStorage.Default;

    /// <summary>The process-wide store if something has opened it already, else null (never opens it).</summary>
    public static MetadataStorage? DefaultStorageIfCreated => MetadataStorage.DefaultIfCreated;

    /// <summary>Formats a double for messages.</summary>
    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static T Read<T>(string key, T fallback)
    {
        try
        {
            return MetadataConfig.Default.Get(key, fallback);
        }
        catch (Exception ex) when (ex is MetadataConfigException or KeyNotFoundException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            return fallback;
        }
    }
}
