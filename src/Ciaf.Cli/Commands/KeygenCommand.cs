using System.CommandLine;
using System.Text.Json.Nodes;
using Ciaf.Cli.Infrastructure;
using Ciaf.Metadata.Encryption;
using Ciaf.Metadata.Configuration;

namespace Ciaf.Cli.Commands;

/// <summary>
/// <c>ciaf keygen [PATH]</c>: writes a new random AES-256 key file (base64, owner-only permissions) for encryption at
/// rest, and prints its path and key id. Never replaces an existing key unless <c>--overwrite</c>.
/// </summary>
internal static class KeygenCommand
{
    /// <summary>Where the templates with encryption on put their key.</summary>
    public const string DefaultKeyPath = "keys/metadata.key";

    public static Command Create(CliApp app)
    {
        var path = new Argument<string?>("path")
        {
            Description = $"The key file to write (default: the configured encryption_key_path, else ./{DefaultKeyPath}).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var overwrite = new Option<bool>("--overwrite")
        {
            Description = "Replace an existing key file. Values encrypted with the old key can no longer be read.",
        };
        var command = new Command("keygen", "Generate an encryption key file (32 random bytes, permissions 0600) and print its path and key id.") { path, overwrite };
        app.Bind(command, (context, parse) =>
        {
            string file = parse.GetValue(path) is { } given ? context.Host.FullPath(given) : DefaultPath(context);
            bool replace = parse.GetValue(overwrite);
            if (File.Exists(file) && !replace)
            {
                throw new CliException($"The key file '{file}' already exists; it was left unchanged (pass --overwrite to replace it, losing what it encrypted).");
            }
            string keyId = MetadataEncryption.GenerateKey(file, replace);
            if (context.Json)
            {
                context.WriteJson(new JsonObject { ["path"] = file, ["key_id"] = keyId, ["replaced"] = replace });
            }
            else
            {
                context.WriteLine(file);
                context.Note($"key id {keyId}; back the file up: values encrypted with it cannot be read without it. "
                    + "Use it with encrypt_sensitive_data: true and encryption_key_path (or CIAF_ENCRYPTION_KEY).");
            }
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    /// <summary>The configured key path (--config, CIAF_* variables, ./ciaf_config.json), else the templates' default.</summary>
    private static string DefaultPath(CliContext context)
    {
        var (config, source) = context.Stores.ResolveConfig();
        // Read the key alone: a configuration that turns encryption on before its key exists is what keygen is for.
        string? configured = config.Get<string?>(MetadataConfigKeys.EncryptionKeyPath);
        if (configured is { Length: > 0 })
        {
            // Relative to the working directory, as the store path and the key path are when a command opens the store.
            context.Note($"key path from {source}");
            return context.Host.FullPath(configured);
        }
        return context.Host.FullPath(DefaultKeyPath);
    }
}
