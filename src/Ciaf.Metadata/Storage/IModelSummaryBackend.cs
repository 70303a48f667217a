namespace Ciaf.Metadata.Storage;

/// <summary>
/// An optional backend capability: the records counted by model, version and stage, with their first and last
/// timestamps, answered where the data lives (SQLite and PostgreSQL: one <c>GROUP BY</c>, no record read or parsed).
/// <see cref="MetadataStorage.GetModelSummariesAsync"/> uses it; a backend without it is scanned.
/// </summary>
public interface IModelSummaryBackend
{
    /// <summary>
    /// One group per model name, model version (an empty or missing version as <c>"1.0.0"</c>, as records read) and
    /// stage present in the store, in no particular order; a version the backend stores in two forms may come as two
    /// groups (the caller adds them up).
    /// </summary>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <exception cref="FormatException">A stored timestamp is not one (the caller then scans, skipping that record).</exception>
    ValueTask<IReadOnlyList<RecordGroup>> SummarizeRecordsAsync(CancellationToken cancellationToken = default);
}
