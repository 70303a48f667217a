using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ciaf.Cli.Infrastructure;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Retention;
using Ciaf.Metadata.Storage;
using Spectre.Console;

namespace Ciaf.Cli.Commands;

/// <summary>
/// <c>ciaf cleanup</c>: removes records past their retention (or, with <c>--dry-run</c>, lists what would go), keeping
/// what legal holds cover and, on a store declared high-risk, what the EU AI Act's minimums protect. The rules are the
/// library's (<c>CleanupOldMetadata</c> / <c>PreviewCleanup</c>, <c>AiActRetention</c>).
/// </summary>
internal static class CleanupCommand
{
    public static Command Create(CliApp app)
    {
        var days = new Option<int?>("--days", "-d")
        {
            Description = "Remove records older than this many days (default: the store's metadata_retention_days). "
                + "Compliance records and events are kept for compliance_retention_days, never less. Legal holds are always honoured, "
                + "and so, on a store with ai_act_high_risk, are the EU AI Act's minimums (logs 183 days, documentation 10 years).",
        };
        days.AtLeast(0, "--days must not be negative.")
            .AtMost(MetadataStorageOptions.MaxRetentionDays, $"--days must be at most {MetadataStorageOptions.MaxRetentionDays} (1,000 years).");
        var dryRun = new Option<bool>("--dry-run", "-n") { Description = "Only list what would be removed (and what legal holds and the EU AI Act keep); change nothing." };
        var command = new Command("cleanup", "Remove records older than their retention, except what legal holds keep.") { days, dryRun };
        app.Bind(command, async (context, parse) =>
        {
            int? daysOld = parse.GetValue(days);
            bool preview = parse.GetValue(dryRun);
            await using var storage = context.Stores.Open(context);
            var report = await LongWork.RunAsync(context, preview ? "Previewing cleanup" : "Cleaning up", "items", null,
                async (_, ct) => await storage.CleanupOldMetadataAsync(daysOld, preview, ct).ConfigureAwait(false),
                r => preview ? r.Removed.Count : r.RemovedCount).ConfigureAwait(false);
            var records = report.Removed.Where(i => i.Kind == CleanupItemKind.Record).ToList();
            int events = report.Removed.Count - records.Count;
            if (context.Json)
            {
                context.WriteJson(new JsonObject
                {
                    ["dry_run"] = report.DryRun,
                    ["run_id"] = report.RunId,
                    ["metadata_retention_days"] = report.RetentionDays,
                    ["compliance_retention_days"] = report.ComplianceRetentionDays,
                    ["cutoff"] = PythonTimestamp.Format(report.Cutoff),
                    ["compliance_cutoff"] = PythonTimestamp.Format(report.ComplianceCutoff),
                    ["records"] = records.Count,
                    ["compliance_events"] = events,
                    ["removed"] = report.RemovedCount,
                    ["by_model"] = new JsonObject([.. records.GroupBy(r => r.ModelName ?? string.Empty).OrderBy(g => g.Key, StringComparer.Ordinal)
                        .Select(g => KeyValuePair.Create(g.Key, (JsonNode?)g.Count()))]),
                    ["oldest"] = records.Count == 0 ? null : PythonTimestamp.Format(records.Min(r => r.Timestamp)),
                    ["items"] = Items(report.Removed),
                    ["held"] = Items(report.Held),
                    ["ai_act_high_risk"] = report.AiActHighRisk,
                    ["protected"] = Items(report.Protected),
                });
                return ExitCodes.Success;
            }
            string held = report.Held.Count == 0 ? string.Empty : $" Legal holds keep [bold]{report.Held.Count}[/] item(s) that are old enough to go.";
            context.Out.MarkupLine(report.DryRun
                ? $"Dry run: [bold]{records.Count}[/] record(s) and [bold]{events}[/] compliance event(s) would be removed " +
                  $"(older than {report.RetentionDays} days; compliance data older than {report.ComplianceRetentionDays} days).{held}"
                : $"Removed [bold]{report.RemovedCount}[/] record(s) and compliance event(s) older than their retention.{held}");
            if (report.DryRun && records.Count > 0)
            {
                var table = new Table().Border(TableBorder.Rounded).AddColumns("Model", "Stage", "Records", "Oldest (UTC)");
                foreach (var g in records.GroupBy(r => (r.ModelName, r.Stage)).OrderBy(g => g.Key.ModelName, StringComparer.Ordinal).ThenBy(g => g.Key.Stage, StringComparer.Ordinal))
                {
                    table.AddRow(Render.Cells(g.Key.ModelName, g.Key.Stage, g.Count().ToString(CultureInfo.InvariantCulture), Render.Time(g.Min(r => r.Timestamp))));
                }
                context.Out.Write(table);
            }
            if (report.Held.Count > 0)
            {
                var table = new Table().Border(TableBorder.Rounded).AddColumns("Kept", "Id", "Model", "Time (UTC)", "Hold");
                foreach (var i in report.Held) table.AddRow(Render.Cells(KindName(i.Kind), i.Id, i.ModelName ?? "-", Render.Time(i.Timestamp), i.Reason));
                context.Out.Write(table);
            }
            if (report.Protected.Count > 0)
            {
                context.Out.MarkupLine($"The store is declared high-risk under the EU AI Act (ai_act_high_risk): cleanup refuses to remove [bold]{report.Protected.Count}[/] " +
                    $"item(s) old enough to go by the retention settings — logs younger than {AiActRetention.LogMinimumDays} days ({AiActRetention.LogArticles}), " +
                    $"documentation younger than {AiActRetention.DocumentationMinimumYears} years ({AiActRetention.DocumentationArticle}).");
                var table = new Table().Border(TableBorder.Rounded).AddColumns("Protected", "Id", "Model", "Stage", "Time (UTC)", "Why");
                foreach (var i in report.Protected) table.AddRow(Render.Cells(KindName(i.Kind), i.Id, i.ModelName ?? "-", i.Stage ?? "-", Render.Time(i.Timestamp), i.Reason));
                context.Out.Write(table);
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static JsonArray Items(IEnumerable<CleanupItem> items) => new([.. items.Select(i => (JsonNode)new JsonObject
    {
        ["kind"] = KindName(i.Kind),
        ["id"] = i.Id,
        ["model_name"] = i.ModelName,
        ["stage"] = i.Stage,
        ["timestamp"] = PythonTimestamp.Format(i.Timestamp),
        ["reason"] = i.Reason,
    })]);

    private static string KindName(CleanupItemKind kind) => JsonNamingPolicy.SnakeCaseLower.ConvertName(kind.ToString());
}
