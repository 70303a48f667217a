using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Ciaf.Cli.Infrastructure;
using Ciaf.Metadata.Transfer;
using Spectre.Console;

namespace Ciaf.Cli.Commands;

/// <summary>
/// <c>ciaf import PATH</c>: reads a json or jsonl export (records or compliance events) into the store, keeping ids,
/// timestamps and hashes. Entries whose hash does not match, or that clash with a different stored entry, are
/// listed and not written (exit 1). Into a store that encrypts sensitive fields, records holding them in plaintext are
/// refused the same way unless <c>--allow-plaintext</c> is given. <c>--from mlflow</c> reads an MLflow file store
/// (<c>mlruns/</c>) instead: one record per run; runs that cannot be read are listed with their path (exit 1).
/// </summary>
internal static class ImportCommand
{
    public static Command Create(CliApp app)
    {
        var file = new Argument<string>("path") { Description = "A json or jsonl export (of records or of compliance events), or with --from mlflow an MLflow mlruns folder." };
        var from = new Option<string>("--from")
        {
            Description = "What PATH is: export (a ciaf json/jsonl export, the default) or mlflow (an MLflow file store, docs/interop.md).",
            DefaultValueFactory = _ => Export,
        };
        from.AcceptOnlyFromAmong(Export, MlFlow);
        var includeDeleted = new Option<bool>("--include-deleted")
        {
            Description = "With --from mlflow: import deleted runs and the experiments in .trash too (left out by default).",
        };
        var allowPlaintext = new Option<bool>("--allow-plaintext")
        {
            Description = "Into a store that encrypts sensitive fields, import records holding them in plaintext as they are "
                + "(their hash covers the plaintext, so they cannot be encrypted without changing it). Without it they are listed and not imported.",
        };
        var command = new Command("import",
            "Import a json/jsonl export, checking every record's hash, or an MLflow file store (--from mlflow); already-present entries are skipped.")
        {
            file, from, includeDeleted, allowPlaintext,
        };
        app.Bind(command, async (context, parse) =>
        {
            string path = context.Host.FullPath(parse.GetValue(file)!);
            bool mlflow = parse.GetValue(from) == MlFlow;
            if (mlflow && parse.GetValue(allowPlaintext))
                throw CliException.Usage("--allow-plaintext does not apply to --from mlflow: runs are saved as new records, sensitive fields encrypted as the store does.");
            if (!mlflow && parse.GetValue(includeDeleted)) throw CliException.Usage("--include-deleted applies to --from mlflow only.");
            // Checked before the store is opened, so a typo does not create an empty store.
            if (mlflow && !Directory.Exists(path)) throw new CliException($"The MLflow store '{path}' does not exist or is not a folder (expected an mlruns folder).");
            if (!mlflow && !File.Exists(path)) throw new CliException($"The import file '{path}' does not exist.");
            await using var storage = context.Stores.Open(context, mustExist: false);
            // Each batch is written whole; cancelling keeps the batches written, and importing again completes the rest.
            var result = await LongWork.RunAsync(context, "Importing", mlflow ? "runs" : "entries", null,
                async (progress, ct) => mlflow
                    ? await storage.ImportMlflowAsync(path, parse.GetValue(includeDeleted), progress, ct).ConfigureAwait(false)
                    : await storage.ImportMetadataAsync(path, parse.GetValue(allowPlaintext), progress, ct).ConfigureAwait(false)).ConfigureAwait(false);
            int problems = result.Mismatched.Count + result.Errors.Count;
            if (context.Json)
            {
                context.WriteJson(new JsonObject
                {
                    ["path"] = result.Path,
                    ["imported"] = result.Imported,
                    ["skipped"] = result.Skipped,
                    ["compliance_events_imported"] = result.ComplianceEventsImported,
                    ["compliance_events_skipped"] = result.ComplianceEventsSkipped,
                    ["plaintext_sensitive_imported"] = result.PlaintextSensitiveImported,
                    ["excluded_deleted"] = result.ExcludedDeleted,
                    ["clean"] = result.IsClean,
                    ["mismatched"] = Issues(result.Mismatched),
                    ["errors"] = Issues(result.Errors),
                });
            }
            else
            {
                var c = CultureInfo.InvariantCulture;
                string excluded = result.ExcludedDeleted > 0
                    ? string.Create(c, $"; {result.ExcludedDeleted} deleted MLflow run(s) left out (--include-deleted imports them)")
                    : string.Empty;
                context.Out.MarkupLine(string.Create(c,
                    $"Imported [bold]{result.Imported}[/] record(s) and [bold]{result.ComplianceEventsImported}[/] compliance event(s); " +
                    $"{result.Skipped + result.ComplianceEventsSkipped} already present{excluded}."));
                if (problems > 0)
                {
                    var table = new Table().Border(TableBorder.Rounded).AddColumns("Problem", "Id", "Position", "Reason");
                    foreach (var m in result.Mismatched) table.AddRow(Render.Cells("mismatched", m.Id ?? "-", m.Position, m.Reason));
                    foreach (var e in result.Errors) table.AddRow(Render.Cells("error", e.Id ?? "-", e.Position, e.Reason));
                    context.Out.Write(table);
                }
            }
            if (problems == 0) return ExitCodes.Success;
            context.Stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ciaf: error: {problems} entr{(problems == 1 ? "y was" : "ies were")} not imported ({result.Mismatched.Count} mismatched, {result.Errors.Count} unreadable or invalid) (listed above)."));
            return ExitCodes.Failure;
        });
        return command;
    }

    private const string Export = "export";
    private const string MlFlow = "mlflow";

    private static JsonArray Issues(IEnumerable<ImportIssue> issues) =>
        new([.. issues.Select(i => (JsonNode)new JsonObject { ["id"] = i.Id, ["position"] = i.Position, ["reason"] = i.Reason })]);
}
