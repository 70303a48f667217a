using Ciaf.Metadata.Storage;
using Microsoft.Extensions.Logging;

namespace Ciaf.Metadata.Retention;

/// <summary>
/// Runs cleanup on <see cref="MetadataStorageOptions.CleanupSchedule"/> (config <c>auto_cleanup_enabled</c>,
/// <c>cleanup_schedule</c>), driven by the store's <see cref="TimeProvider"/>; the first run is one period after opening.
/// A run never overlaps the previous one, never blocks the timer, and its failures are logged and counted.
/// </summary>
internal sealed class AutoCleanup : IAsyncDisposable
{
    private readonly RetentionService _retention;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private readonly ITimer _timer;
    private Task? _running;
    private bool _stopped;
    private long _failures;
    private CleanupReport? _last;

    public AutoCleanup(RetentionService retention, StoreCore core)
    {
        _retention = retention;
        _logger = core.Logger;
        var schedule = core.Options.CleanupSchedule;
        var period = schedule switch
        {
            CleanupSchedule.Hourly => TimeSpan.FromHours(1),
            CleanupSchedule.Daily => TimeSpan.FromDays(1),
            CleanupSchedule.Weekly => TimeSpan.FromDays(7),
            _ => TimeSpan.FromDays(30),
        };
        _timer = core.Clock.CreateTimer(static state => ((AutoCleanup)state!).OnTimer(), this, period, period);
        _logger.LogInformation("Automatic cleanup every {Period} ({Schedule})", period, schedule);
    }

    /// <summary>The report of the last run that completed, or <c>null</c>.</summary>
    public CleanupReport? LastReport => Volatile.Read(ref _last);

    /// <summary>How many runs failed.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Stops the timer and waits for a run in progress (it is cancelled).</summary>
    public async ValueTask DisposeAsync()
    {
        await _timer.DisposeAsync().ConfigureAwait(false);
        Task? running;
        lock (_lock)
        {
            _stopped = true;
            running = _running;
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (running is not null) await running.ConfigureAwait(false); // never throws: the run catches everything
        _stopping.Dispose();
    }

    private void OnTimer()
    {
        // Under the lock, so that once DisposeAsync has taken it no run can start.
        lock (_lock)
        {
            if (_stopped) return;
            if (_running is { IsCompleted: false })
            {
                _logger.LogWarning("Automatic cleanup skipped: the previous run is still going");
                return;
            }
            // The timer callback only starts the run: it never blocks the timer thread (or a test clock's Advance).
            _running = Task.Run(RunAsync);
        }
    }

    private async Task RunAsync()
    {
        try
        {
            var report = await _retention.RunCleanupAsync(null, dryRun: false, RetentionService.ScheduleTrigger, _stopping.Token).ConfigureAwait(false);
            Volatile.Write(ref _last, report);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            _logger.LogInformation("Automatic cleanup stopped: the store is closing");
        }
        catch (Exception ex)
        {
            Interlocked.Increment(ref _failures);
            _logger.LogError(ex, "Automatic cleanup failed; it runs again at the next scheduled time");
        }
    }
}
