using System.CommandLine;
using Ciaf.Cli.Infrastructure;
using Ciaf.Metadata;
using Spectre.Console;

namespace Ciaf.Cli.Commands;

/// <summary><c>ciaf trace MODEL</c>: a model's pipeline as a tree of stages, or as a timeline.</summary>
internal static class TraceCommand
{
    public static Command Create(CliApp app)
    {
        var model = new Argument<string>("model") { Description = "The model name." };
        var timeline = new Option<bool>("--timeline", "-t") { Description = "Every record in time order, with the time since the previous one." };
        var command = new Command("trace", "Show a model's pipeline trace (every record, stages in pipeline order).") { model, timeline };
        app.Bind(command, async (context, parse) =>
        {
            string name = parse.GetRequiredValue(model);
            await using var storage = context.Stores.Open(context);
            var trace = await storage.GetPipelineTraceAsync(name, context.CancellationToken).ConfigureAwait(false);
            if (trace.EntryCount == 0)
            {
                throw new CliException($"No records for model '{name}' in the store at '{storage.StoragePath}'. ('ciaf stats' lists the models.)");
            }
            if (context.Json)
            {
                context.WriteJson(Render.Trace(trace));
                return ExitCodes.Success;
            }
            if (parse.GetValue(timeline)) WriteTimeline(context, trace);
            else WriteTree(context, trace);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Stages in pipeline order, each with its records (long runs of one event type are folded).</summary>
    public static void WriteTree(CliContext context, PipelineTrace trace, int maxPerEvent = 5)
    {
        var tree = new Tree($"[bold]{Markup.Escape(trace.ModelName)}[/] ({trace.EntryCount} records)");
        foreach (var stage in trace.Stages)
        {
            var node = tree.AddNode($"[blue]{Markup.Escape(stage.Stage)}[/] ({stage.Entries.Count})");
            foreach (var group in stage.Entries.GroupBy(e => e.EventType))
            {
                var entries = group.ToList();
                foreach (var e in entries.Take(maxPerEvent))
                {
                    node.AddNode($"{Render.Time(e.Timestamp)}  [bold]{Markup.Escape(e.EventType)}[/]  [grey]{Markup.Escape(e.Id)}[/]  {Markup.Escape(Render.Short(e.Details, 70))}");
                }
                if (entries.Count > maxPerEvent)
                {
                    node.AddNode($"[grey]… {entries.Count - maxPerEvent} more {Markup.Escape(group.Key)} (through {Render.Time(entries[^1].Timestamp)})[/]");
                }
            }
        }
        context.Out.Write(tree);
    }

    private static void WriteTimeline(CliContext context, PipelineTrace trace)
    {
        var entries = trace.Stages.SelectMany(s => s.Entries.Select(e => (s.Stage, Entry: e)))
            .OrderBy(x => x.Entry.Timestamp).ThenBy(x => x.Entry.Id, StringComparer.Ordinal).ToList();
        var table = new Table().Border(TableBorder.Rounded).AddColumns("Time (UTC)", "+", "Stage", "Event", "Id", "Details");
        DateTimeOffset? previous = null;
        foreach (var (stage, e) in entries)
        {
            string delta = previous is { } p ? FormatDelta(e.Timestamp - p) : string.Empty;
            table.AddRow(Render.Cells(Render.Time(e.Timestamp), delta, stage, e.EventType, e.Id, Render.Short(e.Details)));
            previous = e.Timestamp;
        }
        context.Out.Write(table);
    }

    private static string FormatDelta(TimeSpan d) =>
        d.TotalSeconds < 1 ? $"{d.TotalMilliseconds:0}ms" : d.TotalMinutes < 1 ? $"{d.TotalSeconds:0.0}s" : d.TotalHours < 1 ? $"{d.TotalMinutes:0.0}m" : $"{d.TotalHours:0.0}h";
}
