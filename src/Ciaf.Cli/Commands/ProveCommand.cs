using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Ciaf.Cli.Infrastructure;
using Ciaf.Metadata.Ledger;

namespace Ciaf.Cli.Commands;

/// <summary>
/// The store side of the ledger: <c>ciaf prove ID</c> (a receipt) and <c>ciaf ledger init|status|checkpoint|consistency</c>.
/// The offline side (<c>ledger key</c>, <c>verify-receipt</c>) never opens a store.
/// </summary>
internal static class ProveCommand
{
    /// <summary><c>ciaf prove ID</c>.</summary>
    public static Command Create(CliApp app)
    {
        var id = new Argument<string>("id") { Description = "A record, compliance event or legal hold key." };
        var command = new Command("prove", "Print a ledger receipt for a record or event: its leaf, inclusion path and a signed checkpoint; check it offline with `ciaf verify-receipt`.") { id };
        app.Bind(command, async (context, parse) =>
        {
            await using var storage = context.Stores.Open(context);
            LedgerReceipt receipt;
            try
            {
                receipt = await storage.Ledger.ProveAsync(parse.GetRequiredValue(id), context.CancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException)
            {
                throw new CliException(ex.Message);
            }
            // A receipt is data: JSON whatever --json says, so it can be saved and checked as it is.
            context.WriteLine(receipt.ToJson());
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The store subcommands of <c>ciaf ledger</c>.</summary>
    public static IEnumerable<Command> LedgerSubcommands(CliApp app)
    {
        var init = new Command("init", "Adopt a store written before the ledger (or by the Python reference): one 'adopted' leaf per item with none; what they prove starts now.");
        app.Bind(init, async (context, _) =>
        {
            await using var storage = context.Stores.Open(context);
            long adopted = await Run(() => storage.Ledger.InitAsync(context.CancellationToken)).ConfigureAwait(false);
            if (context.Json) context.WriteJson(new JsonObject { ["adopted"] = adopted });
            else context.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Adopted {adopted} item(s) into the ledger: present when adopted, nothing before that is claimed as proven."));
            return ExitCodes.Success;
        });

        var status = new Command("status", "Show the ledger's state: size, origin, latest checkpoint.");
        app.Bind(status, async (context, _) =>
        {
            await using var storage = context.Stores.Open(context);
            var s = await Run(() => storage.Ledger.StatusAsync(context.CancellationToken)).ConfigureAwait(false);
            if (context.Json)
            {
                context.WriteJson(new JsonObject
                {
                    ["enabled"] = s.Enabled,
                    ["active"] = s.Active,
                    ["size"] = s.Size,
                    ["origin"] = s.Origin,
                    ["latest_checkpoint"] = s.LatestCheckpoint?.Text,
                });
            }
            else
            {
                context.WriteLine(!s.Enabled ? "The ledger is off (ledger_enabled is false)."
                    : !s.Active ? "The ledger is not initialized for this store: run `ciaf ledger init`."
                    : string.Create(CultureInfo.InvariantCulture, $"{s.Size} leaves; origin {s.Origin}; latest checkpoint: {(s.LatestCheckpoint is { } c ? c.TreeSize.ToString(CultureInfo.InvariantCulture) + " leaves" : "none")}"));
            }
            return ExitCodes.Success;
        });

        var output = new Option<string?>("--output", "-o") { Description = "Also write the checkpoint note to this file." };
        var checkpoint = new Command("checkpoint", "Sign a checkpoint of the whole log now with ledger_key_path's key.") { output };
        app.Bind(checkpoint, async (context, parse) =>
        {
            await using var storage = context.Stores.Open(context);
            var signed = await Run(() => storage.Ledger.CheckpointAsync(context.CancellationToken)).ConfigureAwait(false);
            if (parse.GetValue(output) is { } file) await File.WriteAllTextAsync(file, signed.Text, context.CancellationToken).ConfigureAwait(false);
            if (context.Json)
            {
                context.WriteJson(new JsonObject
                {
                    ["origin"] = signed.Origin,
                    ["tree_size"] = signed.TreeSize,
                    ["root_hash"] = Convert.ToHexStringLower(signed.RootHash),
                    ["checkpoint"] = signed.Text,
                });
            }
            else
            {
                context.Stdout.Write(signed.Text);
            }
            return ExitCodes.Success;
        });

        var from = new Option<long>("--from") { Description = "The older tree size (at least 1).", Required = true };
        var to = new Option<long?>("--to") { Description = "The newer tree size (default: the whole log)." };
        var consistency = new Command("consistency", "Print an RFC 9162 consistency proof between two sizes of the log.") { from, to };
        app.Bind(consistency, async (context, parse) =>
        {
            await using var storage = context.Stores.Open(context);
            LedgerConsistency proof;
            try
            {
                proof = await Run(() => storage.Ledger.ConsistencyAsync(parse.GetValue(from), parse.GetValue(to), context.CancellationToken)).ConfigureAwait(false);
            }
            catch (ArgumentOutOfRangeException ex)
            {
                throw new CliException(ex.Message, ExitCodes.Usage);
            }
            context.WriteLine(proof.ToJson());
            return ExitCodes.Success;
        });
        return [init, status, checkpoint, consistency];
    }

    // The ledger's "not possible here" errors (off, not initialized, no key) are the user's to fix: one line, exit 1.
    private static async Task<T> Run<T>(Func<ValueTask<T>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (InvalidOperationException ex)
        {
            throw new CliException(ex.Message);
        }
    }
}
