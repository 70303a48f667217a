using Ciaf.Metadata.Retention;
using Ciaf.Metadata.Storage;

namespace Ciaf.Metadata;

// Retention: cleanup (with dry run), legal holds and automatic cleanup — Retention/RetentionService and AutoCleanup.
public sealed partial class MetadataStorage
{
    /// <summary>The report of the last automatic cleanup run that completed, or <c>null</c>.</summary>
    public CleanupReport? LastAutoCleanup => _autoCleanup?.LastReport;

    /// <summary>How many automatic cleanup runs failed (each failure is logged).</summary>
    public long AutoCleanupFailures => _autoCleanup?.Failures ?? 0;

    /// <summary>
    /// Removes records older than their retention, judged by each record's own timestamp: ordinary
    /// records older than <paramref name="daysOld"/> days (default <c>metadata_retention_days</c>), and
    /// compliance-stage records and compliance events older than <c>compliance_retention_days</c>
    /// (never less than <paramref name="daysOld"/>). What a legal hold covers is kept; so is, on a store declared
    /// high-risk (<c>ai_act_high_risk</c>), a log younger than 183 days or documentation younger than 10 years
    /// (<see cref="AiActRetention"/>: the report lists them as protected, naming the article). Every removal
    /// is written to the audit trail (a <c>delete</c> entry per item, a <c>cleanup</c> entry per run).
    /// </summary>
    /// <returns>How many records and compliance events were removed.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="daysOld"/> is negative or more than <see cref="MetadataStorageOptions.MaxRetentionDays"/>.</exception>
    public int CleanupOldMetadata(int? daysOld = null) => SyncOverAsync.Run(CleanupOldMetadataAsync(daysOld));

    /// <inheritdoc cref="CleanupOldMetadata(int?)"/>
    public async ValueTask<int> CleanupOldMetadataAsync(int? daysOld = null, CancellationToken cancellationToken = default) =>
        (await CleanupOldMetadataAsync(daysOld, dryRun: false, cancellationToken).ConfigureAwait(false)).RemovedCount;

    /// <summary>
    /// Runs cleanup as <see cref="CleanupOldMetadata(int?)"/> does, or with <paramref name="dryRun"/> only
    /// lists what would go, and returns what was (or would be) removed, what legal holds kept and what the EU AI Act protects.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="daysOld"/> is negative or more than <see cref="MetadataStorageOptions.MaxRetentionDays"/>.</exception>
    public CleanupReport CleanupOldMetadata(int? daysOld, bool dryRun) => SyncOverAsync.Run(CleanupOldMetadataAsync(daysOld, dryRun));

    /// <inheritdoc cref="CleanupOldMetadata(int?, bool)"/>
    public ValueTask<CleanupReport> CleanupOldMetadataAsync(int? daysOld, bool dryRun, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return _retention.RunCleanupAsync(daysOld, dryRun, RetentionService.ManualTrigger, cancellationToken);
    }

    /// <summary>What <see cref="CleanupOldMetadata(int?)"/> would remove now, removing nothing (a dry run).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="daysOld"/> is negative or more than <see cref="MetadataStorageOptions.MaxRetentionDays"/>.</exception>
    public CleanupReport PreviewCleanup(int? daysOld = null) => CleanupOldMetadata(daysOld, dryRun: true);

    /// <inheritdoc cref="PreviewCleanup"/>
    public ValueTask<CleanupReport> PreviewCleanupAsync(int? daysOld = null, CancellationToken cancellationToken = default) =>
        CleanupOldMetadataAsync(daysOld, dryRun: true, cancellationToken);

    /// <summary>
    /// Places (or renews, with a new reason) a legal hold: until it is released, cleanup never removes the
    /// model's records (<see cref="LegalHoldScope.Model"/>) or the record (<see cref="LegalHoldScope.Record"/>),
    /// nor their compliance events. Stored in the store, so every process sees it; audited (<c>hold</c>).
    /// </summary>
    /// <param name="target">The model name, or the record id.</param>
    /// <param name="reason">Why (e.g. a case reference); required.</param>
    /// <param name="scope">Whether <paramref name="target"/> is a model (default) or a record.</param>
    /// <exception cref="ArgumentException">Empty reason, invalid model name, or no record has that id.</exception>
    public LegalHold PlaceLegalHold(string target, string reason, LegalHoldScope scope = LegalHoldScope.Model) =>
        SyncOverAsync.Run(PlaceLegalHoldAsync(target, reason, scope));

    /// <inheritdoc cref="PlaceLegalHold"/>
    public ValueTask<LegalHold> PlaceLegalHoldAsync(string target, string reason, LegalHoldScope scope = LegalHoldScope.Model,
        CancellationToken cancellationToken = default)
        => _retention.PlaceHoldAsync(target, reason, scope, cancellationToken);

    /// <summary>Releases a legal hold; cleanup may then remove what it covered. Audited (<c>release</c>).</summary>
    /// <param name="target">The model name, or the record id.</param>
    /// <param name="scope">Whether <paramref name="target"/> is a model (default) or a record.</param>
    /// <param name="reason">Why it is released (written to the audit trail), or <c>null</c>.</param>
    /// <returns>Whether there was such a hold.</returns>
    public bool ReleaseLegalHold(string target, LegalHoldScope scope = LegalHoldScope.Model, string? reason = null) =>
        SyncOverAsync.Run(ReleaseLegalHoldAsync(target, scope, reason));

    /// <inheritdoc cref="ReleaseLegalHold"/>
    public ValueTask<bool> ReleaseLegalHoldAsync(string target, LegalHoldScope scope = LegalHoldScope.Model, string? reason = null,
        CancellationToken cancellationToken = default)
        => _retention.ReleaseHoldAsync(target, scope, reason, cancellationToken);

    /// <summary>Every legal hold in place, oldest first.</summary>
    public IReadOnlyList<LegalHold> GetLegalHolds() => SyncOverAsync.Run(GetLegalHoldsAsync());

    /// <inheritdoc cref="GetLegalHolds"/>
    public async ValueTask<IReadOnlyList<LegalHold>> GetLegalHoldsAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return await _retention.LoadHoldsAsync(cancellationToken).ConfigureAwait(false);
    }
}
