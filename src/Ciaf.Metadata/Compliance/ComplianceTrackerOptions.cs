using Microsoft.Extensions.Logging;

namespace Ciaf.Metadata.Compliance;

/// <summary>Options of a <see cref="ComplianceTracker"/>. Unset values come from the configuration (<c>alert_on_compliance_failure</c>, <c>alert_webhook_url</c>).</summary>
public sealed class ComplianceTrackerOptions
{
    /// <summary>Whether a failed assessment raises <see cref="ComplianceTracker.ComplianceFailed"/> and posts to the webhook; null: config <c>alert_on_compliance_failure</c> (default true).</summary>
    public bool? AlertOnComplianceFailure { get; set; }

    /// <summary>Where failed assessments are POSTed as JSON; null: config <c>alert_webhook_url</c> (default none).</summary>
    public Uri? AlertWebhookUrl { get; set; }

    /// <summary>The HTTP client for the webhook; default: one shared client owned by the library.</summary>
    public HttpClient? HttpClient { get; set; }

    /// <summary>How long one webhook attempt may take (default 5 s).</summary>
    public TimeSpan WebhookAttemptTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a delivery may take over all attempts (default 30 s).</summary>
    public TimeSpan WebhookTotalTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries after a transient failure (5xx, 408, 429, network error, attempt timeout); default 3.</summary>
    public int WebhookMaxRetries { get; set; } = 3;

    /// <summary>The first retry delay; later ones back off exponentially with jitter (default 200 ms).</summary>
    public TimeSpan WebhookRetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Where webhook failures and event-handler failures are logged (default: nowhere).</summary>
    public ILoggerFactory? LoggerFactory { get; set; }
}
