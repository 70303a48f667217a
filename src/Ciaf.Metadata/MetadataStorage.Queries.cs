using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;

namespace Ciaf.Metadata;

public sealed partial class MetadataStorage
{
    /// <summary>The reference's default limit for <see cref="GetModelMetadata"/>.</summary>
    public const int DefaultQueryLimit = 100;

    /// <summary>
    /// The record with this id, or <c>null</c>. Opens one file or row; never scans the store. Sensitive
    /// values are decrypted when a key is configured (else returned as their encrypted markers).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="id"/> is empty.</exception>
    /// <exception cref="Encryption.MetadataEncryptionException">A value was encrypted with another key, or altered.</exception>
    public MetadataRecord? GetMetadata(string id) => SyncOverAsync.Run(GetMetadataAsync(id));

    /// <inheritdoc cref="GetMetadata"/>
    public async ValueTask<MetadataRecord?> GetMetadataAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ThrowIfDisposed();
        long start = Stopwatch.GetTimestamp();
        var record = await _core.GetStoredAsync(id, cancellationToken).ConfigureAwait(false);
        if (_core.Options.AuditAllAccess) _core.Audit(AuditActions.Read, id, record is null ? new JsonObject { ["found"] = false } : null);
        if (record is not null) record = _core.Decrypt(record);
        _core.Metrics.RecordRead(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        return record;
    }

    /// <summary>
    /// A model's records, newest first, optionally of one stage (exact match), at most
    /// <paramref name="limit"/> of them (<c>null</c> for all).
    /// </summary>
    public IReadOnlyList<MetadataRecord> GetModelMetadata(string modelName, string? stage = null, int? limit = DefaultQueryLimit) =>
        SyncOverAsync.Run(GetModelMetadataAsync(modelName, stage, limit));

    /// <inheritdoc cref="GetModelMetadata"/>
    public ValueTask<IReadOnlyList<MetadataRecord>> GetModelMetadataAsync(string modelName, string? stage = null, int? limit = DefaultQueryLimit,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelName);
        if (limit is < 0) throw new ArgumentOutOfRangeException(nameof(limit), limit, "The limit must not be negative.");
        return QueryListAsync(new MetadataQuery { ModelName = modelName, Stage = stage, Limit = limit }, cancellationToken);
    }

    /// <summary>Records matching any combination of model, stage and time range, in the query's order.</summary>
    public IReadOnlyList<MetadataRecord> QueryMetadata(MetadataQuery query) => SyncOverAsync.Run(QueryListAsync(query, default));

    /// <summary>
    /// Streams the records matching <paramref name="query"/>, in its order, including this instance's pending
    /// writes, sensitive values decrypted when a key is configured. With <see cref="AuditAllAccess"/>, one
    /// <c>query</c> audit entry is written when the enumeration ends, with the number of records returned.
    /// </summary>
    public async IAsyncEnumerable<MetadataRecord> QueryMetadataAsync(MetadataQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ThrowIfDisposed();
        int results = 0;
        try
        {
            await foreach (var record in _core.QueryStoredAsync(query, cancellationToken).ConfigureAwait(false))
            {
                results++;
                yield return _core.Decrypt(record);
            }
        }
        finally
        {
            if (_core.Options.AuditAllAccess) _auditTrail.Query(query, results);
        }
    }

    /// <summary>
    /// Every record of a model (no cap), grouped by stage: the seed's eight stages in pipeline order,
    /// then <c>model_lifecycle</c>, then any other stage by first appearance. Entries oldest first.
    /// </summary>
    public PipelineTrace GetPipelineTrace(string modelName) => SyncOverAsync.Run(GetPipelineTraceAsync(modelName));

    /// <inheritdoc cref="GetPipelineTrace"/>
    public async ValueTask<PipelineTrace> GetPipelineTraceAsync(string modelName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelName);
        var byStage = new Dictionary<string, List<PipelineTraceEntry>>(StringComparer.Ordinal);
        var firstSeen = new List<string>();
        await foreach (var r in QueryMetadataAsync(new MetadataQuery { ModelName = modelName, Order = RecordOrder.OldestFirst }, cancellationToken).ConfigureAwait(false))
        {
            if (!byStage.TryGetValue(r.Stage, out var entries))
            {
                byStage[r.Stage] = entries = [];
                firstSeen.Add(r.Stage);
            }
            entries.Add(new PipelineTraceEntry(r.Id, r.EventType, r.Timestamp, r.Details, r.Metadata));
        }
        var order = PipelineStages.Ordered.Where(byStage.ContainsKey).Concat(firstSeen.Where(s => !PipelineStages.Ordered.Contains(s)));
        return new PipelineTrace(modelName, PythonTimestamp.Now(_core.Clock),
            [.. order.Select(s => new PipelineStageTrace(s, byStage[s]))]);
    }

    /// <summary>
    /// Records a compliance event for a metadata record and returns its id.
    /// </summary>
    /// <param name="metadataId">The record assessed (must exist), or <c>null</c>.</param>
    /// <param name="framework">The framework, e.g. <c>GDPR</c>.</param>
    /// <param name="complianceScore">The score in [0, 1], or <c>null</c>.</param>
    /// <param name="validationStatus">e.g. <c>passed</c> or <c>failed</c>.</param>
    /// <param name="details">A description.</param>
    /// <exception cref="ArgumentException">Empty framework, a score outside [0, 1], or an unknown <paramref name="metadataId"/>.</exception>
    public string AddComplianceEvent(string? metadataId, string framework, double? complianceScore, string? validationStatus, string? details = null) =>
        SyncOverAsync.Run(AddComplianceEventAsync(metadataId, framework, complianceScore, validationStatus, details));

    /// <inheritdoc cref="AddComplianceEvent"/>
    public async ValueTask<string> AddComplianceEventAsync(string? metadataId, string framework, double? complianceScore, string? validationStatus,
        string? details = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(framework);
        if (complianceScore is { } score && (double.IsNaN(score) || score < 0 || score > 1))
            throw new ArgumentOutOfRangeException(nameof(complianceScore), complianceScore, "A compliance score must be in [0, 1].");
        ThrowIfDisposed();
        _ = _core.Events; // a backend without compliance events says so before anything is queued
        if (metadataId is not null && await _core.GetStoredAsync(metadataId, cancellationToken).ConfigureAwait(false) is null)
            throw new ArgumentException($"No metadata record has the id '{metadataId}'.", nameof(metadataId));
        var timestamp = _core.NextTimestamp();
        var ev = new ComplianceEvent(Guid.CreateVersion7(timestamp).ToString(), metadataId, framework, complianceScore, validationStatus, timestamp, details);
        await _core.WriteAsync(WriteBatch.Of([ev]), cancellationToken).ConfigureAwait(false);
        return ev.Id;
    }

    /// <summary>Compliance events, newest first, optionally of one framework and since a time.</summary>
    public IReadOnlyList<ComplianceEvent> GetComplianceEvents(string? framework = null, DateTimeOffset? since = null) =>
        SyncOverAsync.Run(GetComplianceEventsAsync(new ComplianceEventQuery { Framework = framework, Since = since }));

    /// <summary>Compliance events matching <paramref name="query"/>, newest first, including this instance's pending writes.</summary>
    public async ValueTask<IReadOnlyList<ComplianceEvent>> GetComplianceEventsAsync(ComplianceEventQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ThrowIfDisposed();
        long start = Stopwatch.GetTimestamp();
        var result = _core.Pending.Matching(query);
        var seen = result.Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
        await foreach (var ev in _core.Events.QueryComplianceEventsAsync(query, cancellationToken).ConfigureAwait(false))
        {
            if (seen.Add(ev.Id)) result.Add(ev);
        }
        result.Sort(ComplianceEventQuery.Compare);
        if (query.Limit is { } limit && result.Count > limit) result.RemoveRange(limit, result.Count - limit);
        if (_core.Options.AuditAllAccess) _auditTrail.Query(query, result.Count);
        _core.Metrics.RecordRead(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        return result;
    }

    private async ValueTask<IReadOnlyList<MetadataRecord>> QueryListAsync(MetadataQuery query, CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        var list = new List<MetadataRecord>();
        await foreach (var r in QueryMetadataAsync(query, cancellationToken).ConfigureAwait(false)) list.Add(r);
        _core.Metrics.RecordRead(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        return list;
    }
}
