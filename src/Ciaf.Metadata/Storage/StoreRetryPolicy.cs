using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Ciaf.Metadata.Storage;

/// <summary>
/// The store's retry policy, built once in the core as Polly pipelines: backends and services never write retry
/// loops of their own.
/// </summary>
internal static class StoreRetryPolicy
{
    /// <summary>The first delay of a background write retry; each later one doubles (with jitter).</summary>
    public static readonly TimeSpan BackgroundRetryDelay = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// For the background batcher: a failed batch is tried again <paramref name="retries"/> times with exponential
    /// backoff, each failure logged as a warning. Cancellation is never retried.
    /// </summary>
    /// <param name="retries">How many times to try again after the first failure (0: no retry).</param>
    /// <param name="what">What is written, for the log ("buffered records", "audit entries").</param>
    /// <param name="logger">Where each failed attempt is logged.</param>
    public static ResiliencePipeline BackgroundWrites(int retries, string what, ILogger logger)
    {
        if (retries <= 0) return ResiliencePipeline.Empty;
        return new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = retries,
                Delay = BackgroundRetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not OperationCanceledException),
                OnRetry = args =>
                {
                    logger.LogWarning(args.Outcome.Exception, "Background write of {What} failed (attempt {Attempt}); retrying in {Delay} ms",
                        what, args.AttemptNumber + 1, (int)args.RetryDelay.TotalMilliseconds);
                    return default;
                },
            })
            .Build();
    }
}
