namespace Ciaf.Server.Dashboard.Views;

/// <summary>A stage and how many records it holds.</summary>
/// <param name="Stage">The stage.</param>
/// <param name="Count">Its records.</param>
public sealed record StageCount(string Stage, long Count);
