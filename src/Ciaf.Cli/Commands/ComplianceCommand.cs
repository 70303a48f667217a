using System.CommandLine;
using Ciaf.Cli.Infrastructure;
using Ciaf.Metadata.Compliance;
using Ciaf.Metadata.Configuration;

namespace Ciaf.Cli.Commands;

/// <summary><c>ciaf compliance report MODEL</c>: a model's compliance report from its stored assessments.</summary>
internal static class ComplianceCommand
{
    public static readonly string[] Formats = ["table", "markdown", "json", "html"];

    public static Command Create(CliApp app)
    {
        var command = new Command("compliance", "Compliance reports.");
        var model = new Argument<string>("model") { Description = "The model name." };
        var format = new Option<string>("--format", "-f")
        {
            Description = "table (for people), markdown, json or html (--json is the same as --format json).",
            DefaultValueFactory = _ => "table",
        };
        format.AcceptOnlyFromAmong(Formats);
        var output = new Option<string?>("--output", "-o") { Description = "Write the report to this file instead of stdout (markdown, json, html)." };
        var report = new Command("report", "A model's compliance report: per framework the latest score, status, findings and history.") { model, format, output };
        app.Bind(report, async (context, parse) =>
        {
            string name = parse.GetRequiredValue(model);
            string fmt = context.Json ? "json" : parse.GetValue(format)!;
            var store = context.Stores.Resolve();
            double threshold = store.Config?.Get<double>(MetadataConfigKeys.ComplianceScoreThreshold) ?? 0.8;
            await using var storage = StoreResolver.Open(context, store, mustExist: true);
            var result = await StoredComplianceReport.BuildAsync(storage, name, threshold, context.CancellationToken).ConfigureAwait(false)
                ?? throw new CliException($"No compliance assessments for model '{name}' in the store at '{storage.StoragePath}'.");
            if (fmt == "table")
            {
                if (parse.GetValue(output) is not null) throw CliException.Usage("--output needs --format markdown, json or html.");
                DemoCommand.WriteComplianceReport(context, result);
                return ExitCodes.Success;
            }
            string text = fmt switch
            {
                "markdown" => result.ToMarkdown(),
                "html" => StoredComplianceReport.ToHtml(result),
                _ => result.ToJsonObject().ToJsonString(CliContext.JsonOutputOptions),
            };
            await DocumentOutput.WriteAsync(context, text, parse.GetValue(output), fmt, "report").ConfigureAwait(false);
            return ExitCodes.Success;
        });
        command.Add(report);
        return command;
    }
}
