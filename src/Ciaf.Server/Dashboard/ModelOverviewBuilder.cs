using Ciaf.Metadata;
using Ciaf.Metadata.Compliance;
using Ciaf.Metadata.Storage;
using Ciaf.Server.Dashboard.Views;

namespace Ciaf.Server.Dashboard;

/// <summary>
/// The models overview from the store: its model summaries (<see cref="MetadataStorage.GetModelSummariesAsync"/>, one
/// aggregate query on SQLite and PostgreSQL), then each assessed model's stored compliance report
/// (<see cref="StoredComplianceReport"/>) for its latest status per framework.
/// </summary>
internal static class ModelOverviewBuilder
{
    /// <summary>The pass mark, as <c>ciaf compliance report</c>'s default.</summary>
    public const double Threshold = 0.8;

    public static async Task<ModelsView> BuildAsync(MetadataStorage storage, CancellationToken cancellationToken)
    {
        var models = await storage.GetModelSummariesAsync(cancellationToken).ConfigureAwait(false);
        var overviews = new List<ModelOverview>(models.Count);
        foreach (var model in models)
        {
            IReadOnlyList<FrameworkStatus> compliance = [];
            if (model.Stages.Any(s => s.Stage == PipelineStages.Compliance)
                && await StoredComplianceReport.BuildAsync(storage, model.ModelName, Threshold, cancellationToken).ConfigureAwait(false) is { } report)
            {
                compliance = [.. report.Frameworks.Select(f => f.History[^1]).Select(a => new FrameworkStatus(a.Framework, a.Score, a.Passed, a.AssessedAt, a.MetadataId))];
            }
            overviews.Add(new ModelOverview(model.ModelName, model.RecordCount, model.Versions,
                [.. model.Stages.Select(s => new StageCount(s.Stage, s.RecordCount))], model.FirstActivity, model.LastActivity, compliance));
        }
        return new ModelsView(overviews, Threshold);
    }

    /// <summary>The stages in pipeline order (<see cref="PipelineStages.Ordered"/>), then any others by name.</summary>
    public static IReadOnlyList<StageCount> StagesInOrder(IReadOnlyDictionary<string, long> stages) =>
        [.. PipelineStages.Ordered.Where(stages.ContainsKey)
            .Concat(stages.Keys.Where(s => !PipelineStages.Ordered.Contains(s)).Order(StringComparer.Ordinal))
            .Select(s => new StageCount(s, stages[s]))];
}
