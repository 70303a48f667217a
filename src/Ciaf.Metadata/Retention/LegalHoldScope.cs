namespace Ciaf.Metadata.Retention;

/// <summary>What a legal hold covers.</summary>
public enum LegalHoldScope
{
    /// <summary>Every record of a model (by model name), and the compliance events of those records.</summary>
    Model,
    /// <summary>One record (by id), and its compliance events.</summary>
    Record,
}
