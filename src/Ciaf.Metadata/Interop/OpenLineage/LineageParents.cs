using Ciaf.Metadata.Integration;
using Ciaf.Metadata.Storage;

namespace Ciaf.Metadata.Interop.OpenLineage;

/// <summary>
/// The pipeline run a manager step belongs to: the latest <c>model_lifecycle</c>/<c>model_initialized</c> record of the
/// same model and version at or before the step (a <see cref="ModelMetadataManager"/> writes one when it is created).
/// Each model and version's pipeline starts are read once, through the model's indexed stage query, and kept sorted; the
/// live emitter adds the ones it sees being written. Not thread-safe: one emitter loop or one export uses it.
/// </summary>
internal sealed class LineageParents(StoreCore core)
{
    private readonly Dictionary<(string Model, string Version), List<(long Ticks, string Id)>> _starts = [];

    /// <summary>
    /// The parent of <paramref name="record"/>: its enclosing capture for a nested capture (through
    /// <paramref name="captureJob"/>, which names a capture's job from its id), none for other captures and for a pipeline
    /// start, else the pipeline run it belongs to (or none).
    /// </summary>
    public async ValueTask<LineageParent?> ParentAsync(MetadataRecord record, Func<string, string?> captureJob, CancellationToken cancellationToken)
    {
        if (RunEventBuilder.IsCapture(record))
        {
            return RunEventBuilder.ParentCaptureId(record) is { } parentId && captureJob(parentId) is { } job
                ? new LineageParent(RunEventBuilder.RunIdOf(parentId), job)
                : null;
        }
        if (RunEventBuilder.IsPipelineStart(record)) return null;
        var starts = await StartsAsync(record.ModelName, record.ModelVersion, cancellationToken).ConfigureAwait(false);
        long ticks = record.Timestamp.UtcTicks;
        int lo = 0, hi = starts.Count - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (starts[mid].Ticks <= ticks)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return found < 0
            ? null
            : new LineageParent(RunEventBuilder.RunIdOf(starts[found].Id),
                RunEventBuilder.JobName(record.ModelName, PipelineStages.ModelLifecycle, ManagerEvents.ModelInitialized));
    }

    /// <summary>Adds a pipeline start the live emitter saw being written (when that model and version were read already).</summary>
    public void Observe(MetadataRecord record)
    {
        if (!RunEventBuilder.IsPipelineStart(record) || !_starts.TryGetValue((record.ModelName, record.ModelVersion), out var starts)) return;
        if (starts.Exists(s => s.Id == record.Id)) return;
        starts.Add((record.Timestamp.UtcTicks, record.Id));
        starts.Sort(Order);
    }

    private async ValueTask<List<(long Ticks, string Id)>> StartsAsync(string model, string version, CancellationToken cancellationToken)
    {
        if (_starts.TryGetValue((model, version), out var cached)) return cached;
        var starts = new List<(long Ticks, string Id)>();
        var query = new MetadataQuery { ModelName = model, Stage = PipelineStages.ModelLifecycle, Order = RecordOrder.OldestFirst };
        await foreach (var r in core.QueryStoredAsync(query, cancellationToken).ConfigureAwait(false))
        {
            if (RunEventBuilder.IsPipelineStart(r) && r.ModelVersion == version) starts.Add((r.Timestamp.UtcTicks, r.Id));
        }
        starts.Sort(Order);
        _starts[(model, version)] = starts;
        return starts;
    }

    private static int Order((long Ticks, string Id) a, (long Ticks, string Id) b)
    {
        int c = a.Ticks.CompareTo(b.Ticks);
        return c != 0 ? c : string.CompareOrdinal(a.Id, b.Id);
    }
}
