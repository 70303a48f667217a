using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;

namespace Ciaf.Metadata.Queries;

/// <summary>
/// Reads as callers see them: a record by id, a query streamed in its order, a model's pipeline trace, and compliance
/// events — pending writes merged in (through the core), sensitive values decrypted, each read counted and, with
/// <c>audit_all_access</c>, audited. The search language is its own service (<see cref="Search.RecordSearch"/>).
/// </summary>
internal sealed class RecordQueries(StoreCore core, AuditTrail auditTrail)
{
    /// <summary>The record with this id (decrypted), or <c>null</c>.</summary>
    public async ValueTask<MetadataRecord?> GetAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        core.ThrowIfDisposed();
        long start = Stopwatch.GetTimestamp();
        var record = await core.GetStoredAsync(id, cancellationToken).ConfigureAwait(false);
        if (core.Options.AuditAllAccess) core.Audit(AuditActions.Read, id, record is null ? new JsonObject { ["found"] = false } : null);
        if (record is not null) record = core.Decrypt(record);
        core.Metrics.RecordRead(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        return record;
    }

    /// <summary>The matching records in the query's order, decrypted; one <c>query</c> audit entry when the enumeration ends.</summary>
    public async IAsyncEnumerable<MetadataRecord> QueryAsync(MetadataQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        core.ThrowIfDisposed();
        int results = 0;
        try
        {
            await foreach (var record in core.QueryStoredAsync(query, cancellationToken).ConfigureAwait(false))
            {
                results++;
                yield return core.Decrypt(record);
            }
        }
        finally
        {
            if (core.Options.AuditAllAccess) auditTrail.Query(query, results);
        }
    }

    /// <summary><see cref="QueryAsync"/> collected, timed as one read.</summary>
    public async ValueTask<IReadOnlyList<MetadataRecord>> ListAsync(MetadataQuery query, CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        var list = new List<MetadataRecord>();
        await foreach (var r in QueryAsync(query, cancellationToken).ConfigureAwait(false)) list.Add(r);
        core.Metrics.RecordRead(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        return list;
    }

    /// <summary>
    /// Every record of a model grouped by stage: the seed's stages in pipeline order, then any other stage by first
    /// appearance; entries oldest first.
    /// </summary>
    public async ValueTask<PipelineTrace> TraceAsync(string modelName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelName);
        var byStage = new Dictionary<string, List<PipelineTraceEntry>>(StringComparer.Ordinal);
        var firstSeen = new List<string>();
        var query = new MetadataQuery { ModelName = modelName, Order = RecordOrder.OldestFirst };
        await foreach (var r in QueryAsync(query, cancellationToken).ConfigureAwait(false))
        {
            if (!byStage.TryGetValue(r.Stage, out var entries))
            {
                byStage[r.Stage] = entries = [];
                firstSeen.Add(r.Stage);
            }
            entries.Add(new PipelineTraceEntry(r.Id, r.EventType, r.Timestamp, r.Details, r.Metadata));
        }
        var order = PipelineStages.Ordered.Where(byStage.ContainsKey).Concat(firstSeen.Where(s => !PipelineStages.Ordered.Contains(s)));
        return new PipelineTrace(modelName, PythonTimestamp.Now(core.Clock), [.. order.Select(s => new PipelineStageTrace(s, byStage[s]))]);
    }

    /// <summary>Writes a new compliance event (for an existing record, or none) through the ordered write point; returns its id.</summary>
    /// <exception cref="ArgumentException">Empty framework, a score outside [0, 1], or an unknown <paramref name="metadataId"/>.</exception>
    public async ValueTask<string> AddComplianceEventAsync(string? metadataId, string framework, double? complianceScore, string? validationStatus,
        string? details, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(framework);
        if (complianceScore is { } score && (double.IsNaN(score) || score < 0 || score > 1))
            throw new ArgumentOutOfRangeException(nameof(complianceScore), complianceScore, "A compliance score must be in [0, 1].");
        core.ThrowIfDisposed();
        _ = core.Events; // a backend without compliance events says so before anything is queued
        if (metadataId is not null && await core.GetStoredAsync(metadataId, cancellationToken).ConfigureAwait(false) is null)
            throw new ArgumentException($"No metadata record has the id '{metadataId}'.", nameof(metadataId));
        var timestamp = core.NextTimestamp();
        var ev = new ComplianceEvent(Uuid7.NewString(timestamp), metadataId, framework, complianceScore, validationStatus, timestamp, details);
        await core.WriteAsync(WriteBatch.Of([ev]), cancellationToken).ConfigureAwait(false);
        return ev.Id;
    }

    /// <summary>Compliance events matching <paramref name="query"/>, newest first, pending writes included.</summary>
    public async ValueTask<IReadOnlyList<ComplianceEvent>> GetComplianceEventsAsync(ComplianceEventQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        core.ThrowIfDisposed();
        long start = Stopwatch.GetTimestamp();
        var result = core.Pending.Matching(query);
        var seen = result.Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
        await foreach (var ev in core.Events.QueryComplianceEventsAsync(query, cancellationToken).ConfigureAwait(false))
        {
            if (seen.Add(ev.Id)) result.Add(ev);
        }
        result.Sort(ComplianceEventQuery.Compare);
        if (query.Limit is { } limit && result.Count > limit) result.RemoveRange(limit, result.Count - limit);
        if (core.Options.AuditAllAccess) auditTrail.Query(query, result.Count);
        core.Metrics.RecordRead(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        return result;
    }
}
