namespace Ciaf.Metadata.Transfer;

/// <summary>Progress of <c>MetadataStorage.MigrateTo</c>, reported after each batch.</summary>
/// <param name="RecordsCopied">Records written to the target so far.</param>
/// <param name="ComplianceEventsCopied">Compliance events written to the target so far.</param>
/// <param name="Phase"><c>records</c>, <c>compliance_events</c> or <c>verifying</c>.</param>
public readonly record struct MigrationProgress(long RecordsCopied, long ComplianceEventsCopied, string Phase);
