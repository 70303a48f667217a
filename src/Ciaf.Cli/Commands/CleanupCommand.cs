using System.CommandLine;
using System.Text.Json.Nodes;
using Ciaf.Cli.Infrastructure;
using Ciaf.Metadata;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;
using Spectre.Console;

namespace Ciaf.Cli.Commands;

/// <summary><c>ciaf cleanup</c>: removes records past their retention (or, with <c>--dry-run</c>, lists what would go).</summary>
internal static class CleanupCommand
{
    public static Command Create(CliApp app)
    {
        var days = new Option<int?>("--days", "-d")
        {
            Description = "Remove records older than this many days (default: the store's metadata_retention_days). "
                + "Compliance records and events are kept for compliance_retention_days, never less.",
        };
        days.AtLeast(0, "--days must not be negative.");
        var dryRun = new Option<bool>("--dry-run", "-n") { Description = "Only count what would be removed; change nothing." };
        var command = new Command("cleanup", "Remove records older than their retention.") { days, dryRun };
        app.Bind(command, async (context, parse) =>
        {
            var store = context.Stores.Resolve();
            int metadataDays = parse.GetValue(days) ?? store.Options.MetadataRetentionDays;
            int complianceDays = Math.Max(metadataDays, store.Options.ComplianceRetentionDays);
            await using var storage = StoreResolver.Open(context, store, mustExist: true);
            var now = DateTimeOffset.UtcNow;
            if (parse.GetValue(dryRun))
            {
                var (records, events) = await PreviewAsync(storage, now.AddDays(-metadataDays), now.AddDays(-complianceDays), context.CancellationToken).ConfigureAwait(false);
                if (context.Json)
                {
                    context.WriteJson(new JsonObject
                    {
                        ["dry_run"] = true,
                        ["metadata_retention_days"] = metadataDays,
                        ["compliance_retention_days"] = complianceDays,
                        ["records"] = records.Count,
                        ["compliance_events"] = events,
                        ["by_model"] = new JsonObject([.. records.GroupBy(r => r.ModelName).OrderBy(g => g.Key, StringComparer.Ordinal)
                            .Select(g => KeyValuePair.Create(g.Key, (JsonNode?)g.Count()))]),
                        ["oldest"] = records.Count == 0 ? null : PythonTimestamp.Format(records.Min(r => r.Timestamp)),
                    });
                    return ExitCodes.Success;
                }
                context.Out.MarkupLine($"Dry run: [bold]{records.Count}[/] record(s) and [bold]{events}[/] compliance event(s) would be removed " +
                    $"(older than {metadataDays} days; compliance data older than {complianceDays} days).");
                if (records.Count > 0)
                {
                    var table = new Table().Border(TableBorder.Rounded).AddColumns("Model", "Stage", "Records", "Oldest (UTC)");
                    foreach (var g in records.GroupBy(r => (r.ModelName, r.Stage)).OrderBy(g => g.Key.ModelName, StringComparer.Ordinal).ThenBy(g => g.Key.Stage, StringComparer.Ordinal))
                    {
                        table.AddRow(Render.Cells(g.Key.ModelName, g.Key.Stage, g.Count().ToString(System.Globalization.CultureInfo.InvariantCulture), Render.Time(g.Min(r => r.Timestamp))));
                    }
                    context.Out.Write(table);
                }
                return ExitCodes.Success;
            }
            int removed = await LongWork.RunAsync(context, "Cleaning up", "items", null,
                async (_, ct) => await storage.CleanupOldMetadataAsync(metadataDays, ct).ConfigureAwait(false),
                n => n).ConfigureAwait(false);
            if (context.Json)
            {
                context.WriteJson(new JsonObject
                {
                    ["dry_run"] = false,
                    ["metadata_retention_days"] = metadataDays,
                    ["compliance_retention_days"] = complianceDays,
                    ["removed"] = removed,
                });
            }
            else
            {
                context.Out.MarkupLine($"Removed [bold]{removed}[/] record(s) and compliance event(s) older than their retention.");
            }
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// What <see cref="MetadataStorage.CleanupOldMetadata"/> would remove, by the same rules: records older than the
    /// metadata cutoff, except compliance-stage records, which go only when older than the compliance cutoff; and
    /// compliance events older than the compliance cutoff.
    /// </summary>
    private static async Task<(List<MetadataRecord> Records, int Events)> PreviewAsync(MetadataStorage storage,
        DateTimeOffset metadataCutoff, DateTimeOffset complianceCutoff, CancellationToken cancellationToken)
    {
        var records = new List<MetadataRecord>();
        await foreach (var r in storage.QueryMetadataAsync(new MetadataQuery { Until = metadataCutoff, Order = RecordOrder.OldestFirst }, cancellationToken).ConfigureAwait(false))
        {
            if (r.Stage != PipelineStages.Compliance || r.Timestamp < complianceCutoff) records.Add(r);
        }
        var events = await storage.GetComplianceEventsAsync(new ComplianceEventQuery { Until = complianceCutoff }, cancellationToken).ConfigureAwait(false);
        return (records, events.Count);
    }
}
