using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ciaf.Cli.Infrastructure;
using Ciaf.Metadata.Transfer;
using Ciaf.Metadata.Verification;
using Spectre.Console;

namespace Ciaf.Cli.Commands;

/// <summary>
/// <c>ciaf verify</c>: recomputes every record's hash, lists unreadable entries and compliance events pointing to no
/// record. Exit 1 when anything is wrong. Changes nothing.
/// </summary>
internal static class VerifyCommand
{
    public static Command Create(CliApp app)
    {
        var checkpoints = new Option<string[]>("--checkpoint")
        {
            Description = "An older signed checkpoint (e.g. from the witness folder) the log must still be consistent with; repeatable.",
            AllowMultipleArgumentsPerToken = false,
        };
        var key = new Option<string[]>("--key")
        {
            Description = "A public key (PEM file) a checkpoint's signature may be from; repeatable (a rotated key, a migrated store's source); default: ledger_key_path's.",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("verify",
            "Check the store's integrity: every record's hash, unreadable entries, dangling compliance events and, with the ledger, every item against its leaf, the log and its checkpoints (exit 1 if any).") { checkpoints, key };
        app.Bind(command, async (context, parse) =>
        {
            var options = new VerifyOptions
            {
                Checkpoints = [.. (parse.GetValue(checkpoints) ?? []).Select(f => (ReadFile(f), f))],
                PublicKeyPems = parse.GetValue(key) ?? [],
            };
            await using var storage = context.Stores.Open(context);
            long total = (await storage.GetPerformanceMetricsAsync(context.CancellationToken).ConfigureAwait(false)).RecordCount;
            var report = await LongWork.RunAsync(context, "Verifying", "records", total,
                async (_, ct) => await storage.VerifyAsync(options, ct).ConfigureAwait(false),
                r => r.RecordsChecked).ConfigureAwait(false);
            if (context.Json)
            {
                context.WriteJson(new JsonObject
                {
                    ["store"] = storage.StoragePath,
                    ["backend"] = storage.Backend,
                    ["valid"] = report.IsValid,
                    ["records_checked"] = report.RecordsChecked,
                    ["compliance_events_checked"] = report.ComplianceEventsChecked,
                    ["ledger"] = new JsonObject
                    {
                        ["state"] = KindName(report.Ledger.State),
                        ["size"] = report.Ledger.Size,
                        ["checkpoints_checked"] = report.Ledger.CheckpointsChecked,
                    },
                    ["issues"] = new JsonArray([.. report.Issues.Select(i => (JsonNode)new JsonObject
                    {
                        ["kind"] = KindName(i.Kind),
                        ["id"] = i.Id,
                        ["location"] = i.Location,
                        ["detail"] = i.Detail,
                    })]),
                });
            }
            else if (report.IsValid)
            {
                context.Out.MarkupLine($"[green]OK[/]: {report.RecordsChecked} record(s) and {report.ComplianceEventsChecked} compliance event(s) checked; no problems found.");
                context.WriteLine(report.Ledger.State switch
                {
                    LedgerVerificationState.Active => string.Create(CultureInfo.InvariantCulture,
                        $"Ledger: {report.Ledger.Size} leaves re-hashed, every item matches its latest leaf, {report.Ledger.CheckpointsChecked} checkpoint(s) match the log."),
                    LedgerVerificationState.NotInitialized => "Ledger: not initialized for this store (written before the ledger or by the Python reference); run `ciaf ledger init` to adopt it.",
                    _ => "Ledger: off (ledger_enabled is false); only each record's own hash was checked.",
                });
            }
            else
            {
                var table = new Table().Border(TableBorder.Rounded).AddColumns("Problem", "Id", "Location", "Detail");
                foreach (var i in report.Issues) table.AddRow(Render.Cells(KindName(i.Kind), i.Id ?? "-", i.Location, i.Detail));
                context.Out.Write(table);
            }
            if (report.IsValid) return ExitCodes.Success;
            string counts = string.Join(", ", report.Issues.GroupBy(i => i.Kind).OrderBy(g => g.Key).Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Count()} {KindName(g.Key)}")));
            context.Stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ciaf: error: the store has {report.Issues.Count} integrity problem(s): {counts} ({report.RecordsChecked} records and {report.ComplianceEventsChecked} compliance events checked)."));
            return ExitCodes.Failure;
        });
        return command;
    }

    /// <summary><c>hash_mismatch</c>, <c>unreadable</c>, <c>dangling_compliance_event</c>, <c>ledger_mismatch</c>, ...</summary>
    internal static string KindName<T>(T kind) where T : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(kind.ToString());

    private static string ReadFile(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"Cannot read the checkpoint file '{path}': {ex.Message}", ExitCodes.Usage);
        }
    }
}
