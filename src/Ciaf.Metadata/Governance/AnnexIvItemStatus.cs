namespace Ciaf.Metadata.Governance;

/// <summary>Whether an Annex IV item is filled from the store.</summary>
public enum AnnexIvItemStatus
{
    /// <summary>Filled from records, each cited (<c>evidenced</c>).</summary>
    Evidenced,
    /// <summary>Something the item needs is missing (<c>gap</c>); the item's text says what, and the method or command that records it.</summary>
    Gap,
}
