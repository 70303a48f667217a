using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Ciaf.Metadata.Storage;

/// <summary>
/// The store's retry policy, built as Polly pipelines: backends and services never write retry loops of their own.
/// A backend only says which of its exceptions are transient (<see cref="TransientRetry"/>).
/// </summary>
public static class StoreRetryPolicy
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
    internal static ResiliencePipeline BackgroundWrites(int retries, string what, ILogger logger)
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

    /// <summary>
    /// For a backend's I/O: an operation failing with an error <paramref name="isTransient"/> accepts (a busy database,
    /// a server restart) is tried again with exponential backoff and jitter (from <paramref name="firstDelay"/> up to
    /// <paramref name="maxDelay"/> apart) until it succeeds, fails otherwise, or has been retried for <paramref name="budget"/>;
    /// then the last error is thrown. Cancellation is never retried.
    /// </summary>
    /// <param name="isTransient">The backend's classification of its own errors.</param>
    /// <param name="budget">How long one operation keeps retrying (<see cref="TimeSpan.Zero"/>: never).</param>
    /// <param name="firstDelay">The first wait.</param>
    /// <param name="maxDelay">The longest wait between two tries.</param>
    /// <param name="onRetry">Called before each wait with the operation's name, the error, the attempt (1 = the first retry) and the delay (to log, or to drop dead pooled connections).</param>
    /// <param name="delayHint">
    /// The wait an error asks for, if any (a server's <c>Retry-After</c>): used instead of the backoff's, so a busy server
    /// is not asked again sooner than it said. <c>null</c> (or a <c>null</c> answer): the backoff decides.
    /// </param>
    public static TransientRetry Transient(Func<Exception, bool> isTransient, TimeSpan budget, TimeSpan firstDelay, TimeSpan maxDelay,
        Action<string, Exception, int, TimeSpan>? onRetry = null, Func<Exception, TimeSpan?>? delayHint = null) =>
        new(isTransient, budget, firstDelay, maxDelay, onRetry, delayHint);
}
