using System.CommandLine;
using Ciaf.Cli.Infrastructure;
using Ciaf.Metadata.Storage;

namespace Ciaf.Cli.Commands;

/// <summary><c>ciaf events</c>: compliance events, newest first.</summary>
internal static class EventsCommand
{
    public static Command Create(CliApp app)
    {
        var framework = new Option<string?>("--framework", "-f") { Description = "Only this framework, e.g. GDPR." };
        var since = new Option<DateTimeOffset?>("--since") { Description = "Only events at or after this time. " + TimeArgument.Help, CustomParser = TimeArgument.Parse };
        var limit = new Option<int>("--limit", "-n") { Description = "At most this many events (0 for all).", DefaultValueFactory = _ => 50 };
        limit.AtLeast(0, "--limit must be 0 (all) or more.");
        var filter = SearchCommand.FilterOption("events");
        filter.Description += " Fields: id, metadata_id, framework, compliance_score, validation_status, timestamp, details.";
        var command = new Command("events", "List compliance events, newest first.") { framework, since, limit, filter };
        app.Bind(command, async (context, parse) => await SearchCommand.Run(context, async () =>
        {
            int max = parse.GetValue(limit);
            await using var storage = context.Stores.Open(context);
            var events = parse.GetValue(filter) is { } text
                ? await storage.SearchComplianceEventsAsync(
                    SearchCommand.And(text, ("framework", "=", parse.GetValue(framework)), ("timestamp", ">=", SearchCommand.Instant(parse.GetValue(since))))!,
                    max == 0 ? null : max, context.CancellationToken).ConfigureAwait(false)
                : await storage.GetComplianceEventsAsync(new ComplianceEventQuery
                {
                    Framework = parse.GetValue(framework),
                    Since = parse.GetValue(since),
                    Limit = max == 0 ? null : max,
                }, context.CancellationToken).ConfigureAwait(false);
            if (context.Json)
            {
                context.WriteJson(Render.Events(events));
                return ExitCodes.Success;
            }
            if (events.Count == 0)
            {
                context.Note("No compliance events match.");
                return ExitCodes.Success;
            }
            context.Out.Write(Render.EventTable(events));
            context.Note($"{events.Count} event(s)");
            return ExitCodes.Success;
        }).ConfigureAwait(false));
        return command;
    }
}
