using System.CommandLine;
using System.Globalization;
using Ciaf.Cli.Infrastructure;
using Ciaf.Metadata.Hashing;
using Spectre.Console;

namespace Ciaf.Cli.Commands;

/// <summary><c>ciaf get ID</c>: one record.</summary>
internal static class GetCommand
{
    public static Command Create(CliApp app)
    {
        var id = new Argument<string>("id") { Description = "The record id." };
        var command = new Command("get", "Show one record by id.") { id };
        app.Bind(command, async (context, parse) =>
        {
            string recordId = parse.GetRequiredValue(id);
            await using var storage = context.Stores.Open(context);
            var record = await storage.GetMetadataAsync(recordId, context.CancellationToken)
                ?? throw new CliException($"No record with id '{recordId}' in the store at '{storage.StoragePath}'.");
            if (context.Json)
            {
                context.WriteJson(RecordJson.ToJsonObject(record));
                return ExitCodes.Success;
            }
            var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
            void Row(string key, string? value) => grid.AddRow(new Markup($"[bold]{key}[/]"), new Markup(Markup.Escape(value ?? "-")));
            Row("id", record.Id);
            Row("model", record.ModelName);
            Row("version", record.ModelVersion);
            Row("stage", record.Stage);
            Row("event", record.EventType);
            Row("time (UTC)", Render.Time(record.Timestamp));
            Row("hash", record.MetadataHash);
            Row("details", record.Details);
            if (await storage.Ledger.LocateAsync(recordId, context.CancellationToken).ConfigureAwait(false) is { } position)
            {
                Row("ledger", string.Create(CultureInfo.InvariantCulture, $"leaf {position.Seq} of {position.TreeSize}: ")
                    + (position.MatchesStored ? "the record matches it" : "the record NO LONGER matches it (run ciaf verify)"));
            }
            context.Out.Write(grid);
            context.Out.Write(new Panel(Render.JsonBlock(record.Metadata)).Header("metadata").Border(BoxBorder.Rounded));
            return ExitCodes.Success;
        });
        return command;
    }
}
