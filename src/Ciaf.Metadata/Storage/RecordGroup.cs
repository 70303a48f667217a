namespace Ciaf.Metadata.Storage;

/// <summary>The records of one model version and stage, counted (<see cref="IModelSummaryBackend"/>).</summary>
/// <param name="ModelName">The model.</param>
/// <param name="ModelVersion">The version (<c>"1.0.0"</c> when none was given).</param>
/// <param name="Stage">The stage.</param>
/// <param name="Count">How many records.</param>
/// <param name="First">The oldest record's timestamp.</param>
/// <param name="Last">The newest record's timestamp.</param>
public readonly record struct RecordGroup(string ModelName, string ModelVersion, string Stage, long Count, DateTimeOffset First, DateTimeOffset Last);
