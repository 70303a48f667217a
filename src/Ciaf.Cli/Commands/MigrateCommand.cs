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
/// interrupted migration is completed by running it again. The target encrypts as the source store is configured to; records
/// holding sensitive fields in plaintext are then not copied (listed, exit 1) unless <c>--allow-plaintext</c> is given.
/// </summary>
internal static class MigrateCommand
{
    public static Command Create(CliApp app)
    {
        var to = new Option<string?>("--to")
        {
            Description = "The target store folder (created if missing; it may already hold records); with --to-backend.",
            HelpName = "path",
        };
        var toBackend = new Option<string?>("--to-backend")
        {
            Description = $"The target backend: {string.Join(", ", MetadataBackends.Names)} (postgresql: the connection string from CIAF_POSTGRES_CONNECTION).",
            HelpName = "name",
        };
        var toConfig = new Option<string?>("--to-config")
        {
            Description = "A configuration file describing the whole target (backend, path, connection string, encryption), instead of --to and --to-backend.",
            HelpName = "file",
        };
        var allowPlaintext = new Option<bool>("--allow-plaintext")
        {
            Description = "When the store encrypts sensitive fields, copy records holding them in plaintext as they are "
                + "(their hash covers the plaintext). Without it they are listed and not copied.",
        };
        var command = new Command("migrate", "Copy the whole store into another store or backend, losslessly, and check the result.") { to, toBackend, toConfig, allowPlaintext };
        app.Bind(command, async (context, parse) =>
        {
            var targetStore = context.Stores.ResolveOther(parse.GetValue(to), parse.GetValue(toBackend), parse.GetValue(toConfig),
                "the migration target (--to PATH --to-backend NAME, or --to-config FILE)");
            var resolved = context.Stores.Resolve();
            await using var source = StoreResolver.Open(context, resolved, mustExist: true);
            var ct = context.CancellationToken;
            var t = targetStore.Options;
            if (targetStore.Config is null)
            {
                // This store on another backend: it encrypts as the store is configured to, so a record that would land there
                // with a sensitive field in plaintext is caught (and the target reads back with the same key). A target from
                // its own configuration file encrypts as that file says.
                var s = resolved.Options;
                t.EncryptSensitiveData = s.EncryptSensitiveData;
                t.EncryptionKey = s.EncryptionKey;
                t.EncryptionKeyPath = s.EncryptionKeyPath;
                t.SensitiveFields = s.SensitiveFields;
            }
            t.LoggerFactory = context.LoggerFactory;
            await using var target = new MetadataStorage(t);
            context.Note($"target: {target.StoragePath} [{target.Backend}]");
            MigrationReport report;
            try
            {
                long total = (await source.GetPerformanceMetricsAsync(ct).ConfigureAwait(false)).RecordCount
                    + (await source.GetComplianceEventsAsync(new ComplianceEventQuery(), ct).ConfigureAwait(false)).Count;
                report = await LongWork.RunAsync(context, "Migrating", "entries", total, async (progress, token) =>
                {
                    var adapter = new Progress(progress);
                    return await source.MigrateToAsync(target, parse.GetValue(allowPlaintext), adapter, token).ConfigureAwait(false);
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
                    ["plaintext_sensitive_copied"] = report.PlaintextSensitiveCopied,
                    ["plaintext_sensitive_refused"] = new JsonArray([.. report.PlaintextSensitiveRefused.Select(e => (JsonNode)e)]),
                    ["ledger_leaves_carried"] = report.LedgerLeavesCarried,
                    ["ledger_checkpoints_carried"] = report.LedgerCheckpointsCarried,
                    ["ledger_not_carried"] = report.LedgerNotCarried,
                    ["elapsed_seconds"] = Math.Round(report.Elapsed.TotalSeconds, 3),
                });
            }
            else
            {
                context.Out.MarkupLine($"Migrated [bold]{report.RecordsCopied}[/] record(s), [bold]{report.ComplianceEventsCopied}[/] compliance event(s), " +
                    $"{report.AuditEntriesCopied} audit entr{(report.AuditEntriesCopied == 1 ? "y" : "ies")} and {report.LegalHoldsCopied} legal hold(s) " +
                    $"from {Markup.Escape(report.SourceBackend)} to {Markup.Escape(report.TargetBackend)} at {Markup.Escape(target.StoragePath)}; " +
                    $"{report.SampledRecords} sampled record(s) checked field by field, the target holds {report.TargetRecordCount}.");
                if (report.LedgerLeavesCarried > 0)
                {
                    context.Out.MarkupLine($"Ledger: the source's {report.LedgerLeavesCarried} leaves and {report.LedgerCheckpointsCarried} signed checkpoint(s) carried; " +
                        "the target's log starts with the source's, so the source's checkpoints and receipts verify against it.");
                }
                if (report.LedgerNotCarried is { } why) context.Out.MarkupLine($"  [yellow]ledger not carried[/]: {Markup.Escape(why)}.");
                foreach (var entry in report.UnreadableSourceEntries.Concat(report.PlaintextSensitiveRefused))
                {
                    context.Out.MarkupLine($"  [red]not copied[/] {Markup.Escape(entry)}");
                }
            }
            int unreadable = report.UnreadableSourceEntries.Count, refused = report.PlaintextSensitiveRefused.Count;
            if (unreadable + refused == 0) return ExitCodes.Success;
            if (unreadable > 0)
            {
                context.Stderr.WriteLine($"ciaf: error: {unreadable} source entr{(unreadable == 1 ? "y" : "ies")} could not be read and were not copied (listed above); run 'ciaf verify' on the source.");
            }
            if (refused > 0)
            {
                context.Stderr.WriteLine($"ciaf: error: {refused} record(s) hold sensitive fields in plaintext and were not copied into the encrypting target (listed above): "
                    + "their hashes cover the plaintext, so they cannot be encrypted without changing them; run again with --allow-plaintext to copy them as they are.");
            }
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
