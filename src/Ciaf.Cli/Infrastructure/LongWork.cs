using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace Ciaf.Cli.Infrastructure;

/// <summary>
/// Runs long work (export, cleanup, ...) with a progress bar on stderr showing counts and rate — live when stderr
/// is a terminal, a final summary line otherwise. The work gets the command's cancellation token (Ctrl+C) and an
/// <see cref="IProgress{T}"/> of items done; the library operations it calls leave the store consistent when cancelled.
/// </summary>
internal static class LongWork
{
    public static async Task<T> RunAsync<T>(CliContext context, string verb, string unit, long? total,
        Func<IProgress<long>, CancellationToken, Task<T>> work, Func<T, long> itemsDone)
    {
        var clock = Stopwatch.StartNew();
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
                    var reporter = new Reporter(task, verb, unit, total, clock);
                    var value = await work(reporter, context.CancellationToken).ConfigureAwait(false);
                    reporter.Report(itemsDone(value));
                    task.Value = task.MaxValue;
                    task.StopTask();
                    return value;
                }).ConfigureAwait(false);
        }
        else
        {
            result = await work(new Progress<long>(), context.CancellationToken).ConfigureAwait(false);
        }
        long done = itemsDone(result);
        double seconds = Math.Max(clock.Elapsed.TotalSeconds, 1e-6);
        context.Note(string.Create(CultureInfo.InvariantCulture,
            $"{verb}: {done} {unit} in {clock.Elapsed.TotalSeconds:0.00} s ({done / seconds:0} {unit}/s)"));
        return result;
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
