using Ciaf.Metadata;

namespace Ciaf.Server.Dashboard.Views;

/// <summary>A record's page.</summary>
/// <param name="Record">The record.</param>
/// <param name="Events">The compliance events that name it.</param>
/// <param name="Receipt">Its ledger receipt and whether it verifies.</param>
public sealed record RecordView(MetadataRecord Record, IReadOnlyList<ComplianceEvent> Events, ReceiptCheck Receipt);
