using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ciaf.Cli.Infrastructure;
using Ciaf.Metadata;
using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;
using Spectre.Console;

namespace Ciaf.Cli.Commands;

/// <summary><c>ciaf audit</c>: the access audit trail (who did what to which record, when), newest first, with filters.</summary>
internal static class AuditCommand
{
    public static Command Create(CliApp app)
    {
        var record = new Option<string?>("--record", "-r") { Description = "Only entries about this record (or compliance event) id." };
        var action = new Option<string?>("--action", "-a")
        {
            Description = "Only this action: save, read, query, export, import, delete, cleanup, hold, release.",
        };
        var user = new Option<string?>("--user", "-u") { Description = "Only this user." };
        var since = new Option<DateTimeOffset?>("--since") { Description = "Only entries at or after this time. " + TimeArgument.Help, CustomParser = TimeArgument.Parse };
        var until = new Option<DateTimeOffset?>("--until") { Description = "Only entries before this time. " + TimeArgument.Help, CustomParser = TimeArgument.Parse };
        var limit = new Option<int>("--limit", "-n") { Description = "At most this many entries (0 for all).", DefaultValueFactory = _ => 50 };
        limit.AtLeast(0, "--limit must be 0 (all) or more.");
        var oldestFirst = new Option<bool>("--oldest-first") { Description = "Oldest first (default: newest first)." };
        var output = new Option<string?>("--output", "-o")
        {
            Description = "Write the matching entries (oldest first, no --limit) to this file instead of listing them.",
        };
        var format = new Option<string?>("--format", "-f")
        {
            Description = $"The file format with --output: {string.Join(", ", MetadataStorage.AuditExportFormats)} (default: from the file's extension, else jsonl).",
        };
        var command = new Command("audit", "Show the access audit trail, newest first (filters: --record, --action, --user, --since, --until), or write it to a file.")
        {
            record, action, user, since, until, limit, oldestFirst, output, format,
        };
        app.Bind(command, async (context, parse) =>
        {
            int max = parse.GetValue(limit);
            string? file = parse.GetValue(output) is { } o ? context.Host.FullPath(o) : null;
            string? fmt = parse.GetValue(format)?.Trim().ToLowerInvariant();
            if (fmt is not null && file is null) throw CliException.Usage("--format applies to --output only.");
            if (file is not null)
            {
                fmt ??= Path.GetExtension(file).TrimStart('.').ToLowerInvariant() is { } ext && MetadataStorage.AuditExportFormats.Contains(ext) ? ext : "jsonl";
                if (!MetadataStorage.AuditExportFormats.Contains(fmt))
                    throw CliException.Usage($"Unknown audit export format '{fmt}'. Valid: {string.Join(", ", MetadataStorage.AuditExportFormats)}.");
            }
            await using var storage = context.Stores.Open(context);
            var filter = new AuditQuery
            {
                ParentId = parse.GetValue(record),
                Action = parse.GetValue(action)?.Trim().ToLowerInvariant(),
                UserId = parse.GetValue(user),
                Since = parse.GetValue(since),
                Until = parse.GetValue(until),
                Limit = max == 0 ? null : max,
                Order = parse.GetValue(oldestFirst) ? RecordOrder.OldestFirst : RecordOrder.NewestFirst,
            };
            if (file is not null)
            {
                string written = await LongWork.RunAsync(context, "Exporting the audit trail", "files", null,
                    async (_, ct) => await storage.ExportAuditTrailAsync(fmt!, file, filter with { Limit = null }, ct).ConfigureAwait(false),
                    _ => 1).ConfigureAwait(false);
                if (context.Json) context.WriteJson(new JsonObject { ["path"] = written, ["format"] = fmt });
                else context.WriteLine(written);
                return ExitCodes.Success;
            }
            var entries = await storage.GetAuditTrailAsync(filter, context.CancellationToken).ConfigureAwait(false);
            if (context.Json)
            {
                context.WriteJson(new JsonArray([.. entries.Select(e => (JsonNode)new JsonObject
                {
                    ["id"] = e.Id,
                    ["parent_id"] = e.ParentId,
                    ["action"] = e.Action,
                    ["timestamp"] = PythonTimestamp.Format(e.Timestamp),
                    ["user_id"] = e.UserId,
                    ["details"] = ParseDetails(e.Details),
                })]));
                return ExitCodes.Success;
            }
            if (entries.Count == 0)
            {
                context.Note(storage.AuditAllAccess
                    ? "No audit entries match."
                    : "No audit entries match. (With audit_all_access off, only removals, cleanup runs and legal holds are audited.)");
                return ExitCodes.Success;
            }
            var table = new Table().Border(TableBorder.Rounded).AddColumns("Time (UTC)", "Action", "User", "Record", "Details");
            foreach (var e in entries) table.AddRow(Render.Cells(Render.Time(e.Timestamp), e.Action, e.UserId ?? "-", e.ParentId ?? "-", Render.Short(e.Details, 80)));
            context.Out.Write(table);
            context.Note($"{entries.Count} entr{(entries.Count == 1 ? "y" : "ies")}");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The details as JSON when they are (they always are when this library wrote them), else the text.</summary>
    private static JsonNode? ParseDetails(string? details)
    {
        if (details is null) return null;
        try
        {
            return JsonNode.Parse(details);
        }
        catch (JsonException)
        {
            return details;
        }
    }
}
