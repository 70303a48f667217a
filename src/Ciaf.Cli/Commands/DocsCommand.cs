using System.CommandLine;
using System.Text.Json.Nodes;
using Ciaf.Cli.Infrastructure;
using Ciaf.Metadata.Governance;
using Spectre.Console;

namespace Ciaf.Cli.Commands;

/// <summary>
/// <c>ciaf docs annex-iv MODEL</c> (the EU AI Act Annex IV technical documentation from the store), <c>ciaf docs declare
/// MODEL</c> (the facts only the provider can state) and <c>ciaf docs facts</c> (which facts there are).
/// </summary>
internal static class DocsCommand
{
    public static readonly string[] Formats = ["markdown", "html", "json"];

    public static Command Create(CliApp app) => new("docs", "Technical documentation: the EU AI Act Annex IV pack generated from the store, and the facts it needs declared.")
    {
        AnnexIv(app), Declare(app), Facts(app),
    };

    private static Command AnnexIv(CliApp app)
    {
        var model = new Argument<string>("model") { Description = "The model name." };
        var version = new Option<string?>("--version") { Description = "The model version (default: the version of the model's newest record)." };
        var format = new Option<string>("--format", "-f") { Description = "markdown, html or json (--json is the same as --format json).", DefaultValueFactory = _ => "markdown" };
        format.AcceptOnlyFromAmong(Formats);
        var output = new Option<string?>("--output", "-o") { Description = "Write the pack to this file instead of stdout." };
        var command = new Command("annex-iv",
            "The Annex IV technical documentation of a model version: every section and point, evidenced from cited records with their ledger receipts, or a gap naming the method or command that fills it. The same store state gives the same bytes.")
        {
            model, version, format, output,
        };
        app.Bind(command, async (context, parse) =>
        {
            string fmt = context.Json ? "json" : parse.GetValue(format)!;
            await using var storage = context.Stores.Open(context);
            var pack = await Build(() => AnnexIvDocumentation.BuildAsync(storage, parse.GetRequiredValue(model), parse.GetValue(version), context.CancellationToken)).ConfigureAwait(false);
            foreach (var note in pack.Notes) context.Note(note);
            context.Note($"{pack.Items.Count() - pack.Gaps.Count} of {pack.Items.Count()} items evidenced" + (pack.Gaps.Count == 0 ? "" : $"; gaps: {string.Join(", ", pack.Gaps.Select(g => g.Id))}"));
            string text = fmt switch { "json" => pack.ToJson(), "html" => pack.ToHtml(), _ => pack.ToMarkdown() };
            await DocumentOutput.WriteAsync(context, text, parse.GetValue(output), fmt, "Annex IV pack").ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Declare(CliApp app)
    {
        var model = new Argument<string>("model") { Description = "The model name." };
        var file = new Option<string?>("--file") { Description = "A JSON object of facts: {\"intended_purpose\": \"…\", \"owners\": [{\"name\": \"…\", \"contact\": \"…\"}]}." };
        var fact = new Option<string[]>("--fact") { Description = "One fact as NAME=TEXT (repeatable; after --file's, which it overrides).", AllowMultipleArgumentsPerToken = false };
        var version = new Option<string?>("--model-version") { Description = "The model version the facts are declared for (default: the version of the model's newest record)." };
        var command = new Command("declare", "Declare facts only the provider can state (intended purpose, hardware, standards, …) for the Annex IV pack and the model card; `ciaf docs facts` lists them.")
        {
            model, file, fact, version,
        };
        app.Bind(command, async (context, parse) =>
        {
            var facts = new JsonObject();
            if (parse.GetValue(file) is { } path)
            {
                string full = context.Host.FullPath(path);
                if (!File.Exists(full)) throw new CliException($"Facts file '{full}' not found.");
                facts = JsonArgument.ReadObject(context, "@" + full, "--file", "{\"intended_purpose\": \"…\"}");
            }
            foreach (var pair in parse.GetValue(fact) ?? [])
            {
                int eq = pair.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0) throw CliException.Usage($"--fact '{pair}' must be NAME=TEXT, e.g. --fact hardware=\"x86-64, 4 GB\".");
                facts[pair[..eq].Trim()] = pair[(eq + 1)..];
            }
            if (facts.Count == 0) throw CliException.Usage("Give the facts with --file FACTS.json or --fact NAME=TEXT.");
            await using var storage = context.Stores.Open(context);
            var log = await LogCommand.EventLogAsync(storage, parse.GetRequiredValue(model), parse.GetValue(version), context).ConfigureAwait(false);
            string id = await log.LogDeclaredFactsAsync(facts, null, context.CancellationToken).ConfigureAwait(false);
            if (context.Json) context.WriteJson(new JsonObject { ["id"] = id, ["facts"] = new JsonArray([.. facts.Select(f => (JsonNode?)JsonValue.Create(f.Key))]) });
            else context.WriteLine(id);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Facts(CliApp app)
    {
        var command = new Command("facts", "List the facts `ciaf docs declare` takes, what each is for and where it appears.");
        app.Bind(command, (context, _) =>
        {
            if (context.Json)
            {
                context.WriteJson(new JsonArray([.. DeclaredFacts.All.Select(f => (JsonNode)new JsonObject
                {
                    ["name"] = f.Name,
                    ["kind"] = f.Kind.ToString().ToLowerInvariant(),
                    ["description"] = f.Description,
                    ["used_by"] = new JsonArray([.. f.UsedBy.Select(u => (JsonNode?)JsonValue.Create(u))]),
                })]));
                return Task.FromResult(ExitCodes.Success);
            }
            var table = new Table().Border(TableBorder.Rounded).AddColumns("Fact", "Used by", "What to write");
            foreach (var f in DeclaredFacts.All) table.AddRow(Render.Cells(f.Name, string.Join(", ", f.UsedBy), f.Description));
            context.Out.Write(table);
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    /// <summary>Builds a document; "no such model or version" is the user's to fix (exit 1, one line).</summary>
    internal static async Task<T> Build<T>(Func<Task<T>> build)
    {
        try
        {
            return await build().ConfigureAwait(false);
        }
        catch (ArgumentException e) when (e is not Ciaf.Metadata.Search.FilterSyntaxException)
        {
            throw new CliException(e.Message.Split(" (Parameter", 2)[0]);
        }
    }
}
