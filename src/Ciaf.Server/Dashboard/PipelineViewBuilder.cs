using Ciaf.Metadata;
using Ciaf.Metadata.Storage;
using Ciaf.Server.Dashboard.Views;

namespace Ciaf.Server.Dashboard;

/// <summary>A model's pipeline page: its records in one pass, oldest first, grouped by stage in pipeline order.</summary>
internal static class PipelineViewBuilder
{
    /// <summary>The newest entries listed per stage; the rest are a search away.</summary>
    public const int EntriesShown = 20;

    /// <summary>The most marks drawn per stage on the timeline.</summary>
    public const int MarksDrawn = 300;

    /// <summary>The page, or <c>null</c> when the model has no records.</summary>
    public static async Task<PipelineView?> BuildAsync(MetadataStorage storage, string model, CancellationToken cancellationToken)
    {
        var versions = new List<string>();
        var byStage = new Dictionary<string, List<MetadataRecord>>(StringComparer.Ordinal);
        int count = 0;
        await foreach (var r in storage.QueryMetadataAsync(new MetadataQuery { ModelName = model, Order = RecordOrder.OldestFirst }, cancellationToken).ConfigureAwait(false))
        {
            count++;
            if (!versions.Contains(r.ModelVersion, StringComparer.Ordinal)) versions.Add(r.ModelVersion);
            if (!byStage.TryGetValue(r.Stage, out var list)) byStage[r.Stage] = list = [];
            list.Add(r);
        }
        if (count == 0) return null;
        var stages = ModelOverviewBuilder.StagesInOrder(byStage.ToDictionary(kv => kv.Key, kv => (long)kv.Value.Count, StringComparer.Ordinal))
            .Select(s =>
            {
                var records = byStage[s.Stage];
                return new StageTimeline(s.Stage, records.Count, records[0].Timestamp, records[^1].Timestamp,
                    [.. Enumerable.Reverse(records).Take(EntriesShown)], Thin([.. records.Select(r => r.Timestamp)], MarksDrawn));
            })
            .ToList();
        return new PipelineView(model, versions, stages, stages.Min(s => s.First), stages.Max(s => s.Last), count);
    }

    /// <summary>At most <paramref name="max"/> items, evenly spread, the first and last kept.</summary>
    public static IReadOnlyList<T> Thin<T>(IReadOnlyList<T> items, int max)
    {
        if (items.Count <= max) return items;
        return [.. Enumerable.Range(0, max).Select(i => items[(int)Math.Round(i * (items.Count - 1) / (double)(max - 1))])];
    }
}
