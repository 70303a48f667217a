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
    public ValueTask<MetadataRecord?> GetMetadataAsync(string id, CancellationToken cancellationToken = default) => _queries.GetAsync(id, cancellationToken);

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
        return _queries.ListAsync(new MetadataQuery { ModelName = modelName, Stage = stage, Limit = limit }, cancellationToken);
    }

    /// <summary>Records matching any combination of model, stage and time range, in the query's order.</summary>
    public IReadOnlyList<MetadataRecord> QueryMetadata(MetadataQuery query) => SyncOverAsync.Run(_queries.ListAsync(query, default));

    /// <summary>
    /// Streams the records matching <paramref name="query"/>, in its order, including this instance's pending
    /// writes, sensitive values decrypted when a key is configured. With <see cref="AuditAllAccess"/>, one
    /// <c>query</c> audit entry is written when the enumeration ends, with the number of records returned.
    /// </summary>
    public IAsyncEnumerable<MetadataRecord> QueryMetadataAsync(MetadataQuery query, CancellationToken cancellationToken = default) =>
        _queries.QueryAsync(query, cancellationToken);

    /// <summary>
    /// Every model in the store at a glance: its record count, versions, stages with their counts, first and last
    /// activity; models by name. SQLite and PostgreSQL answer with one aggregate query (no record is read); other
    /// backends, and an instance with buffered writes not yet on disk (which are counted), read the records once. With
    /// <see cref="AuditAllAccess"/>, one <c>query</c> audit entry (<c>kind</c> <c>model_summaries</c>).
    /// </summary>
    public IReadOnlyList<ModelSummary> GetModelSummaries() => SyncOverAsync.Run(GetModelSummariesAsync());

    /// <inheritdoc cref="GetModelSummaries"/>
    public ValueTask<IReadOnlyList<ModelSummary>> GetModelSummariesAsync(CancellationToken cancellationToken = default) =>
        _modelSummaries.ListAsync(cancellationToken);

    /// <summary>
    /// Every record of a model (no cap), grouped by stage: the seed's eight stages in pipeline order,
    /// then <c>model_lifecycle</c>, then any other stage by first appearance. Entries oldest first.
    /// </summary>
    public PipelineTrace GetPipelineTrace(string modelName) => SyncOverAsync.Run(GetPipelineTraceAsync(modelName));

    /// <inheritdoc cref="GetPipelineTrace"/>
    public ValueTask<PipelineTrace> GetPipelineTraceAsync(string modelName, CancellationToken cancellationToken = default) =>
        _queries.TraceAsync(modelName, cancellationToken);

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
    public ValueTask<string> AddComplianceEventAsync(string? metadataId, string framework, double? complianceScore, string? validationStatus,
        string? details = null, CancellationToken cancellationToken = default) =>
        _queries.AddComplianceEventAsync(metadataId, framework, complianceScore, validationStatus, details, cancellationToken);

    /// <summary>Compliance events, newest first, optionally of one framework and since a time.</summary>
    public IReadOnlyList<ComplianceEvent> GetComplianceEvents(string? framework = null, DateTimeOffset? since = null) =>
        SyncOverAsync.Run(GetComplianceEventsAsync(new ComplianceEventQuery { Framework = framework, Since = since }));

    /// <summary>Compliance events matching <paramref name="query"/>, newest first, including this instance's pending writes.</summary>
    public ValueTask<IReadOnlyList<ComplianceEvent>> GetComplianceEventsAsync(ComplianceEventQuery query, CancellationToken cancellationToken = default) =>
        _queries.GetComplianceEventsAsync(query, cancellationToken);
}
