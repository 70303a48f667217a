using System.Text.Json.Nodes;

namespace Ciaf.Metadata.Governance;

/// <summary>
/// What the store holds about one model version, read once for a document (Annex IV pack, model card, EU AI Act
/// evidence): the declared facts, the lifecycle, the newest records of each pipeline stage and Art. 12 event (at most
/// <see cref="MaxPerSource"/> each, with the total), the monitoring plan and checks, the incidents. Every list is in
/// time order, ties by id, so documents built from it are deterministic.
/// </summary>
internal sealed class ModelEvidence
{
    /// <summary>The most records kept (and cited) per source; the rest are counted.</summary>
    public const int MaxPerSource = 20;

    private ModelEvidence(string modelName, string version) => (ModelName, Version) = (modelName, version);

    public string ModelName { get; }

    public string Version { get; }

    /// <summary>Each declared fact's newest value and the record that declared it (this version's declarations first).</summary>
    public IReadOnlyDictionary<string, (JsonNode Value, MetadataRecord Record)> Facts { get; private set; } = new Dictionary<string, (JsonNode, MetadataRecord)>();

    public RecordSource Initialized { get; private set; } = RecordSource.Empty;
    public RecordSource Modifications { get; private set; } = RecordSource.Empty;
    public RecordSource Ingestion { get; private set; } = RecordSource.Empty;
    public RecordSource Preprocessing { get; private set; } = RecordSource.Empty;
    public RecordSource Training { get; private set; } = RecordSource.Empty;
    public RecordSource Validation { get; private set; } = RecordSource.Empty;
    public RecordSource Deployment { get; private set; } = RecordSource.Empty;
    public RecordSource Monitoring { get; private set; } = RecordSource.Empty;
    public RecordSource Uses { get; private set; } = RecordSource.Empty;
    public RecordSource InputChecks { get; private set; } = RecordSource.Empty;
    public RecordSource Oversight { get; private set; } = RecordSource.Empty;
    public RecordSource Risks { get; private set; } = RecordSource.Empty;
    public RecordSource Plans { get; private set; } = RecordSource.Empty;
    public RecordSource Checks { get; private set; } = RecordSource.Empty;
    public IReadOnlyList<Incident> Incidents { get; private set; } = [];

    /// <summary>The plan in force (the newest plan record), or null.</summary>
    public MetadataRecord? Plan => Plans.Records.Count == 0 ? null : Plans.Records[^1];

    /// <summary>The newest <c>training_started</c> record, or null.</summary>
    public MetadataRecord? TrainingStart => Training.Records.LastOrDefault(r => r.EventType == Integration.ManagerEvents.TrainingStarted);

    /// <summary>The newest validation record, or null.</summary>
    public MetadataRecord? LatestValidation => Validation.Records.Count == 0 ? null : Validation.Records[^1];

    /// <summary>A declared fact, or null.</summary>
    public (JsonNode Value, MetadataRecord Record)? Fact(string name) => Facts.TryGetValue(name, out var f) ? f : null;

    /// <summary>
    /// Reads the evidence of <paramref name="modelName"/> at <paramref name="version"/> (default: the version of its newest record).
    /// </summary>
    /// <exception cref="ArgumentException">The store holds no record of the model, or none of that version.</exception>
    public static async Task<ModelEvidence> LoadAsync(MetadataStorage storage, string modelName, string? version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelName);
        string latest = await GovernanceStore.LatestVersionAsync(storage, modelName, cancellationToken).ConfigureAwait(false)
            ?? throw new ArgumentException($"The store holds no record of model '{modelName}'.", nameof(modelName));
        string v = string.IsNullOrWhiteSpace(version) ? latest : version;
        string model = GovernanceStore.ModelClause(modelName);
        string modelAtVersion = GovernanceStore.ModelClause(modelName, v);
        if (await GovernanceStore.CountAsync(storage, modelAtVersion, cancellationToken).ConfigureAwait(false) == 0)
        {
            throw new ArgumentException($"The store holds no record of model '{modelName}' at version '{v}'.", nameof(version));
        }
        var e = new ModelEvidence(modelName, v);
        async Task<RecordSource> Read(string filter) => await RecordSource.ReadAsync(storage, filter, cancellationToken).ConfigureAwait(false);
        string Stage(string stage) => $"stage = {Search.FilterLexer.QuoteString(stage)}";

        e.Initialized = await Read($"{model} AND " + GovernanceStore.EventClause(PipelineStages.ModelLifecycle, Integration.ManagerEvents.ModelInitialized)).ConfigureAwait(false);
        e.Modifications = await Read($"{model} AND " + GovernanceStore.EventClause(PipelineStages.ModelLifecycle, GovernanceEvents.SubstantialModification)).ConfigureAwait(false);
        e.Ingestion = await Read($"{modelAtVersion} AND {Stage(PipelineStages.DataIngestion)}").ConfigureAwait(false);
        e.Preprocessing = await Read($"{modelAtVersion} AND {Stage(PipelineStages.DataPreprocessing)}").ConfigureAwait(false);
        e.Training = await Read($"{modelAtVersion} AND {Stage(PipelineStages.Training)}").ConfigureAwait(false);
        e.Validation = await Read($"{modelAtVersion} AND {Stage(PipelineStages.Validation)}").ConfigureAwait(false);
        e.Deployment = await Read($"{modelAtVersion} AND {Stage(PipelineStages.Deployment)}").ConfigureAwait(false);
        e.Monitoring = await Read($"{modelAtVersion} AND {Stage(PipelineStages.Monitoring)}").ConfigureAwait(false);
        e.Uses = await Read($"{modelAtVersion} AND " + GovernanceStore.EventClause(GovernanceStages.Operation, GovernanceEvents.UseEnded)).ConfigureAwait(false);
        e.InputChecks = await Read($"{modelAtVersion} AND " + GovernanceStore.EventClause(GovernanceStages.Operation, GovernanceEvents.InputChecked)).ConfigureAwait(false);
        e.Oversight = await Read($"{modelAtVersion} AND " + GovernanceStore.EventClause(GovernanceStages.Operation, GovernanceEvents.HumanOversight)).ConfigureAwait(false);
        e.Risks = await Read($"{modelAtVersion} AND " + GovernanceStore.EventClause(GovernanceStages.Operation, GovernanceEvents.RiskSituation)).ConfigureAwait(false);
        e.Plans = await Read($"{model} AND " + GovernanceStore.EventClause(GovernanceStages.PostMarket, GovernanceEvents.MonitoringPlan)).ConfigureAwait(false);
        e.Checks = await Read($"{model} AND " + GovernanceStore.EventClause(GovernanceStages.PostMarket, GovernanceEvents.MonitoringCheck)).ConfigureAwait(false);
        e.Incidents = await new IncidentRegister(storage).ListAsync(modelName, cancellationToken).ConfigureAwait(false);

        var declarations = await GovernanceStore.ListAsync(storage, $"{model} AND " + GovernanceStore.EventClause(GovernanceStages.Documentation, GovernanceEvents.FactsDeclared),
            newestFirst: true, cancellationToken).ConfigureAwait(false);
        var facts = new Dictionary<string, (JsonNode, MetadataRecord)>(StringComparer.Ordinal);
        foreach (var record in declarations.Where(r => r.ModelVersion == v).Concat(declarations.Where(r => r.ModelVersion != v)))
        {
            foreach (var (name, value) in record.Metadata)
            {
                if (value is not null && DeclaredFacts.Find(name) is not null) facts.TryAdd(name, (value, record));
            }
        }
        e.Facts = facts;
        return e;
    }
}

/// <summary>The newest records of one source (at most <see cref="ModelEvidence.MaxPerSource"/>), oldest first, and how many there are.</summary>
/// <param name="Records">The records kept, in time order.</param>
/// <param name="Total">How many records match.</param>
internal sealed record RecordSource(IReadOnlyList<MetadataRecord> Records, long Total)
{
    public static readonly RecordSource Empty = new([], 0);

    /// <summary>How many matching records are not kept.</summary>
    public long More => Total - Records.Count;

    public static async Task<RecordSource> ReadAsync(MetadataStorage storage, string filter, CancellationToken cancellationToken)
    {
        long total = await GovernanceStore.CountAsync(storage, filter, cancellationToken).ConfigureAwait(false);
        if (total == 0) return Empty;
        var newest = await GovernanceStore.ListAsync(storage, filter, newestFirst: true, cancellationToken, ModelEvidence.MaxPerSource).ConfigureAwait(false);
        newest.Reverse();
        return new RecordSource(newest, total);
    }
}
