namespace Ciaf.Metadata.Retention;

/// <summary>What a <see cref="CleanupItem"/> is.</summary>
public enum CleanupItemKind
{
    /// <summary>A metadata record.</summary>
    Record,
    /// <summary>A compliance event.</summary>
    ComplianceEvent,
}
