using Ciaf.Metadata.Governance;
using Ciaf.Metadata.Storage;

namespace Ciaf.Metadata.Integration;

// The EU AI Act's Article 12 event catalogue and the declared facts of the technical documentation: short delegations
// to AiActEventLog (docs/governance.md lists each record's stage, event type and fields).
public sealed partial class ModelMetadataManager
{
    private AiActEventLog? _events;

    private AiActEventLog Events => _events ??= new AiActEventLog(Storage, ModelName, ModelVersion);

    /// <summary>Logs <c>operation/use_started</c> (Art. 12(3)(a)) and returns the use id (the record's id), for <see cref="LogUseEnded"/>.</summary>
    /// <param name="context">What the use is (a batch, a session).</param>
    /// <param name="details">A description.</param>
    public string LogUseStarted(object? context = null, string? details = null) => SyncOverAsync.Run(LogUseStartedAsync(context, details));

    /// <inheritdoc cref="AiActEventLog.LogUseStartedAsync"/>
    public ValueTask<string> LogUseStartedAsync(object? context = null, string? details = null, CancellationToken cancellationToken = default) =>
        Events.LogUseStartedAsync(context, details, cancellationToken);

    /// <summary>Logs <c>operation/use_ended</c> for a use begun with <see cref="LogUseStarted"/>, with its whole period. Returns the record id.</summary>
    /// <param name="useId">The use id.</param>
    /// <param name="outcome">What the use produced.</param>
    /// <param name="details">A description.</param>
    /// <exception cref="ArgumentException">No such use of this model, or it already ended.</exception>
    public string LogUseEnded(string useId, object? outcome = null, string? details = null) => SyncOverAsync.Run(LogUseEndedAsync(useId, outcome, details));

    /// <inheritdoc cref="AiActEventLog.LogUseEndedAsync"/>
    public ValueTask<string> LogUseEndedAsync(string useId, object? outcome = null, string? details = null, CancellationToken cancellationToken = default) =>
        Events.LogUseEndedAsync(useId, outcome, details, cancellationToken);

    /// <summary>Logs a whole use at once (<c>operation/use_ended</c> with its start and end). Returns the record id.</summary>
    /// <param name="startedAt">When the use began.</param>
    /// <param name="endedAt">When it ended.</param>
    /// <param name="outcome">What it produced.</param>
    /// <param name="useId">An id for the use; null for a new one.</param>
    /// <param name="details">A description.</param>
    public string LogUse(DateTimeOffset startedAt, DateTimeOffset endedAt, object? outcome = null, string? useId = null, string? details = null) =>
        SyncOverAsync.Run(LogUseAsync(startedAt, endedAt, outcome, useId, details));

    /// <inheritdoc cref="LogUse"/>
    /// <param name="startedAt">When the use began.</param>
    /// <param name="endedAt">When it ended.</param>
    /// <param name="outcome">What it produced.</param>
    /// <param name="useId">An id for the use; null for a new one.</param>
    /// <param name="details">A description.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    public ValueTask<string> LogUseAsync(DateTimeOffset startedAt, DateTimeOffset endedAt, object? outcome = null, string? useId = null, string? details = null,
        CancellationToken cancellationToken = default) =>
        Events.LogUseAsync(useId, startedAt, endedAt, outcome, details, cancellationToken);

    /// <summary>Logs <c>operation/input_checked</c>: the reference data an input was checked against, and whether it matched (Art. 12(3)(b), (c)).</summary>
    /// <param name="referenceData">The reference database or data set.</param>
    /// <param name="matched">Whether the input matched.</param>
    /// <param name="input">A reference to the input (an id or a hash).</param>
    /// <param name="useId">The use the check belongs to.</param>
    /// <param name="details">A description.</param>
    public string LogInputCheck(string referenceData, bool? matched = null, object? input = null, string? useId = null, string? details = null) =>
        SyncOverAsync.Run(LogInputCheckAsync(referenceData, matched, input, useId, details));

    /// <inheritdoc cref="AiActEventLog.LogInputCheckAsync"/>
    public ValueTask<string> LogInputCheckAsync(string referenceData, bool? matched = null, object? input = null, string? useId = null, string? details = null,
        CancellationToken cancellationToken = default) =>
        Events.LogInputCheckAsync(referenceData, matched, input, useId, details, cancellationToken);

    /// <summary>Logs <c>operation/human_oversight</c>: who verified a result and what they decided (confirmed, overridden, rejected, escalated; Art. 14).</summary>
    /// <param name="verifiedBy">Who verified.</param>
    /// <param name="decision">confirmed, overridden, rejected or escalated.</param>
    /// <param name="useId">The use.</param>
    /// <param name="systemOutput">What the system produced.</param>
    /// <param name="finalOutput">What stands after the decision.</param>
    /// <param name="reason">Why.</param>
    /// <param name="details">A description.</param>
    public string LogHumanOversight(string verifiedBy, string decision, string? useId = null, object? systemOutput = null, object? finalOutput = null,
        string? reason = null, string? details = null) =>
        SyncOverAsync.Run(LogHumanOversightAsync(verifiedBy, decision, useId, systemOutput, finalOutput, reason, details));

    /// <inheritdoc cref="AiActEventLog.LogHumanOversightAsync"/>
    public ValueTask<string> LogHumanOversightAsync(string verifiedBy, string decision, string? useId = null, object? systemOutput = null,
        object? finalOutput = null, string? reason = null, string? details = null, CancellationToken cancellationToken = default) =>
        Events.LogHumanOversightAsync(verifiedBy, decision, useId, systemOutput, finalOutput, reason, details, cancellationToken);

    /// <summary>Logs <c>operation/risk_situation</c>: a situation that may present a risk within Art. 79(1).</summary>
    /// <param name="severity">low, medium, high or critical.</param>
    /// <param name="description">What happened.</param>
    /// <param name="useId">The use.</param>
    /// <param name="context">Measurements, ids.</param>
    /// <param name="details">A description.</param>
    public string LogRiskSituation(string severity, string description, string? useId = null, object? context = null, string? details = null) =>
        SyncOverAsync.Run(LogRiskSituationAsync(severity, description, useId, context, details));

    /// <inheritdoc cref="AiActEventLog.LogRiskSituationAsync"/>
    public ValueTask<string> LogRiskSituationAsync(string severity, string description, string? useId = null, object? context = null, string? details = null,
        CancellationToken cancellationToken = default) =>
        Events.LogRiskSituationAsync(severity, description, useId, context, details, cancellationToken);

    /// <summary>Logs <c>model_lifecycle/substantial_modification</c> under this manager's (new) version, with its trigger.</summary>
    /// <param name="trigger">What caused it.</param>
    /// <param name="description">What changed.</param>
    /// <param name="previousVersion">The version it replaces.</param>
    /// <param name="changes">The changes in detail.</param>
    /// <param name="details">A description.</param>
    public string LogSubstantialModification(string trigger, string description, string? previousVersion = null, object? changes = null, string? details = null) =>
        SyncOverAsync.Run(LogSubstantialModificationAsync(trigger, description, previousVersion, changes, details));

    /// <inheritdoc cref="AiActEventLog.LogSubstantialModificationAsync"/>
    public ValueTask<string> LogSubstantialModificationAsync(string trigger, string description, string? previousVersion = null, object? changes = null,
        string? details = null, CancellationToken cancellationToken = default) =>
        Events.LogSubstantialModificationAsync(trigger, description, previousVersion, changes, details, cancellationToken);

    /// <summary>
    /// Logs <c>documentation/facts_declared</c>: facts only the provider can state, for the Annex IV documentation and the
    /// model card (<see cref="DeclaredFacts.All"/> names them: <c>intended_purpose</c>, <c>provider</c>, <c>hardware</c>, …).
    /// The newest declaration of each fact wins. Returns the record id.
    /// </summary>
    /// <param name="facts">One key per fact: <c>new { intended_purpose = "…", provider = "…" }</c>.</param>
    /// <param name="details">A description.</param>
    /// <exception cref="ArgumentException">An unknown fact or a value of the wrong shape; every problem is listed.</exception>
    public string LogDeclaredFacts(object facts, string? details = null) => SyncOverAsync.Run(LogDeclaredFactsAsync(facts, details));

    /// <inheritdoc cref="LogDeclaredFacts"/>
    /// <param name="facts">One key per fact.</param>
    /// <param name="details">A description.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    public ValueTask<string> LogDeclaredFactsAsync(object facts, string? details = null, CancellationToken cancellationToken = default) =>
        Events.LogDeclaredFactsAsync(facts, details, cancellationToken);
}
