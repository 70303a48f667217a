using System.CommandLine;
using System.Text.Json.Nodes;
using Ciaf.Cli.Infrastructure;
using Ciaf.Metadata;
using Ciaf.Metadata.Configuration;
using Ciaf.Metadata.Encryption;
using Ciaf.Metadata.Storage;
using Spectre.Console;

namespace Ciaf.Cli.Commands;

/// <summary>
/// <c>ciaf init [PROJECT]</c>: the seed's setup script. Writes <c>ciaf_config.json</c> from a template (with the
/// chosen backend and store path), creates the store, records the project's initialization in it, and prints
/// the next steps.
/// </summary>
internal static class InitCommand
{
    public const string ProjectNameKey = "project_name";

    public static Command Create(CliApp app)
    {
        var project = new Argument<string?>("project") { Description = "The project name (default: the current folder's name).", Arity = ArgumentArity.ZeroOrOne };
        var template = new Option<string>("--template", "-t")
        {
            Description = $"The configuration template: {string.Join(", ", MetadataConfig.TemplateNames)}.",
            DefaultValueFactory = _ => "development",
        };
        template.AcceptOnlyFromAmong([.. MetadataConfig.TemplateNames]);
        var output = new Option<string>("--output", "-o")
        {
            Description = "The configuration file to write.",
            DefaultValueFactory = _ => MetadataConfig.DefaultConfigFileName,
        };
        var force = new Option<bool>("--force") { Description = "Replace an existing configuration file." };
        var command = new Command("init",
            "Set up a project: write ciaf_config.json from a template (--backend and --store override its backend and path), create the store, print next steps.")
        {
            project, template, output, force,
        };
        app.Bind(command, async (context, parse) =>
        {
            string name = parse.GetValue(project) ?? new DirectoryInfo(context.Host.WorkingDirectory).Name;
            string templateName = parse.GetValue(template)!;
            string configPath = context.Host.FullPath(parse.GetValue(output)!);
            if (File.Exists(configPath) && !parse.GetValue(force))
            {
                throw new CliException($"'{configPath}' already exists; pass --force to replace it, or --output to write another file.");
            }
            var config = MetadataConfig.FromTemplate(templateName);
            if (context.Settings.Backend is { } backend)
            {
                if (!MetadataBackends.IsRegistered(backend))
                    throw CliException.Usage($"Unknown backend '{backend}'. Valid: {string.Join(", ", MetadataBackends.Names)}.");
                config.Set(MetadataConfigKeys.StorageBackend, backend.ToLowerInvariant());
            }
            // The project's own store next to its configuration, unless --store says otherwise (templates name shared
            // system paths such as /var/lib/ciaf/metadata, which a project set-up should not claim).
            string storePath = context.Settings.Store ?? $"{name}_metadata";
            config.Set(MetadataConfigKeys.StoragePath, storePath);
            config.Set(ProjectNameKey, name);

            var options = MetadataStorageOptions.FromConfig(config);
            options.StoragePath = Path.GetFullPath(storePath, Path.GetDirectoryName(configPath)!);
            string? generatedKey = null;
            if (options.EncryptionKeyPath is { Length: > 0 } keyPath)
            {
                // Templates with encryption on (production, compliance_first) name a key file: create it on set-up
                // (32 random bytes, owner-only), never replacing an existing key.
                options.EncryptionKeyPath = Path.GetFullPath(keyPath, Path.GetDirectoryName(configPath)!);
                if (options.EncryptSensitiveData && !File.Exists(options.EncryptionKeyPath))
                {
                    MetadataEncryption.GenerateKey(options.EncryptionKeyPath);
                    generatedKey = options.EncryptionKeyPath;
                }
            }
            string recordId;
            await using (var storage = new MetadataStorage(options))
            {
                recordId = await storage.SaveMetadataAsync(name, PipelineStages.ModelLifecycle, "project_initialized",
                    new { template = templateName, backend = options.Backend, config_file = Path.GetFileName(configPath), tool = "ciaf init" },
                    details: $"Project '{name}' set up with the {templateName} template", cancellationToken: context.CancellationToken).ConfigureAwait(false);
            }
            config.SaveToFile(configPath);
            if (!string.Equals(configPath, context.Host.FullPath(MetadataConfig.DefaultConfigFileName), StringComparison.Ordinal))
            {
                // ./ciaf_config.json is found anyway; another file is named by the marker so later commands here find it.
                new StoreMarker { ConfigFile = configPath, CreatedBy = "ciaf init" }.Save(context);
            }

            if (context.Json)
            {
                context.WriteJson(new JsonObject
                {
                    ["project"] = name,
                    ["template"] = templateName,
                    ["backend"] = options.Backend,
                    ["store"] = options.StoragePath,
                    ["config_file"] = configPath,
                    ["record_id"] = recordId,
                    ["generated_key"] = generatedKey,
                });
                return ExitCodes.Success;
            }
            context.Out.MarkupLine($"[green]Initialized[/] project [bold]{Markup.Escape(name)}[/] ({Markup.Escape(templateName)} template)");
            context.Out.MarkupLine($"  configuration  {Markup.Escape(configPath)}");
            context.Out.MarkupLine($"  store          {Markup.Escape(options.StoragePath)} ({Markup.Escape(options.Backend)})");
            if (generatedKey is not null)
            {
                context.Out.MarkupLine($"  key            {Markup.Escape(generatedKey)} (new; back it up: values encrypted with it cannot be read without it)");
            }
            context.Out.WriteLine();
            context.Out.MarkupLine("[bold]Next steps[/] (run them in this folder; every command finds the store through ciaf_config.json):");
            foreach (var (cmd, why) in new[]
                     {
                         ($"ciaf save {name} training model_trained --metadata '{{\"accuracy\": 0.95}}'", "record an event"),
                         ("ciaf list", "the newest records"),
                         ($"ciaf trace {name}", "the pipeline, stage by stage"),
                         ("ciaf config validate", "check the configuration"),
                         ("ciaf stats", "size and records per model"),
                     })
            {
                context.Out.MarkupLine($"  [blue]{Markup.Escape(cmd)}[/]  [grey]# {Markup.Escape(why)}[/]");
            }
            context.Out.MarkupLine("  In code: [blue]new MetadataStorage(new MetadataConfig(\"ciaf_config.json\"))[/] or MetadataStorage.Default.");
            return ExitCodes.Success;
        });
        return command;
    }
}
