using System.CommandLine;
using System.Text.Json.Nodes;
using Ciaf.Cli.Infrastructure;
using Ciaf.Metadata;
using Ciaf.Metadata.Configuration;
using Ciaf.Metadata.Storage;

namespace Ciaf.Cli.Commands;

/// <summary><c>ciaf export</c>: writes a model's records (or all, or with <c>--events</c> the compliance events) to a file.</summary>
internal static class ExportCommand
{
    /// <summary>The configured <c>default_export_format</c>; json for compliance events when it is a records-only format.</summary>
    private static string DefaultFormat(CliContext context, bool complianceEvents)
    {
        string configured = context.Stores.ResolveConfig().Config.Get<string>(MetadataConfigKeys.DefaultExportFormat);
        return complianceEvents && !MetadataStorage.ComplianceEventExportFormats.Contains(configured) ? "json" : configured;
    }

    public static Command Create(CliApp app)
    {
        var model = new Option<string?>("--model", "-m") { Description = "Only this model (default: every model)." };
        var format = new Option<string?>("--format", "-f")
        {
            Description = $"The file format: {string.Join(", ", MetadataStorage.ExportFormats)} "
                + $"({string.Join(", ", MetadataStorage.ComplianceEventExportFormats)} with --events); "
                + "default: the configured default_export_format (json).",
        };
        var output = new Option<string?>("--output", "-o") { Description = "The file to write (default: a new file under <store>/exports/)." };
        var events = new Option<bool>("--events", "-e") { Description = "Export the compliance events instead of the records." };
        var filter = SearchCommand.FilterOption("records");
        var command = new Command("export", "Export records (or compliance events) to a file: streamed, no cap.") { model, format, output, events, filter };
        app.Bind(command, async (context, parse) => await SearchCommand.Run(context, async () =>
        {
            string? modelName = parse.GetValue(model);
            string? search = parse.GetValue(filter);
            bool complianceEvents = parse.GetValue(events);
            string fmt = (parse.GetValue(format) ?? DefaultFormat(context, complianceEvents)).Trim().ToLowerInvariant();
            string? target = parse.GetValue(output) is { } o ? context.Host.FullPath(o) : null;
            var formats = complianceEvents ? MetadataStorage.ComplianceEventExportFormats : MetadataStorage.ExportFormats;
            if (complianceEvents && modelName is not null) throw CliException.Usage("--model does not apply to --events: every compliance event is exported.");
            if (complianceEvents && search is not null) throw CliException.Usage("--filter does not apply to --events: every compliance event is exported.");
            search = SearchCommand.And(search, ("model_name", "=", search is null ? null : modelName));
            if (!formats.Contains(fmt))
            {
                throw CliException.Usage($"Unknown {(complianceEvents ? "compliance event " : string.Empty)}export format '{fmt}'. Valid: {string.Join(", ", formats)}.");
            }
            await using var storage = context.Stores.Open(context);
            var ct = context.CancellationToken;
            string unit = complianceEvents ? "events" : "records";
            long? total = complianceEvents
                ? (await storage.GetComplianceEventsAsync(new ComplianceEventQuery(), ct).ConfigureAwait(false)).Count
                : search is not null ? await storage.CountAsync(search, cancellationToken: ct).ConfigureAwait(false)
                : modelName is null ? (await storage.GetPerformanceMetricsAsync(ct).ConfigureAwait(false)).RecordCount : null;
            long written = 0;
            // Cancelling removes the partial temporary file: an existing export is never half-overwritten.
            string path = await LongWork.RunAsync(context, "Exporting", unit, total, async (progress, token) =>
            {
                var counting = new Progress(progress, n => written = n);
                return complianceEvents
                    ? await storage.ExportComplianceEventsAsync(fmt, target, counting, token).ConfigureAwait(false)
                    : search is not null
                    ? await storage.ExportSearchAsync(search, fmt, target, counting, token).ConfigureAwait(false)
                    : await storage.ExportMetadataAsync(modelName, fmt, target, counting, token).ConfigureAwait(false);
            }).ConfigureAwait(false);
            if (context.Json)
            {
                var json = new JsonObject { ["path"] = path, ["format"] = fmt };
                if (complianceEvents)
                {
                    json["kind"] = "compliance_events";
                    json["compliance_events"] = written;
                }
                else
                {
                    json["kind"] = "records";
                    json["model"] = modelName;
                    if (search is not null) json["filter"] = search;
                    json["records"] = written;
                }
                context.WriteJson(json);
            }
            else
            {
                context.WriteLine(path);
            }
            return ExitCodes.Success;
        }).ConfigureAwait(false));
        return command;
    }

    /// <summary>Forwards counts to the progress bar and keeps the last one (the total, once the export ends).</summary>
    private sealed class Progress(IProgress<long> inner, Action<long> last) : IProgress<long>
    {
        public void Report(long value)
        {
            last(value);
            inner.Report(value);
        }
    }
}
