namespace Ciaf.Metadata.Transfer;

/// <summary>An entry of an import file that was not imported, and why.</summary>
/// <param name="Id">The record or event id, when the entry had one.</param>
/// <param name="Position">Where it is in the file: <c>element 12</c> (JSON array) or <c>line 13</c> (JSON lines).</param>
/// <param name="Reason">Why it was not imported.</param>
public sealed record ImportIssue(string? Id, string Position, string Reason);
