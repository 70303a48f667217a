using System.CommandLine;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Ciaf.Cli.Infrastructure;
using Ciaf.Metadata.Ledger;

namespace Ciaf.Cli.Commands;

/// <summary>
/// <c>ciaf verify-receipt FILE --key PUBLIC.pem [--id ID]</c>: checks a receipt from <c>ciaf prove</c> offline (the
/// checkpoint's signature, the inclusion proof, and that the leaf names the id) with the log's public key alone. It
/// never opens a store. Exit 0 valid, 1 invalid, 2 usage error (missing file, unreadable key).
/// </summary>
internal static class VerifyReceiptCommand
{
    public static Command Create(CliApp app)
    {
        var file = new Argument<string>("file") { Description = "The receipt (JSON from 'ciaf prove ID --json')." };
        var keyOption = new Option<string>("--key")
        {
            Description = "The log's public key (PEM file from 'ciaf ledger key public').",
            HelpName = "path",
            Required = true,
        };
        var idOption = new Option<string?>("--id") { Description = "Also require the leaf to name this record or event id.", HelpName = "id" };
        var command = new Command("verify-receipt", "Check a ledger receipt offline with the log's public key (exit 0 valid, 1 invalid); opens no store.")
        {
            file, keyOption, idOption,
        };
        app.Bind(command, (context, parse) =>
        {
            string receiptPath = context.Host.FullPath(parse.GetValue(file)!);
            string keyPath = context.Host.FullPath(parse.GetValue(keyOption)!);
            string? id = parse.GetValue(idOption);
            if (!File.Exists(receiptPath)) throw CliException.Usage($"No receipt file at '{receiptPath}'.");
            if (!File.Exists(keyPath)) throw CliException.Usage($"No public key file at '{keyPath}'.");
            ECDsa key;
            try
            {
                key = LedgerKeys.LoadPublic(keyPath);
            }
            catch (InvalidDataException e)
            {
                throw CliException.Usage(e.Message);
            }
            using (key)
            {
                LedgerReceipt receipt;
                try
                {
                    receipt = LedgerReceipt.Parse(File.ReadAllText(receiptPath));
                }
                catch (FormatException e)
                {
                    return Task.FromResult(Report(context, null, null, key, [e.Message]));
                }
                var result = receipt.Verify(key, id);
                return Task.FromResult(Report(context, receipt, result, key, result.Failures));
            }
        });
        return command;
    }

    private static int Report(CliContext context, LedgerReceipt? receipt, ReceiptVerification? result, ECDsa key, IReadOnlyList<string> failures)
    {
        bool valid = failures.Count == 0;
        string keyId = Convert.ToHexStringLower(LedgerKeys.KeyId(key));
        if (context.Json)
        {
            context.WriteJson(new JsonObject
            {
                ["valid"] = valid,
                ["leaf_index"] = receipt?.LeafIndex,
                ["tree_size"] = receipt?.TreeSize,
                ["kind"] = result?.Kind,
                ["id"] = result?.Id,
                ["key_id"] = keyId,
                ["failures"] = new JsonArray([.. failures.Select(f => (JsonNode)f)]),
            });
        }
        else if (valid)
        {
            context.WriteLine($"OK: {result!.Kind} '{result.Id}' is leaf {receipt!.LeafIndex} of the log of {receipt.TreeSize} leaves "
                + $"whose checkpoint is signed by key {keyId}.");
        }
        else
        {
            context.WriteLine("INVALID receipt:");
            foreach (string failure in failures) context.WriteLine($"  - {failure}");
        }
        if (!valid) context.Stderr.WriteLine($"ciaf: error: the receipt does not verify ({failures.Count} failed check(s)).");
        return valid ? ExitCodes.Success : ExitCodes.Failure;
    }
}
