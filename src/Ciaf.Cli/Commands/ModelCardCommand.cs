using System.CommandLine;
using Ciaf.Cli.Infrastructure;
using Ciaf.Metadata.Governance;

namespace Ciaf.Cli.Commands;

/// <summary><c>ciaf model-card MODEL</c>: a model card (Model Card Toolkit schema v0.0.2) filled from the store, with its gaps.</summary>
internal static class ModelCardCommand
{
    public static readonly string[] Formats = ["json", "markdown", "html"];

    public static Command Create(CliApp app)
    {
        var model = new Argument<string>("model") { Description = "The model name." };
        var version = new Option<string?>("--version") { Description = "The model version (default: the version of the model's newest record)." };
        var format = new Option<string>("--format", "-f") { Description = "json (the Model Card Toolkit schema v0.0.2), markdown or html.", DefaultValueFactory = _ => "json" };
        format.AcceptOnlyFromAmong(Formats);
        var output = new Option<string?>("--output", "-o") { Description = "Write the card to this file instead of stdout." };
        var command = new Command("model-card",
            "A model card filled from the store: details and owners from declared facts and lifecycle records, parameters from training, metrics by group from validation; the gaps go to stderr (and into markdown/html).")
        {
            model, version, format, output,
        };
        app.Bind(command, async (context, parse) =>
        {
            string fmt = context.Json ? "json" : parse.GetValue(format)!;
            await using var storage = context.Stores.Open(context);
            var card = await DocsCommand.Build(() => ModelCardDocument.BuildAsync(storage, parse.GetRequiredValue(model), parse.GetValue(version), context.CancellationToken)).ConfigureAwait(false);
            foreach (var gap in card.Gaps) context.Note($"gap: {gap}");
            string text = fmt switch { "markdown" => card.ToMarkdown(), "html" => card.ToHtml(), _ => card.ToJson() };
            await DocumentOutput.WriteAsync(context, text, parse.GetValue(output), fmt, "model card").ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }
}
