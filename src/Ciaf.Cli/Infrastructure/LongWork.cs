using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace Ciaf.Cli.Infrastructure;

/// <summary>
/// Runs long work (export, import, migrate, backup, restore, verify, cleanup) with a progress bar on stderr
/// showing counts and rate — live when stderr is a terminal, a final summary line otherwise. The work gets the
/// command's cancellation token (Ctrl+C) and an <see cref="IProgress{T}"/> of items done; the library operations
/// it calls leave the store consistent when cancelled.
/// </summary>
internal static class LongWork
{
    /// <summary>Runs <paramref name="work"/> under a progress bar.</summary>
    /// <param name="context">The command's run.</param>
    /// <param name="verb">What is being done (<c>Exporting</c>), the bar's label and the summary's start.</param>
    /// <param name="unit">What is counted (<c>records</c>).</param>
    /// <param name="total">How many items there will be, when known (a bar with a percentage); otherwise a spinner with the count.</param>
    /// <param name="work">The work, given the progress to report counts to and the cancellation token.</param>
    /// <param name="itemsDone">The count for the summary, from the result; <c>null</c> for the last count the work reported.</param>
    public static async Task<T> RunAsync<T>(CliContext context, string verb, string unit, long? total,
        Func<IProgress<long>, CancellationToken, Task<T>> work, Func<T, long>? itemsDone = null)
    {
        var clock = Stopwatch.StartNew();
        var tracker = new Tracker();
        T result;
        if (context.LiveProgress)
        {
            result = await context.Err.Progress()
                .AutoClear(true)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                    new ElapsedTimeColumn(), new SpinnerColumn())
                .StartAsync(async progress =>
                {
                    var task = progress.AddTask(verb, maxValue: Math.Max(1, total ?? 1));
                    task.IsIndeterminate = total is null;
                    tracker.Live = new Reporter(task, verb, unit, total, clock);
                    var value = await work(tracker, context.CancellationToken).ConfigureAwait(false);
                    tracker.Report(itemsDone?.Invoke(value) ?? tracker.Last);
                    task.Value = task.MaxValue;
                    task.StopTask();
                    return value;
                }).ConfigureAwait(false);
        }
        else
        {
            result = await work(tracker, context.CancellationToken).ConfigureAwait(false);
        }
        long done = itemsDone?.Invoke(result) ?? tracker.Last;
        double seconds = Math.Max(clock.Elapsed.TotalSeconds, 1e-6);
        context.Note(string.Create(CultureInfo.InvariantCulture,
            $"{verb}: {done} {unit} in {clock.Elapsed.TotalSeconds:0.00} s ({done / seconds:0} {unit}/s)"));
        return result;
    }

    /// <summary>Keeps the last count reported (for the summary) and forwards it to the live bar, if any.</summary>
    private sealed class Tracker : IProgress<long>
    {
        private long _last;

        public Reporter? Live { get; set; }

        public long Last => Interlocked.Read(ref _last);

        public void Report(long value)
        {
            Interlocked.Exchange(ref _last, value);
            Live?.Report(value);
        }
    }

    private sealed class Reporter(ProgressTask task, string verb, string unit, long? total, Stopwatch clock) : IProgress<long>
    {
        public void Report(long value)
        {
            double seconds = Math.Max(clock.Elapsed.TotalSeconds, 1e-6);
            if (total is not null) task.Value = Math.Min(value, task.MaxValue);
            string of = total is { } t ? $"/{t}" : string.Empty;
            task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"{verb} {value}{of} {unit} ({value / seconds:0}/s)"));
        }
    }
}
