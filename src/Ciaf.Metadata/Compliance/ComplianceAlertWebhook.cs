using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Polly;

namespace Ciaf.Metadata.Compliance;

/// <summary>
/// Posts failed assessments to a webhook in the background: a Polly pipeline (total timeout → retry on
/// transient HTTP failures with exponential backoff → per-attempt timeout). Deliveries never block or fail
/// the tracking call; failures are logged.
/// </summary>
internal sealed class ComplianceAlertWebhook
{
    private static readonly Lazy<HttpClient> SharedClient = new(() => new HttpClient { Timeout = Timeout.InfiniteTimeSpan });

    private readonly Uri _url;
    private readonly HttpClient _client;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly Lock _lock = new();
    private readonly HashSet<Task> _inFlight = [];

    public ComplianceAlertWebhook(Uri url, ComplianceTrackerOptions options, ILogger logger)
    {
        _url = url;
        _client = options.HttpClient ?? SharedClient.Value;
        _logger = logger;
        _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddTimeout(options.WebhookTotalTimeout)
            .AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = Math.Max(0, options.WebhookMaxRetries),
                Delay = options.WebhookRetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldRetryAfterHeader = false,
            })
            .AddTimeout(options.WebhookAttemptTimeout)
            .Build();
    }

    /// <summary>Starts a delivery on the thread pool and returns at once.</summary>
    public void Post(ComplianceAssessment assessment)
    {
        string body = assessment.ToJson().ToJsonString();
        var task = Task.Run(() => DeliverAsync(assessment, body));
        lock (_lock)
        {
            _inFlight.Add(task);
        }
        _ = task.ContinueWith(t =>
        {
            lock (_lock)
            {
                _inFlight.Remove(t);
            }
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Waits for the deliveries started so far.</summary>
    public Task WhenIdleAsync(CancellationToken cancellationToken)
    {
        Task[] pending;
        lock (_lock)
        {
            pending = [.. _inFlight];
        }
        return Task.WhenAll(pending).WaitAsync(cancellationToken);
    }

    private async Task DeliverAsync(ComplianceAssessment assessment, string body)
    {
        try
        {
            using var response = await _pipeline.ExecuteAsync(async ct =>
            {
                using var content = new StringContent(body, Encoding.UTF8);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                return await _client.PostAsync(_url, content, ct).ConfigureAwait(false);
            }, CancellationToken.None).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                _logger.LogWarning("Compliance alert webhook {Url} answered {Status} for {Framework} ({MetadataId})",
                    _url, (int)response.StatusCode, assessment.Framework, assessment.MetadataId);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _logger.LogError(ex, "Compliance alert webhook {Url} failed for {Framework} ({MetadataId})",
                _url, assessment.Framework, assessment.MetadataId);
        }
    }
}
