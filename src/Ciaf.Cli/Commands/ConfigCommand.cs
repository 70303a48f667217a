using System.CommandLine;
using System.Text.Json.Nodes;
using Ciaf.Cli.Infrastructure;
using Ciaf.Metadata.Configuration;
using Spectre.Console;

namespace Ciaf.Cli.Commands;

/// <summary><c>ciaf config show|validate|template</c>.</summary>
internal static class ConfigCommand
{
    public static Command Create(CliApp app)
    {
        var command = new Command("config", "Show, validate or create configuration files.");
        command.Add(Show(app));
        command.Add(Validate(app));
        command.Add(Template(app));
        return command;
    }

    private static Command Show(CliApp app)
    {
        var command = new Command("show", "Show the effective configuration (--config, else CIAF_* variables and ./ciaf_config.json, else the defaults).");
        app.Bind(command, (context, _) =>
        {
            var (config, source) = context.Stores.ResolveConfig();
            context.Note($"configuration: {source}");
            var json = config.ToJsonObject(hideSecrets: true);
            if (context.Json)
            {
                context.WriteJson(json);
                return Task.FromResult(ExitCodes.Success);
            }
            var table = new Table().Border(TableBorder.Rounded).AddColumns("Key", "Value");
            foreach (var (key, value) in json)
            {
                table.AddRow(Render.Cells(key, value is JsonValue v && v.TryGetValue(out string? s) ? s : value?.ToJsonString() ?? "null"));
            }
            context.Out.Write(table);
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private static Command Validate(CliApp app)
    {
        var file = new Argument<string?>("file") { Description = "The file to check (default: as 'config show' resolves it).", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("validate", "Check a configuration; exit 1 listing every error if it is invalid.") { file };
        app.Bind(command, (context, parse) =>
        {
            MetadataConfig config;
            string source;
            if (parse.GetValue(file) is { } path)
            {
                source = context.Host.FullPath(path);
                if (!File.Exists(source)) throw new CliException($"Configuration file '{source}' not found.");
                try
                {
                    config = new MetadataConfig(source);
                }
                catch (Exception e) when (e is MetadataConfigException or IOException or UnauthorizedAccessException)
                {
                    throw new CliException($"Cannot read configuration file '{source}': {StoreResolver.OneLine(e.Message)}", ExitCodes.Failure, e);
                }
            }
            else
            {
                (config, source) = context.Stores.ResolveConfig();
            }
            var errors = config.Validate();
            if (context.Json)
            {
                context.WriteJson(new JsonObject
                {
                    ["source"] = source,
                    ["valid"] = errors.Count == 0,
                    ["errors"] = new JsonObject([.. errors.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)e.Value))]),
                });
            }
            else if (errors.Count == 0)
            {
                context.Out.MarkupLine($"[green]valid[/]: {Markup.Escape(source)}");
            }
            else
            {
                context.Out.MarkupLine($"[red]invalid[/]: {Markup.Escape(source)} ({errors.Count} error{(errors.Count == 1 ? "" : "s")})");
                var table = new Table().Border(TableBorder.Rounded).AddColumns("Key", "Error");
                foreach (var (key, error) in errors) table.AddRow(Render.Cells(key, error));
                context.Out.Write(table);
            }
            return Task.FromResult(errors.Count == 0 ? ExitCodes.Success : ExitCodes.Failure);
        });
        return command;
    }

    private static Command Template(CliApp app)
    {
        var name = new Argument<string?>("name")
        {
            Description = $"The template: {string.Join(", ", MetadataConfig.TemplateNames)}.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        name.AcceptOnlyFromAmong([.. MetadataConfig.TemplateNames]);
        var output = new Option<string?>("--output", "-o") { Description = "Write the template to this file (default: print it)." };
        var force = new Option<bool>("--force") { Description = "Replace an existing file." };
        var command = new Command("template", "Print or write a configuration template; without a name, list the templates.") { name, output, force };
        app.Bind(command, (context, parse) =>
        {
            string? template = parse.GetValue(name);
            if (template is null)
            {
                if (context.Json)
                {
                    context.WriteJson(new JsonArray([.. MetadataConfig.TemplateNames.Select(n => (JsonNode)n)]));
                }
                else
                {
                    var table = new Table().Border(TableBorder.Rounded).AddColumns("Template", "Backend", "Path", "Writes", "Retention (days)");
                    foreach (var n in MetadataConfig.TemplateNames)
                    {
                        var t = MetadataConfig.FromTemplate(n);
                        table.AddRow(Render.Cells(n, t.Get<string>(MetadataConfigKeys.StorageBackend), t.Get<string>(MetadataConfigKeys.StoragePath),
                            t.Get<bool>(MetadataConfigKeys.AsyncWrites) ? $"buffered (batch {t.Get<int>(MetadataConfigKeys.BatchSize)})" : "immediate",
                            $"{t.Get<int>(MetadataConfigKeys.MetadataRetentionDays)} / compliance {t.Get<int>(MetadataConfigKeys.ComplianceRetentionDays)}"));
                    }
                    context.Out.Write(table);
                }
                return Task.FromResult(ExitCodes.Success);
            }
            if (parse.GetValue(output) is { } file)
            {
                string path = context.Host.FullPath(file);
                if (File.Exists(path) && !parse.GetValue(force)) throw new CliException($"'{path}' exists; pass --force to replace it.");
                MetadataConfig.CreateConfigTemplate(template, path);
                if (context.Json) context.WriteJson(new JsonObject { ["template"] = template, ["path"] = path });
                else context.WriteLine(path);
                context.Note($"wrote the {template} template to {path}");
                return Task.FromResult(ExitCodes.Success);
            }
            context.WriteJson(MetadataConfig.FromTemplate(template).ToJsonObject());
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }
}
