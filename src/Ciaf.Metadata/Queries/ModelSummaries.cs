using System.Diagnostics;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Storage;
using Microsoft.Extensions.Logging;

namespace Ciaf.Metadata.Queries;

/// <summary>
/// The models of the store at a glance: record counts by model, version and stage, first and last activity. The backend
/// answers where it can (<see cref="IModelSummaryBackend"/>: one <c>GROUP BY</c>); otherwise, or while this instance has
/// writes not yet on disk (which an aggregate cannot merge without counting some twice), one pass over the records,
/// memory growing with the groups, not the records. No record's metadata is read: nothing is decrypted.
/// </summary>
internal sealed class ModelSummaries(StoreCore core)
{
    public async ValueTask<IReadOnlyList<ModelSummary>> ListAsync(CancellationToken cancellationToken)
    {
        core.ThrowIfDisposed();
        long start = Stopwatch.GetTimestamp();
        IReadOnlyList<RecordGroup>? groups = null;
        if (core.Backend is IModelSummaryBackend backend && core.Pending.Count == 0)
        {
            try
            {
                groups = await backend.SummarizeRecordsAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (FormatException ex)
            {
                // A stored timestamp that is not one: the scan skips (and reports) that record, as every query does.
                core.Logger.LogWarning("The {Backend} backend could not summarize the records ({Reason}); reading them instead", core.Backend.Name, ex.Message);
            }
        }
        groups ??= await ScanAsync(cancellationToken).ConfigureAwait(false);
        var summaries = Summarize(groups);
        if (core.Options.AuditAllAccess)
            core.Audit(AuditActions.Query, null, new JsonObject { ["kind"] = "model_summaries", ["results"] = summaries.Count });
        core.Metrics.RecordRead(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        return summaries;
    }

    /// <summary>The models from their groups: groups of one model, version and stage added up, models by name (ordinal).</summary>
    public static IReadOnlyList<ModelSummary> Summarize(IEnumerable<RecordGroup> groups)
    {
        var models = new SortedDictionary<string, List<RecordGroup>>(StringComparer.Ordinal);
        foreach (var g in groups)
        {
            if (!models.TryGetValue(g.ModelName, out var list)) models[g.ModelName] = list = [];
            list.Add(g);
        }
        var result = new List<ModelSummary>(models.Count);
        foreach (var (name, list) in models)
        {
            var versions = list.GroupBy(g => g.ModelVersion, StringComparer.Ordinal)
                .Select(v => (Version: v.Key, First: v.Min(g => g.First)))
                .OrderBy(v => v.First).ThenBy(v => v.Version, StringComparer.Ordinal)
                .Select(v => v.Version);
            var stages = list.GroupBy(g => g.Stage, StringComparer.Ordinal)
                .ToDictionary(s => s.Key, s => new StageSummary(s.Key, s.Sum(g => g.Count), s.Min(g => g.First), s.Max(g => g.Last)), StringComparer.Ordinal);
            var ordered = PipelineStages.Ordered.Where(stages.ContainsKey)
                .Concat(stages.Keys.Where(s => !PipelineStages.Ordered.Contains(s)).Order(StringComparer.Ordinal))
                .Select(s => stages[s]);
            result.Add(new ModelSummary(name, list.Sum(g => g.Count), [.. versions], [.. ordered], list.Min(g => g.First), list.Max(g => g.Last)));
        }
        return result;
    }

    // Without pending writes, a backend that can scan does so in its cheapest order (no sort); otherwise the ordered
    // query, which merges this instance's pending writes.
    private async ValueTask<IReadOnlyList<RecordGroup>> ScanAsync(CancellationToken cancellationToken)
    {
        var groups = new Dictionary<(string, string, string), RecordGroup>();
        void Add(MetadataRecord r)
        {
            var key = (r.ModelName, r.ModelVersion, r.Stage);
            groups[key] = groups.TryGetValue(key, out var g)
                ? g with { Count = g.Count + 1, First = r.Timestamp < g.First ? r.Timestamp : g.First, Last = r.Timestamp > g.Last ? r.Timestamp : g.Last }
                : new RecordGroup(r.ModelName, r.ModelVersion, r.Stage, 1, r.Timestamp, r.Timestamp);
        }
        if (core.Backend is IRecordScanBackend scanner && core.Pending.Count == 0)
        {
            await foreach (var entry in scanner.ScanAsync(null, cancellationToken).ConfigureAwait(false))
            {
                if (entry.Record is { } record) Add(record);
            }
        }
        else
        {
            await foreach (var record in core.QueryStoredAsync(new MetadataQuery { Order = RecordOrder.OldestFirst }, cancellationToken).ConfigureAwait(false))
            {
                Add(record);
            }
        }
        return [.. groups.Values];
    }
}
