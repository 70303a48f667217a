using Ciaf.Metadata;
using Ciaf.Metadata.Compliance;
using Ciaf.Metadata.Storage;
using Ciaf.Server.Dashboard.Views;

namespace Ciaf.Server.Dashboard;

/// <summary>
/// The models overview from the store: one streamed pass over the records (memory grows with the models, not the
/// records), then each assessed model's stored compliance report (<see cref="StoredComplianceReport"/>) for its latest
/// status per framework.
/// </summary>
internal static class ModelOverviewBuilder
{
    /// <summary>The pass mark, as <c>ciaf compliance report</c>'s default.</summary>
    public const double Threshold = 0.8;

    public static async Task<ModelsView> BuildAsync(MetadataStorage storage, CancellationToken cancellationToken)
    {
        var models = new SortedDictionary<string, Tally>(StringComparer.Ordinal);
        await foreach (var r in storage.QueryMetadataAsync(new MetadataQuery { Order = RecordOrder.OldestFirst }, cancellationToken).ConfigureAwait(false))
        {
            if (!models.TryGetValue(r.ModelName, out var tally)) models[r.ModelName] = tally = new Tally(r.Timestamp);
            tally.Add(r);
        }
        var overviews = new List<ModelOverview>(models.Count);
        foreach (var (name, tally) in models)
        {
            IReadOnlyList<FrameworkStatus> compliance = [];
            if (tally.Stages.ContainsKey(PipelineStages.Compliance)
                && await StoredComplianceReport.BuildAsync(storage, name, Threshold, cancellationToken).ConfigureAwait(false) is { } report)
            {
                compliance = [.. report.Frameworks.Select(f => f.History[^1]).Select(a => new FrameworkStatus(a.Framework, a.Score, a.Passed, a.AssessedAt, a.MetadataId))];
            }
            overviews.Add(new ModelOverview(name, tally.Count, tally.Versions, StagesInOrder(tally.Stages), tally.First, tally.Last, compliance));
        }
        return new ModelsView(overviews, Threshold);
    }

    /// <summary>The stages in pipeline order (<see cref="PipelineStages.Ordered"/>), then any others by name.</summary>
    public static IReadOnlyList<StageCount> StagesInOrder(IReadOnlyDictionary<string, long> stages) =>
        [.. PipelineStages.Ordered.Where(stages.ContainsKey)
            .Concat(stages.Keys.Where(s => !PipelineStages.Ordered.Contains(s)).Order(StringComparer.Ordinal))
            .Select(s => new StageCount(s, stages[s]))];

    private sealed class Tally(DateTimeOffset first)
    {
        public DateTimeOffset First { get; } = first;
        public DateTimeOffset Last { get; private set; } = first;
        public long Count { get; private set; }
        public List<string> Versions { get; } = [];
        public Dictionary<string, long> Stages { get; } = new(StringComparer.Ordinal);

        public void Add(MetadataRecord record)
        {
            Count++;
            if (record.Timestamp > Last) Last = record.Timestamp;
            if (!Versions.Contains(record.ModelVersion, StringComparer.Ordinal)) Versions.Add(record.ModelVersion);
            Stages[record.Stage] = Stages.GetValueOrDefault(record.Stage) + 1;
        }
    }
}
