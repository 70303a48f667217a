namespace Ciaf.Metadata.Governance;

/// <summary>One item of Annex IV (e.g. <c>2(g)</c>), as the pack fills it.</summary>
/// <param name="Id">The item: <c>1(a)</c> … <c>2(h)</c>, or the section number for a section without points (<c>4</c>).</param>
/// <param name="Title">What Annex IV asks for.</param>
/// <param name="Status">Evidenced or a gap.</param>
/// <param name="Evidence">The ids of the records the text is generated from (for a gap, those there are), in order of use.</param>
/// <param name="Text">The text, generated from the records; a gap's text starts with what is missing and how to record it. Lines are separated by <c>\n</c>; a line starting with <c>- </c> is a list entry.</param>
public sealed record AnnexIvItem(string Id, string Title, AnnexIvItemStatus Status, IReadOnlyList<string> Evidence, string Text);
