namespace Ciaf.Metadata.Retention;

/// <summary>
/// A legal hold: while it is in place, cleanup never removes what it covers, however old.
/// Holds are kept in the store (see <c>MetadataStorage.PlaceLegalHold</c>), so every process sees them.
/// </summary>
/// <param name="Scope">A whole model or one record.</param>
/// <param name="Target">The model name or the record id.</param>
/// <param name="Reason">Why (e.g. a case or ticket reference).</param>
/// <param name="PlacedBy">The user who placed it.</param>
/// <param name="PlacedAt">When it was placed, UTC.</param>
public sealed record LegalHold(LegalHoldScope Scope, string Target, string Reason, string? PlacedBy, DateTimeOffset PlacedAt);
