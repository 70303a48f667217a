namespace Ciaf.Metadata.Governance;

/// <summary>One section of Annex IV (1 to 9) with its items.</summary>
/// <param name="Number">The section number, <c>1</c> … <c>9</c>.</param>
/// <param name="Title">The section's subject.</param>
/// <param name="Items">Its items: the lettered points, or one item for a section without points.</param>
public sealed record AnnexIvSection(string Number, string Title, IReadOnlyList<AnnexIvItem> Items);
