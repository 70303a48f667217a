namespace Ciaf.Metadata.Transfer;

/// <summary>One problem <c>MetadataStorage.Verify</c> found.</summary>
/// <param name="Kind">What is wrong.</param>
/// <param name="Id">The record or compliance event id, when known.</param>
/// <param name="Location">Where it is stored: a file path, or <c>&lt;database&gt;#&lt;id&gt;</c>.</param>
/// <param name="Detail">A sentence saying what was found (e.g. the stored and the recomputed hash).</param>
public sealed record VerificationIssue(VerificationIssueKind Kind, string? Id, string Location, string Detail);
