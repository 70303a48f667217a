namespace Ciaf.Server.Dashboard.Charts;

/// <summary>One bar of a bar chart.</summary>
/// <param name="Label">The bar's label (a group).</param>
/// <param name="Value">Its value.</param>
/// <param name="Flagged">Drawn as a warning (e.g. under the four-fifths line).</param>
/// <param name="Note">A short note under the label (e.g. the group's size), or <c>null</c>.</param>
public sealed record ChartBar(string Label, double Value, bool Flagged, string? Note = null);
