using System.Diagnostics;
using Polly;
using Polly.Retry;

namespace Ciaf.Metadata.Storage;

/// <summary>
/// A backend's retry of transient errors (built by <see cref="StoreRetryPolicy.Transient"/>): one Polly pipeline, run
/// for each operation with the time it started and its name, so retrying stops once the budget is spent.
/// </summary>
public sealed class TransientRetry
{
    private static readonly ResiliencePropertyKey<long> Started = new("ciaf.started");
    private static readonly ResiliencePropertyKey<string> Operation = new("ciaf.operation");

    private readonly ResiliencePipeline _pipeline;

    internal TransientRetry(Func<Exception, bool> isTransient, TimeSpan budget, TimeSpan firstDelay, TimeSpan maxDelay,
        Action<string, Exception, int, TimeSpan>? onRetry, Func<Exception, TimeSpan?>? delayHint = null)
    {
        if (budget <= TimeSpan.Zero)
        {
            _pipeline = ResiliencePipeline.Empty;
            return;
        }
        _pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = int.MaxValue,
                Delay = firstDelay,
                MaxDelay = maxDelay,
                BackoffType = DelayBackoffType.Exponential,
                // Processes hit by one restart or one lock must not retry in lockstep.
                UseJitter = true,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is { } ex && ex is not OperationCanceledException && isTransient(ex)
                    && !args.Context.CancellationToken.IsCancellationRequested
                    && Stopwatch.GetElapsedTime(args.Context.Properties.GetValue(Started, 0)) < budget),
                // A wait the error asks for (Retry-After) wins over the backoff's, as long as it fits in what is left of the budget.
                DelayGenerator = delayHint is null ? null : args => ValueTask.FromResult(
                    args.Outcome.Exception is { } error && delayHint(error) is { } hint
                        ? (TimeSpan?)TimeSpan.FromTicks(Math.Max(0, Math.Min(hint.Ticks, (budget - Stopwatch.GetElapsedTime(args.Context.Properties.GetValue(Started, 0))).Ticks)))
                        : null),
                OnRetry = args =>
                {
                    onRetry?.Invoke(args.Context.Properties.GetValue(Operation, "operation"), args.Outcome.Exception!, args.AttemptNumber + 1, args.RetryDelay);
                    return default;
                },
            })
            .Build();
    }

    /// <summary>Runs <paramref name="action"/>, retrying transient errors.</summary>
    public async ValueTask<T> ExecuteAsync<T>(string operation, Func<CancellationToken, ValueTask<T>> action, CancellationToken cancellationToken)
    {
        var context = Begin(operation, cancellationToken);
        try
        {
            return await _pipeline.ExecuteAsync(static (ctx, act) => act(ctx.CancellationToken), context, action).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>Runs <paramref name="action"/> on the calling thread (waits block), retrying transient errors; for constructors.</summary>
    public T Execute<T>(string operation, Func<T> action)
    {
        var context = Begin(operation, CancellationToken.None);
        try
        {
            return _pipeline.Execute(static (_, act) => act(), context, action);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static ResilienceContext Begin(string operation, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(Started, Stopwatch.GetTimestamp());
        context.Properties.Set(Operation, operation);
        return context;
    }
}
