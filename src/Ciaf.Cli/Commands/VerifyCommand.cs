using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ciaf.Cli.Infrastructure;
using Ciaf.Metadata.Transfer;
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
        var command = new Command("verify", "Check the store's integrity: every record's hash, unreadable entries, dangling compliance events (exit 1 if any).");
        app.Bind(command, async (context, _) =>
        {
            await using var storage = context.Stores.Open(context);
            long total = (await storage.GetPerformanceMetricsAsync(context.CancellationToken).ConfigureAwait(false)).RecordCount;
            var report = await LongWork.RunAsync(context, "Verifying", "records", total,
                async (_, ct) => await storage.VerifyAsync(ct).ConfigureAwait(false),
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

    /// <summary><c>hash_mismatch</c>, <c>unreadable</c>, <c>dangling_compliance_event</c>.</summary>
    internal static string KindName(VerificationIssueKind kind) => JsonNamingPolicy.SnakeCaseLower.ConvertName(kind.ToString());
}
