using System.CommandLine;
using System.Text.Json.Nodes;
using Ciaf.Cli.Infrastructure;
using Ciaf.Metadata;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Transfer;
using Spectre.Console;

namespace Ciaf.Cli.Commands;

/// <summary>
/// <c>ciaf migrate --to PATH --to-backend NAME</c>: copies every record and compliance event of the store into
/// another store (any backend), with the audit trail and legal holds, keeping ids, timestamps and hashes, then checks a sample. Re-runnable: an
/// interrupted migration is completed by running it again.
/// </summary>
internal static class MigrateCommand
{
    public static Command Create(CliApp app)
    {
        var to = new Option<string>("--to")
        {
            Description = "The target store folder (created if missing; it may already hold records).",
            Required = true,
            HelpName = "path",
        };
        var toBackend = new Option<string>("--to-backend")
        {
            Description = $"The target backend: {string.Join(", ", MetadataBackends.Names)}.",
            Required = true,
            HelpName = "name",
        };
        var command = new Command("migrate", "Copy the whole store into another store or backend, losslessly, and check the result.") { to, toBackend };
        app.Bind(command, async (context, parse) =>
        {
            string targetPath = context.Host.FullPath(parse.GetValue(to)!);
            string backend = parse.GetValue(toBackend)!.Trim();
            if (!MetadataBackends.IsRegistered(backend))
            {
                throw CliException.Usage($"Unknown backend '{backend}'. Valid: {string.Join(", ", MetadataBackends.Names)}.");
            }
            backend = backend.ToLowerInvariant();
            await using var source = context.Stores.Open(context);
            var ct = context.CancellationToken;
            await using var target = new MetadataStorage(new MetadataStorageOptions { StoragePath = targetPath, Backend = backend });
            context.Note($"target: {target.StoragePath} [{target.Backend}]");
            MigrationReport report;
            try
            {
                long total = (await source.GetPerformanceMetricsAsync(ct).ConfigureAwait(false)).RecordCount
                    + (await source.GetComplianceEventsAsync(new ComplianceEventQuery(), ct).ConfigureAwait(false)).Count;
                report = await LongWork.RunAsync(context, "Migrating", "entries", total, async (progress, token) =>
                {
                    var adapter = new Progress(progress);
                    return await source.MigrateToAsync(target, adapter, token).ConfigureAwait(false);
                }, r => r.RecordsCopied + r.ComplianceEventsCopied).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                context.Note("What was copied stays in the target; run the same command again to finish (nothing is duplicated).");
                throw;
            }
            if (context.Json)
            {
                context.WriteJson(new JsonObject
                {
                    ["source"] = source.StoragePath,
                    ["source_backend"] = report.SourceBackend,
                    ["target"] = target.StoragePath,
                    ["target_backend"] = report.TargetBackend,
                    ["records_copied"] = report.RecordsCopied,
                    ["compliance_events_copied"] = report.ComplianceEventsCopied,
                    ["audit_entries_copied"] = report.AuditEntriesCopied,
                    ["legal_holds_copied"] = report.LegalHoldsCopied,
                    ["target_record_count"] = report.TargetRecordCount,
                    ["sampled_records"] = report.SampledRecords,
                    ["unreadable_source_entries"] = new JsonArray([.. report.UnreadableSourceEntries.Select(e => (JsonNode)e)]),
                    ["elapsed_seconds"] = Math.Round(report.Elapsed.TotalSeconds, 3),
                });
            }
            else
            {
                context.Out.MarkupLine($"Migrated [bold]{report.RecordsCopied}[/] record(s), [bold]{report.ComplianceEventsCopied}[/] compliance event(s), " +
                    $"{report.AuditEntriesCopied} audit entr{(report.AuditEntriesCopied == 1 ? "y" : "ies")} and {report.LegalHoldsCopied} legal hold(s) " +
                    $"from {Markup.Escape(report.SourceBackend)} to {Markup.Escape(report.TargetBackend)} at {Markup.Escape(target.StoragePath)}; " +
                    $"{report.SampledRecords} sampled record(s) checked field by field, the target holds {report.TargetRecordCount}.");
                foreach (var entry in report.UnreadableSourceEntries) context.Out.MarkupLine($"  [red]not copied[/] {Markup.Escape(entry)}");
            }
            if (report.UnreadableSourceEntries.Count == 0) return ExitCodes.Success;
            context.Stderr.WriteLine($"ciaf: error: {report.UnreadableSourceEntries.Count} source entr{(report.UnreadableSourceEntries.Count == 1 ? "y" : "ies")} could not be read and were not copied (listed above); run 'ciaf verify' on the source.");
            return ExitCodes.Failure;
        });
        return command;
    }

    /// <summary>The migration's progress as one count: records plus compliance events copied.</summary>
    private sealed class Progress(IProgress<long> inner) : IProgress<MigrationProgress>
    {
        public void Report(MigrationProgress value) => inner.Report(value.RecordsCopied + value.ComplianceEventsCopied);
    }
}
