using System.CommandLine;
using System.Text.Json.Nodes;
using Ciaf.Cli.Infrastructure;

namespace Ciaf.Cli.Commands;

/// <summary><c>ciaf index add|list|drop</c>: declared expression indexes on metadata paths, used by searches (SQLite, PostgreSQL).</summary>
internal static class IndexCommand
{
    public static Command Create(CliApp app)
    {
        var command = new Command("index", "Declare, list and drop indexes on metadata paths that searches use (sqlite and postgresql).");
        command.Add(Change(app, "add", "Create an index on a metadata path, e.g. metadata.performance.accuracy.", add: true));
        command.Add(Change(app, "drop", "Drop the index on a metadata path.", add: false));
        var list = new Command("list", "List the indexed metadata paths.");
        app.Bind(list, async (context, parse) =>
        {
            await using var storage = context.Stores.Open(context);
            var paths = await storage.GetSearchIndexesAsync(context.CancellationToken).ConfigureAwait(false);
            if (context.Json)
            {
                context.WriteJson(new JsonArray([.. paths.Select(p => (JsonNode)p)]));
                return ExitCodes.Success;
            }
            if (paths.Count == 0) context.Note("No indexes declared.");
            foreach (var path in paths) context.WriteLine(path);
            return ExitCodes.Success;
        });
        command.Add(list);
        return command;
    }

    private static Command Change(CliApp app, string name, string description, bool add)
    {
        var path = new Argument<string>("path") { Description = "The metadata path, e.g. metadata.performance.accuracy (plain keys only)." };
        var command = new Command(name, description) { path };
        app.Bind(command, async (context, parse) => await SearchCommand.Run(context, async () =>
        {
            string text = parse.GetRequiredValue(path);
            await using var storage = context.Stores.Open(context);
            bool changed = add
                ? await storage.AddSearchIndexAsync(text, context.CancellationToken).ConfigureAwait(false)
                : await storage.DropSearchIndexAsync(text, context.CancellationToken).ConfigureAwait(false);
            if (context.Json) context.WriteJson(new JsonObject { ["path"] = text, [add ? "created" : "dropped"] = changed });
            else context.Note(add ? (changed ? $"Index on {text} created." : $"{text} was already indexed.") : (changed ? $"Index on {text} dropped." : $"{text} had no index."));
            return ExitCodes.Success;
        }).ConfigureAwait(false));
        return command;
    }
}
