using System.Globalization;
using System.Text.Json.Nodes;
using Ciaf.Metadata;
using Ciaf.Metadata.Hashing;
using Spectre.Console;
using Spectre.Console.Json;

namespace Ciaf.Cli.Infrastructure;

/// <summary>Shared tables and JSON shapes (records and events as the reference stores them).</summary>
internal static class Render
{
    public static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);

    public static string Number(double? value) => value is { } v ? v.ToString("0.###", CultureInfo.InvariantCulture) : "-";

    public static string Short(string? text, int max = 60) =>
        text is null ? string.Empty : text.Length <= max ? text : string.Concat(text.AsSpan(0, max - 1), "…");

    public static JsonArray Records(IEnumerable<MetadataRecord> records) => new([.. records.Select(r => (JsonNode)RecordJson.ToJsonObject(r))]);

    public static JsonArray Events(IEnumerable<ComplianceEvent> events) => new([.. events.Select(e => (JsonNode)RecordJson.ToJsonObject(e))]);

    /// <summary>The reference's trace shape: <c>{model_name, trace_generated, stages: {stage: [entries]}}</c>.</summary>
    public static JsonObject Trace(PipelineTrace trace) => RecordJson.ToJsonObject(trace);

    public static Table RecordTable(IEnumerable<MetadataRecord> records)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumns("Time (UTC)", "Id", "Model", "Version", "Stage", "Event", "Details");
        foreach (var r in records)
        {
            table.AddRow(Cells(Time(r.Timestamp), r.Id, r.ModelName, r.ModelVersion, r.Stage, r.EventType, Short(r.Details)));
        }
        return table;
    }

    public static Table EventTable(IEnumerable<ComplianceEvent> events)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumns("Time (UTC)", "Framework", "Score", "Status", "Record", "Details");
        foreach (var e in events)
        {
            string status = e.ValidationStatus ?? "-";
            string styled = status switch
            {
                "passed" => "[green]passed[/]",
                "failed" => "[red]failed[/]",
                _ => Markup.Escape(status),
            };
            table.AddRow(new Markup(Markup.Escape(Time(e.Timestamp))), new Markup(Markup.Escape(e.Framework)),
                new Markup(Number(e.ComplianceScore)), new Markup(styled), new Markup(Markup.Escape(e.MetadataId ?? "-")),
                new Markup(Markup.Escape(Short(e.Details))));
        }
        return table;
    }

    public static JsonText JsonBlock(JsonNode node) => new(node.ToJsonString());

    public static Markup[] Cells(params string?[] values) => [.. values.Select(v => new Markup(Markup.Escape(v ?? string.Empty)))];
}
