using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Ciaf.Cli.Infrastructure;
using Ciaf.Metadata;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;
using Spectre.Console;

namespace Ciaf.Cli.Commands;

/// <summary><c>ciaf stats</c>: the store's performance metrics, size, and records per model and stage.</summary>
internal static class StatsCommand
{
    public static Command Create(CliApp app)
    {
        var command = new Command("stats", "Show the store's size, performance metrics and records per model and stage.");
        app.Bind(command, async (context, _) =>
        {
            await using var storage = context.Stores.Open(context);
            var ct = context.CancellationToken;
            var models = new SortedDictionary<string, ModelStats>(StringComparer.Ordinal);
            await foreach (var r in storage.QueryMetadataAsync(new MetadataQuery { Order = RecordOrder.OldestFirst }, ct).ConfigureAwait(false))
            {
                if (!models.TryGetValue(r.ModelName, out var m)) models[r.ModelName] = m = new ModelStats { First = r.Timestamp };
                m.Count++;
                m.Last = r.Timestamp;
                m.Versions.Add(r.ModelVersion);
                m.Stages[r.Stage] = m.Stages.GetValueOrDefault(r.Stage) + 1;
            }
            var events = await storage.GetComplianceEventsAsync(new ComplianceEventQuery(), ct).ConfigureAwait(false);
            // Read after the scan, so the read counters include it.
            var metrics = await storage.GetPerformanceMetricsAsync(ct).ConfigureAwait(false);
            if (context.Json)
            {
                context.WriteJson(new JsonObject
                {
                    ["store"] = storage.StoragePath,
                    ["backend"] = storage.Backend,
                    ["db_path"] = storage.DbPath,
                    ["record_count"] = metrics.RecordCount,
                    ["compliance_event_count"] = events.Count,
                    ["total_size_bytes"] = metrics.TotalSizeBytes,
                    ["total_size_mb"] = Math.Round(metrics.TotalSizeMb, 4),
                    ["corrupt_entries_skipped"] = metrics.CorruptEntriesSkipped,
                    ["reads"] = metrics.Reads,
                    ["avg_read_time_ms"] = Math.Round(metrics.AvgReadTimeMs, 4),
                    ["p95_read_time_ms"] = Math.Round(metrics.P95ReadTimeMs, 4),
                    ["models"] = new JsonObject([.. models.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)new JsonObject
                    {
                        ["records"] = kv.Value.Count,
                        ["versions"] = new JsonArray([.. kv.Value.Versions.Order(StringComparer.Ordinal).Select(v => (JsonNode)v)]),
                        ["first"] = PythonTimestamp.Format(kv.Value.First),
                        ["last"] = PythonTimestamp.Format(kv.Value.Last),
                        ["stages"] = new JsonObject([.. kv.Value.Stages.Select(s => KeyValuePair.Create(s.Key, (JsonNode?)s.Value))]),
                    }))]),
                });
                return ExitCodes.Success;
            }
            var c = CultureInfo.InvariantCulture;
            var summary = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
            void Row(string key, string value) => summary.AddRow(new Markup($"[bold]{key}[/]"), new Markup(Markup.Escape(value)));
            Row("store", storage.StoragePath);
            Row("backend", storage.Backend + (storage.DbPath is { } db ? $" ({db})" : string.Empty));
            Row("records", metrics.RecordCount.ToString(c));
            Row("compliance events", events.Count.ToString(c));
            Row("models", models.Count.ToString(c));
            Row("size on disk", string.Create(c, $"{metrics.TotalSizeMb:0.###} MB ({metrics.TotalSizeBytes} bytes)"));
            Row("corrupt entries skipped", metrics.CorruptEntriesSkipped.ToString(c));
            Row("reads (this run)", string.Create(c, $"{metrics.Reads}, mean {metrics.AvgReadTimeMs:0.###} ms, p95 {metrics.P95ReadTimeMs:0.###} ms"));
            context.Out.Write(summary);
            if (models.Count > 0)
            {
                var stages = PipelineStages.Ordered.Where(s => models.Values.Any(m => m.Stages.ContainsKey(s)))
                    .Concat(models.Values.SelectMany(m => m.Stages.Keys).Where(s => !PipelineStages.Ordered.Contains(s)).Distinct().Order(StringComparer.Ordinal))
                    .ToList();
                var table = new Table().Border(TableBorder.Rounded).AddColumn("Model").AddColumn("Versions").AddColumn(new TableColumn("Records").RightAligned());
                foreach (var s in stages) table.AddColumn(new TableColumn(s).RightAligned());
                table.AddColumn("Last (UTC)");
                foreach (var (name, m) in models)
                {
                    table.AddRow(Render.Cells([name, string.Join(", ", m.Versions.Order(StringComparer.Ordinal)), m.Count.ToString(c),
                        .. stages.Select(s => m.Stages.TryGetValue(s, out int n) ? n.ToString(c) : "-"), Render.Time(m.Last)]));
                }
                context.Out.Write(table);
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private sealed class ModelStats
    {
        public int Count { get; set; }

        public DateTimeOffset First { get; init; }

        public DateTimeOffset Last { get; set; }

        public HashSet<string> Versions { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, int> Stages { get; } = new(StringComparer.Ordinal);
    }
}
