using System.CommandLine;
using Ciaf.Cli.Infrastructure;
using Ciaf.Metadata;
using Ciaf.Metadata.Search;
using Ciaf.Metadata.Storage;

namespace Ciaf.Cli.Commands;

/// <summary><c>ciaf list</c>: records, newest first, filtered by model, stage and time.</summary>
internal static class ListCommand
{
    public static Command Create(CliApp app)
    {
        var model = new Option<string?>("--model", "-m") { Description = "Only this model." };
        var stage = new Option<string?>("--stage") { Description = "Only this stage (exact match), e.g. training." };
        var since = new Option<DateTimeOffset?>("--since") { Description = "Only records at or after this time. " + TimeArgument.Help, CustomParser = TimeArgument.Parse };
        var limit = new Option<int>("--limit", "-n") { Description = "At most this many records (0 for all).", DefaultValueFactory = _ => 50 };
        limit.AtLeast(0, "--limit must be 0 (all) or more.");
        var filter = SearchCommand.FilterOption("records");
        var command = new Command("list", "List records, newest first.") { model, stage, since, limit, filter };
        app.Bind(command, async (context, parse) =>
        {
            int max = parse.GetValue(limit);
            if (parse.GetValue(filter) is { } text)
            {
                // The other options join the filter: one search, evaluated where the data lives.
                text = SearchCommand.And(text, ("model_name", "=", parse.GetValue(model)), ("stage", "=", parse.GetValue(stage)),
                    ("timestamp", ">=", SearchCommand.Instant(parse.GetValue(since))))!;
                await using var searched = context.Stores.Open(context);
                return await SearchCommand.Run(context, async () =>
                {
                    var page = await searched.SearchAsync(text, new SearchOptions { Limit = max }, context.CancellationToken).ConfigureAwait(false);
                    return Print(context, page.Records, max == 0 ? null : max);
                }).ConfigureAwait(false);
            }
            var query = new MetadataQuery
            {
                ModelName = parse.GetValue(model),
                Stage = parse.GetValue(stage),
                Since = parse.GetValue(since),
                Limit = max == 0 ? null : max,
                Order = RecordOrder.NewestFirst,
            };
            await using var storage = context.Stores.Open(context);
            var records = new List<MetadataRecord>();
            await foreach (var r in storage.QueryMetadataAsync(query, context.CancellationToken).ConfigureAwait(false)) records.Add(r);
            return Print(context, records, query.Limit);
        });
        return command;
    }

    private static int Print(CliContext context, IReadOnlyList<MetadataRecord> records, int? limit)
    {
        if (context.Json)
        {
            context.WriteJson(Render.Records(records));
            return ExitCodes.Success;
        }
        if (records.Count == 0)
        {
            context.Note("No records match.");
            return ExitCodes.Success;
        }
        context.Out.Write(Render.RecordTable(records));
        context.Note($"{records.Count} record(s){(limit is { } l && records.Count == l ? $" (the first {l}; --limit 0 for all)" : string.Empty)}");
        return ExitCodes.Success;
    }
}
