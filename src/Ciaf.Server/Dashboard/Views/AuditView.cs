using Ciaf.Metadata.Audit;

namespace Ciaf.Server.Dashboard.Views;

/// <summary>The audit trail page.</summary>
/// <param name="RecordId">Only entries about this record, or <c>null</c>.</param>
/// <param name="Action">Only this action, or <c>null</c>.</param>
/// <param name="User">Only this user, or <c>null</c>.</param>
/// <param name="Limit">The most entries shown.</param>
/// <param name="Entries">The entries, newest first.</param>
public sealed record AuditView(string? RecordId, string? Action, string? User, int Limit, IReadOnlyList<AuditEntry> Entries);
