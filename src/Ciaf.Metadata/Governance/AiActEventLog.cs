using System.Text.Json.Nodes;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Metadata.Governance;

/// <summary>
/// The Article 12 event catalogue of one model version: writes each event the EU AI Act names as an ordinary record
/// (stage <see cref="GovernanceStages.Operation"/>, or <c>model_lifecycle</c> for substantial modifications), so every
/// one is in the ledger and searchable. <see cref="Integration.ModelMetadataManager"/> delegates its
/// <c>LogUse…</c>, <c>LogInputCheck</c>, <c>LogHumanOversight</c>, <c>LogRiskSituation</c> and
/// <c>LogSubstantialModification</c> here; <c>ciaf log …</c> writes through it too. Field layouts: docs/governance.md.
/// </summary>
/// <param name="storage">The store.</param>
/// <param name="modelName">The model.</param>
/// <param name="modelVersion">The version written on every record.</param>
/// <param name="timeProvider">The clock for <c>started_at</c>/<c>ended_at</c> (default: the system clock).</param>
public sealed class AiActEventLog(MetadataStorage storage, string modelName, string modelVersion, TimeProvider? timeProvider = null)
{
    /// <summary>The decisions a person can record about a result (<see cref="LogHumanOversightAsync"/>).</summary>
    public static IReadOnlyList<string> OversightDecisions { get; } = ["confirmed", "overridden", "rejected", "escalated"];

    /// <summary>The severities of a risk situation (<see cref="LogRiskSituationAsync"/>).</summary>
    public static IReadOnlyList<string> RiskSeverities { get; } = ["low", "medium", "high", "critical"];

    private readonly MetadataStorage _storage = storage ?? throw new ArgumentNullException(nameof(storage));
    private readonly TimeProvider _clock = timeProvider ?? TimeProvider.System;

    /// <summary>The model.</summary>
    public string ModelName { get; } = string.IsNullOrWhiteSpace(modelName) ? throw new ArgumentException("The model name must not be empty.", nameof(modelName)) : modelName;

    /// <summary>The version written on every record.</summary>
    public string ModelVersion { get; } = string.IsNullOrWhiteSpace(modelVersion) ? throw new ArgumentException("The model version must not be empty.", nameof(modelVersion)) : modelVersion;

    /// <summary>
    /// Records that a use of the system began: <c>operation/use_started</c> with <c>{started_at, context?}</c>. Returns the
    /// use id (the record's id), to pass to <see cref="LogUseEndedAsync"/> and to the events of the use.
    /// </summary>
    /// <param name="context">What the use is (a batch, a session, a request), as any JSON-serializable object.</param>
    /// <param name="details">A description.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    public ValueTask<string> LogUseStartedAsync(object? context = null, string? details = null, CancellationToken cancellationToken = default)
    {
        var data = new JsonObject { ["started_at"] = PythonTimestamp.Format(PythonTimestamp.Now(_clock)) };
        AddIfPresent(data, "context", GovernanceStore.ToNode(context, nameof(context)));
        return SaveAsync(GovernanceStages.Operation, GovernanceEvents.UseStarted, data, details, cancellationToken);
    }

    /// <summary>
    /// Records that the use <paramref name="useId"/> (from <see cref="LogUseStartedAsync"/>) ended: <c>operation/use_ended</c>
    /// with the whole period, <c>{use_id, started_at, ended_at, duration_seconds, outcome?}</c>. Returns the record id.
    /// </summary>
    /// <param name="useId">The use id: the id of its <c>use_started</c> record.</param>
    /// <param name="outcome">What the use produced (counts, a summary).</param>
    /// <param name="details">A description.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    /// <exception cref="ArgumentException">No <c>use_started</c> record of this model has that id, or the use already ended.</exception>
    public async ValueTask<string> LogUseEndedAsync(string useId, object? outcome = null, string? details = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(useId);
        var start = await _storage.GetMetadataAsync(useId, cancellationToken).ConfigureAwait(false);
        if (start is null || start.Stage != GovernanceStages.Operation || start.EventType != GovernanceEvents.UseStarted || start.ModelName != ModelName)
        {
            throw new ArgumentException($"'{useId}' is not the id of a use_started record of model '{ModelName}'.", nameof(useId));
        }
        string ended = GovernanceStore.ModelClause(ModelName) + " AND " + GovernanceStore.EventClause(GovernanceStages.Operation, GovernanceEvents.UseEnded)
            + $" AND metadata.use_id = {Search.FilterLexer.QuoteString(useId)}";
        if (await GovernanceStore.CountAsync(_storage, ended, cancellationToken).ConfigureAwait(false) > 0)
        {
            throw new ArgumentException($"The use '{useId}' has already ended.", nameof(useId));
        }
        var startedAt = GovernanceStore.Time(start.Metadata, "started_at") ?? start.Timestamp;
        return await LogUseAsync(useId, startedAt, PythonTimestamp.Now(_clock), outcome, details, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Records a whole use at once (a period already over): <c>operation/use_ended</c> with
    /// <c>{use_id, started_at, ended_at, duration_seconds, outcome?}</c>. Returns the record id.
    /// </summary>
    /// <param name="useId">An id for the use (e.g. a capture id or a session id); <c>null</c> for a new one.</param>
    /// <param name="startedAt">When the use began.</param>
    /// <param name="endedAt">When it ended (not before <paramref name="startedAt"/>).</param>
    /// <param name="outcome">What the use produced.</param>
    /// <param name="details">A description.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="endedAt"/> is before <paramref name="startedAt"/>.</exception>
    public ValueTask<string> LogUseAsync(string? useId, DateTimeOffset startedAt, DateTimeOffset endedAt, object? outcome = null, string? details = null,
        CancellationToken cancellationToken = default)
    {
        if (endedAt < startedAt)
        {
            throw new ArgumentOutOfRangeException(nameof(endedAt), endedAt, $"A use cannot end ({PythonTimestamp.Format(endedAt)}) before it starts ({PythonTimestamp.Format(startedAt)}).");
        }
        var data = new JsonObject
        {
            ["use_id"] = string.IsNullOrWhiteSpace(useId) ? Uuid7.NewString() : useId,
            ["started_at"] = PythonTimestamp.Format(PythonTimestamp.Truncate(startedAt)),
            ["ended_at"] = PythonTimestamp.Format(PythonTimestamp.Truncate(endedAt)),
            ["duration_seconds"] = (PythonTimestamp.Truncate(endedAt) - PythonTimestamp.Truncate(startedAt)).TotalSeconds,
        };
        AddIfPresent(data, "outcome", GovernanceStore.ToNode(outcome, nameof(outcome)));
        return SaveAsync(GovernanceStages.Operation, GovernanceEvents.UseEnded, data, details, cancellationToken);
    }

    /// <summary>
    /// Records the reference data an input was checked against and whether the check found a match (Art. 12(3)(b), (c)):
    /// <c>operation/input_checked</c> with <c>{reference_data, matched?, input?, use_id?}</c>. Returns the record id.
    /// </summary>
    /// <param name="referenceData">The reference database or data set (a name with its version, a hash).</param>
    /// <param name="matched">Whether the input matched; <c>null</c> when the check has no notion of a match.</param>
    /// <param name="input">A reference to the input (an id or hash: personal data belongs in sensitive fields, see docs/security.md).</param>
    /// <param name="useId">The use the check belongs to.</param>
    /// <param name="details">A description.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    public ValueTask<string> LogInputCheckAsync(string referenceData, bool? matched = null, object? input = null, string? useId = null, string? details = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(referenceData);
        var data = new JsonObject { ["reference_data"] = referenceData };
        if (matched is bool m) data["matched"] = m;
        AddIfPresent(data, "input", GovernanceStore.ToNode(input, nameof(input)));
        AddIfPresent(data, "use_id", useId);
        return SaveAsync(GovernanceStages.Operation, GovernanceEvents.InputChecked, data, details, cancellationToken);
    }

    /// <summary>
    /// Records that a person verified a result of the system (Art. 12(3)(d), 14): <c>operation/human_oversight</c> with
    /// <c>{verified_by, decision, override, use_id?, system_output?, final_output?, reason?}</c>; <c>override</c> is true
    /// when the person overrode the system's output. Returns the record id.
    /// </summary>
    /// <param name="verifiedBy">Who verified (a name or an identifier of the natural person).</param>
    /// <param name="decision">One of <see cref="OversightDecisions"/>: confirmed, overridden, rejected, escalated.</param>
    /// <param name="useId">The use the result belongs to.</param>
    /// <param name="systemOutput">What the system produced.</param>
    /// <param name="finalOutput">What stands after the person's decision.</param>
    /// <param name="reason">Why.</param>
    /// <param name="details">A description.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    /// <exception cref="ArgumentException">An empty <paramref name="verifiedBy"/>, or an unknown decision.</exception>
    public ValueTask<string> LogHumanOversightAsync(string verifiedBy, string decision, string? useId = null, object? systemOutput = null,
        object? finalOutput = null, string? reason = null, string? details = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(verifiedBy);
        string d = OneOf(decision, OversightDecisions, nameof(decision));
        var data = new JsonObject { ["verified_by"] = verifiedBy, ["decision"] = d, ["override"] = d == "overridden" };
        AddIfPresent(data, "use_id", useId);
        AddIfPresent(data, "system_output", GovernanceStore.ToNode(systemOutput, nameof(systemOutput)));
        AddIfPresent(data, "final_output", GovernanceStore.ToNode(finalOutput, nameof(finalOutput)));
        AddIfPresent(data, "reason", reason);
        return SaveAsync(GovernanceStages.Operation, GovernanceEvents.HumanOversight, data, details, cancellationToken);
    }

    /// <summary>
    /// Records a situation that may result in the system presenting a risk within Art. 79(1) (Art. 12(2)(a)):
    /// <c>operation/risk_situation</c> with <c>{severity, description, article, use_id?, context?}</c>. Returns the record id.
    /// </summary>
    /// <param name="severity">One of <see cref="RiskSeverities"/>: low, medium, high, critical.</param>
    /// <param name="description">What happened.</param>
    /// <param name="useId">The use it arose in.</param>
    /// <param name="context">Anything else worth keeping (measurements, the inputs' ids).</param>
    /// <param name="details">A description.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    public ValueTask<string> LogRiskSituationAsync(string severity, string description, string? useId = null, object? context = null, string? details = null,
        CancellationToken cancellationToken = default)
    {
        string s = OneOf(severity, RiskSeverities, nameof(severity));
        ArgumentException.ThrowIfNullOrWhiteSpace(description);
        var data = new JsonObject { ["severity"] = s, ["description"] = description, ["article"] = "Art. 79(1)" };
        AddIfPresent(data, "use_id", useId);
        AddIfPresent(data, "context", GovernanceStore.ToNode(context, nameof(context)));
        return SaveAsync(GovernanceStages.Operation, GovernanceEvents.RiskSituation, data, details, cancellationToken);
    }

    /// <summary>
    /// Records a substantial modification of the system (Art. 3(23)) and what triggered it: <c>model_lifecycle/
    /// substantial_modification</c> with <c>{trigger, description, new_version, previous_version?, changes?}</c>, under this
    /// log's version (the new one). Returns the record id.
    /// </summary>
    /// <param name="trigger">What caused it (drift found by monitoring, a retraining, a change of intended purpose).</param>
    /// <param name="description">What changed.</param>
    /// <param name="previousVersion">The version it replaces.</param>
    /// <param name="changes">The changes in detail.</param>
    /// <param name="details">A description.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    public ValueTask<string> LogSubstantialModificationAsync(string trigger, string description, string? previousVersion = null, object? changes = null,
        string? details = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(trigger);
        ArgumentException.ThrowIfNullOrWhiteSpace(description);
        var data = new JsonObject { ["trigger"] = trigger, ["description"] = description, ["new_version"] = ModelVersion };
        AddIfPresent(data, "previous_version", previousVersion);
        AddIfPresent(data, "changes", GovernanceStore.ToNode(changes, nameof(changes)));
        return SaveAsync(PipelineStages.ModelLifecycle, GovernanceEvents.SubstantialModification, data, details, cancellationToken);
    }

    /// <summary>
    /// Records facts only the provider can state, for the Annex IV pack and the model card: <c>documentation/facts_declared</c>
    /// with one key per fact (<see cref="DeclaredFacts.All"/>). The newest declaration of each fact wins. Returns the record id.
    /// </summary>
    /// <param name="facts">One key per fact: <c>new { intended_purpose = "…", provider = "…" }</c>.</param>
    /// <param name="details">A description (default: the facts' names).</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    /// <exception cref="ArgumentException">An unknown fact or a value of the wrong shape; every problem is listed.</exception>
    public ValueTask<string> LogDeclaredFactsAsync(object facts, string? details = null, CancellationToken cancellationToken = default)
    {
        var data = DeclaredFacts.Checked(facts, nameof(facts));
        return SaveAsync(GovernanceStages.Documentation, GovernanceEvents.FactsDeclared, data, details ?? $"Declared: {string.Join(", ", data.Select(f => f.Key))}", cancellationToken);
    }

    private ValueTask<string> SaveAsync(string stage, string eventType, JsonObject data, string? details, CancellationToken cancellationToken) =>
        _storage.SaveMetadataAsync(ModelName, stage, eventType, data, ModelVersion, details, cancellationToken);

    private static void AddIfPresent(JsonObject data, string key, JsonNode? value)
    {
        if (value is not null) data[key] = value;
    }

    private static void AddIfPresent(JsonObject data, string key, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value)) data[key] = value;
    }

    private static string OneOf(string value, IReadOnlyList<string> allowed, string paramName)
    {
        string v = (value ?? "").Trim().ToLowerInvariant();
        return allowed.Contains(v) ? v : throw new ArgumentException($"'{value}' is not a valid {paramName}; allowed: {string.Join(", ", allowed)}.", paramName);
    }
}
