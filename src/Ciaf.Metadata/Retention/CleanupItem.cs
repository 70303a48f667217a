namespace Ciaf.Metadata.Retention;

/// <summary>One record or compliance event a cleanup removed, would remove (dry run), or kept because of a legal hold or the EU AI Act.</summary>
/// <param name="Kind">A record or a compliance event.</param>
/// <param name="Id">Its id.</param>
/// <param name="ModelName">The record's model; for an event, its record's model when known, else <c>null</c>.</param>
/// <param name="Stage">The record's stage; <c>null</c> for an event.</param>
/// <param name="Timestamp">Its own timestamp (what retention is judged by).</param>
/// <param name="Reason">Why it goes (the retention rule), or why it stays (the legal hold, or the article of the EU AI Act).</param>
public sealed record CleanupItem(CleanupItemKind Kind, string Id, string? ModelName, string? Stage, DateTimeOffset Timestamp, string Reason);
