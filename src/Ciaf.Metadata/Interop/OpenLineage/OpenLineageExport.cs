using Ciaf.Metadata.Export;
using Ciaf.Metadata.Search;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Transfer;

namespace Ciaf.Metadata.Interop.OpenLineage;

/// <summary>
/// The <c>openlineage</c> export: every record (of a model, or matching a filter) as its <c>START</c> and terminal RunEvents,
/// one JSON object per line, records oldest first (ties by id). The same store state always gives the same bytes: the
/// order is total, run ids come from the records, parents from the records, leaf indexes from the log as it was when the
/// export began. Streamed: memory holds one batch of records plus the jobs of the captures that have nested ones.
/// </summary>
internal sealed class OpenLineageExport(StoreCore core, OpenLineageOptions options)
{
    private const int LookupBatch = 500;

    /// <summary>Writes the events to <paramref name="stream"/>.</summary>
    public async Task WriteAsync(Stream stream, string? modelName, FilterNode? filter, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var builder = new RunEventBuilder(options.Namespace, options.Producer);
        var leaves = await LedgerLeafLookup.OpenAsync(core, cancellationToken).ConfigureAwait(false);
        var captureJobs = await CaptureJobsAsync(modelName, filter, cancellationToken).ConfigureAwait(false);
        var parents = new LineageParents(core);
        var counter = new ProgressCounter(progress);
        await using var writer = new JsonExportWriter(stream, lines: true);
        var batch = new List<MetadataRecord>(LookupBatch);

        async ValueTask WriteBatchAsync()
        {
            var leafIndexes = await leaves.LookupAsync([.. batch.Select(r => r.Id)], cancellationToken).ConfigureAwait(false);
            foreach (var record in batch)
            {
                var parent = await parents.ParentAsync(record, captureJobs.GetValueOrDefault, cancellationToken).ConfigureAwait(false);
                await writer.WriteObjectAsync(builder.Start(record, parent), cancellationToken).ConfigureAwait(false);
                await writer.WriteObjectAsync(builder.Terminal(record, parent, leafIndexes.TryGetValue(record.Id, out long leaf) ? leaf : null),
                    cancellationToken).ConfigureAwait(false);
                counter.Add();
            }
            batch.Clear();
        }

        var query = new MetadataQuery { ModelName = modelName, Order = RecordOrder.OldestFirst };
        await foreach (var record in core.QueryStoredAsync(query, cancellationToken).ConfigureAwait(false))
        {
            if (filter is not null && !FilterEvaluator.Matches(filter, record)) continue;
            batch.Add(record);
            if (batch.Count == LookupBatch) await WriteBatchAsync().ConfigureAwait(false);
        }
        if (batch.Count > 0) await WriteBatchAsync().ConfigureAwait(false);
        await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        counter.Complete();
    }

    /// <summary>
    /// The job of every capture that an exported capture names as its parent: the parents are written after their nested
    /// captures (a scope ends after the scopes it encloses), so they are found first, in two scans.
    /// </summary>
    private async ValueTask<Dictionary<string, string>> CaptureJobsAsync(string? modelName, FilterNode? filter, CancellationToken cancellationToken)
    {
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var entry in core.ScanStoredAsync(modelName, cancellationToken).ConfigureAwait(false))
        {
            if (entry.Record is { } r && (filter is null || FilterEvaluator.Matches(filter, r)) && RunEventBuilder.ParentCaptureId(r) is { } parentId)
                wanted.Add(parentId);
        }
        var jobs = new Dictionary<string, string>(StringComparer.Ordinal);
        if (wanted.Count == 0) return jobs;
        // The parent may belong to another model, or not match the filter: every record is looked at.
        await foreach (var entry in core.ScanStoredAsync(null, cancellationToken).ConfigureAwait(false))
        {
            if (entry.Record is { } r && LineageDatasets.Text(r.Metadata[RunEventBuilder.CaptureIdKey]) is { } id && wanted.Contains(id))
            {
                // Two records claiming one capture id (a copy edited by hand): the same one wins in every scan order.
                string job = RunEventBuilder.JobName(r);
                jobs[id] = jobs.TryGetValue(id, out var other) && string.CompareOrdinal(other, job) < 0 ? other : job;
            }
        }
        return jobs;
    }
}
