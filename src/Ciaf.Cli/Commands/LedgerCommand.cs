using System.CommandLine;
using System.Text.Json.Nodes;
using Ciaf.Cli.Infrastructure;
using Ciaf.Metadata.Ledger;

namespace Ciaf.Cli.Commands;

/// <summary>
/// <c>ciaf ledger ...</c>: the tamper-evident ledger. <c>key create [PATH]</c> writes a new signing key (P-256, PKCS#8
/// PEM, 0600) and prints its public key; <c>key public [--key PATH]</c> prints the public key of a key file. Each
/// subcommand is built by its own method below and added in <see cref="Create"/>.
/// </summary>
internal static class LedgerCommand
{
    /// <summary>The environment variable naming the signing key file.</summary>
    public const string KeyPathVariable = "CIAF_LEDGER_KEY_PATH";

    /// <summary>The signing key file when neither an argument nor <see cref="KeyPathVariable"/> names one.</summary>
    public const string DefaultKeyFile = "ciaf_ledger_key.pem";

    public static Command Create(CliApp app)
    {
        var ledger = new Command("ledger", "The tamper-evident ledger: signing keys, checkpoints and proofs.") { KeyCommand(app) };
        foreach (var command in ProveCommand.LedgerSubcommands(app)) ledger.Add(command);
        return ledger;
    }

    /// <summary>The signing key file: <paramref name="given"/>, else <c>CIAF_LEDGER_KEY_PATH</c>, else <c>./ciaf_ledger_key.pem</c>.</summary>
    public static string KeyPath(CliContext context, string? given)
    {
        if (given is { Length: > 0 }) return context.Host.FullPath(given);
        if (context.Host.GetEnvironmentVariable(KeyPathVariable) is { Length: > 0 } configured)
        {
            context.Note($"key path from {KeyPathVariable}");
            return context.Host.FullPath(configured);
        }
        return context.Host.FullPath(DefaultKeyFile);
    }

    private static Command KeyCommand(CliApp app)
    {
        var path = new Argument<string?>("path")
        {
            Description = $"The private key file to write (default: ${KeyPathVariable}, else ./{DefaultKeyFile}).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var create = new Command("create", "Write a new ECDSA P-256 signing key (PKCS#8 PEM, permissions 0600; never replaces a file) and print its public key.") { path };
        app.Bind(create, (context, parse) =>
        {
            string file = KeyPath(context, parse.GetValue(path));
            if (File.Exists(file))
            {
                throw new CliException($"The key file '{file}' already exists; it was left unchanged (checkpoints it signed verify only with it).");
            }
            using var key = LedgerKeys.Create(file);
            WriteKey(context, key, file);
            context.Note($"private key written to {file}: keep it secret and backed up. Give the public key above to auditors "
                + "(ciaf verify-receipt RECEIPT --key PUBLIC.pem).");
            return Task.FromResult(ExitCodes.Success);
        });

        var keyOption = new Option<string?>("--key")
        {
            Description = $"The key file (private or public PEM; default: ${KeyPathVariable}, else ./{DefaultKeyFile}).",
            HelpName = "path",
        };
        var show = new Command("public", "Print the public key (PEM) of a signing key file, to hand to auditors.") { keyOption };
        app.Bind(show, (context, parse) =>
        {
            string file = KeyPath(context, parse.GetValue(keyOption));
            if (!File.Exists(file)) throw new CliException($"No ledger key file at '{file}' (create one with 'ciaf ledger key create').");
            using var key = LedgerKeys.LoadPublic(file);
            WriteKey(context, key, file);
            return Task.FromResult(ExitCodes.Success);
        });

        return new Command("key", "Create a ledger signing key, or print its public key.") { create, show };
    }

    /// <summary>The public key PEM on stdout (so <c>&gt; public.pem</c> keeps it), or JSON with the path and key id.</summary>
    private static void WriteKey(CliContext context, System.Security.Cryptography.ECDsa key, string file)
    {
        string keyId = Convert.ToHexStringLower(LedgerKeys.KeyId(key));
        if (context.Json)
        {
            context.WriteJson(new JsonObject { ["path"] = file, ["key_id"] = keyId, ["public_key"] = LedgerKeys.PublicPem(key) });
            return;
        }
        context.Stdout.Write(LedgerKeys.PublicPem(key));
        context.Stdout.Flush();
        context.Note($"key {file}, key id {keyId}");
    }
}
