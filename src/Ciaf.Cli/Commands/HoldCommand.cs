using System.CommandLine;
using System.Text.Json.Nodes;
using Ciaf.Cli.Infrastructure;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Retention;
using Spectre.Console;

namespace Ciaf.Cli.Commands;

/// <summary><c>ciaf hold add|release|list</c>: legal holds, which keep a model's records (or one record) from cleanup.</summary>
internal static class HoldCommand
{
    public static Command Create(CliApp app)
    {
        var command = new Command("hold", "Legal holds: keep a model's records (or one record) from cleanup until released.")
        {
            Add(app), Release(app), List(app),
        };
        return command;
    }

    private static Option<bool> RecordOption() => new("--record", "-r") { Description = "TARGET is a record id (default: a model name)." };

    private static Command Add(CliApp app)
    {
        var target = new Argument<string>("target") { Description = "The model name (or, with --record, the record id)." };
        var reason = new Option<string>("--reason") { Description = "Why (e.g. a case reference); required.", Required = true };
        var record = RecordOption();
        var command = new Command("add", "Place (or renew) a legal hold on a model or a record.") { target, reason, record };
        app.Bind(command, async (context, parse) =>
        {
            string text = parse.GetValue(reason)!;
            if (string.IsNullOrWhiteSpace(text)) throw CliException.Usage("--reason must not be empty.");
            var scope = parse.GetValue(record) ? LegalHoldScope.Record : LegalHoldScope.Model;
            string name = parse.GetValue(target)!;
            await using var storage = context.Stores.Open(context);
            if (scope == LegalHoldScope.Record && await storage.GetMetadataAsync(name, context.CancellationToken).ConfigureAwait(false) is null)
            {
                throw new CliException($"No record with id '{name}'.");
            }
            var hold = await storage.PlaceLegalHoldAsync(name, text, scope, context.CancellationToken).ConfigureAwait(false);
            if (context.Json) context.WriteJson(Json(hold));
            else context.Out.MarkupLine($"Legal hold placed on {ScopeName(hold.Scope)} [bold]{Markup.Escape(hold.Target)}[/]: {Markup.Escape(hold.Reason)}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Release(CliApp app)
    {
        var target = new Argument<string>("target") { Description = "The model name (or, with --record, the record id)." };
        var reason = new Option<string?>("--reason") { Description = "Why it is released (written to the audit trail)." };
        var record = RecordOption();
        var command = new Command("release", "Release a legal hold; cleanup may then remove what it covered.") { target, reason, record };
        app.Bind(command, async (context, parse) =>
        {
            var scope = parse.GetValue(record) ? LegalHoldScope.Record : LegalHoldScope.Model;
            string name = parse.GetValue(target)!;
            await using var storage = context.Stores.Open(context);
            bool released = await storage.ReleaseLegalHoldAsync(name, scope, parse.GetValue(reason), context.CancellationToken).ConfigureAwait(false);
            if (!released) throw new CliException($"No legal hold on {ScopeName(scope)} '{name}'.");
            if (context.Json) context.WriteJson(new JsonObject { ["released"] = true, ["scope"] = ScopeName(scope), ["target"] = name });
            else context.Out.MarkupLine($"Legal hold on {ScopeName(scope)} [bold]{Markup.Escape(name)}[/] released.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List(CliApp app)
    {
        var command = new Command("list", "List the legal holds in place, oldest first.");
        app.Bind(command, async (context, _) =>
        {
            await using var storage = context.Stores.Open(context);
            var holds = await storage.GetLegalHoldsAsync(context.CancellationToken).ConfigureAwait(false);
            if (context.Json)
            {
                context.WriteJson(new JsonArray([.. holds.Select(h => (JsonNode)Json(h))]));
                return ExitCodes.Success;
            }
            if (holds.Count == 0)
            {
                context.Note("No legal holds.");
                return ExitCodes.Success;
            }
            var table = new Table().Border(TableBorder.Rounded).AddColumns("Scope", "Target", "Reason", "Placed by", "Placed (UTC)");
            foreach (var h in holds) table.AddRow(Render.Cells(ScopeName(h.Scope), h.Target, h.Reason, h.PlacedBy ?? "-", Render.Time(h.PlacedAt)));
            context.Out.Write(table);
            context.Note($"{holds.Count} hold(s)");
            return ExitCodes.Success;
        });
        return command;
    }

    private static string ScopeName(LegalHoldScope scope) => scope == LegalHoldScope.Record ? "record" : "model";

    private static JsonObject Json(LegalHold hold) => new()
    {
        ["scope"] = ScopeName(hold.Scope),
        ["target"] = hold.Target,
        ["reason"] = hold.Reason,
        ["placed_by"] = hold.PlacedBy,
        ["placed_at"] = PythonTimestamp.Format(hold.PlacedAt),
    };
}
