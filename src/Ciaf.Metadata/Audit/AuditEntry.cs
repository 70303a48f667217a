namespace Ciaf.Metadata.Audit;

/// <summary>
/// One entry of the access audit trail: who did what to which record, and when. The fields are the
/// columns of the reference's SQLite <c>audit_trail</c> table, unchanged.
/// </summary>
/// <param name="Id">The entry id (a time-ordered UUID v7 string).</param>
/// <param name="ParentId">The record (or compliance event) the entry concerns, or <c>null</c> (queries, cleanup runs, model holds).</param>
/// <param name="Action">What was done; see <see cref="AuditActions"/> (<c>save</c>, <c>read</c>, <c>query</c>, <c>delete</c>, ...).</param>
/// <param name="Timestamp">When, UTC, microsecond precision (written as Python's <c>isoformat()</c>).</param>
/// <param name="UserId">Who: the configured user, <c>CIAF_USER</c>, or the operating-system user.</param>
/// <param name="Details">A compact JSON object with the specifics (filters, counts, reasons), or <c>null</c>. Never holds metadata values.</param>
public sealed record AuditEntry(string Id, string? ParentId, string Action, DateTimeOffset Timestamp, string? UserId, string? Details);
