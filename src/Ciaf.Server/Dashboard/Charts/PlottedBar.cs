namespace Ciaf.Server.Dashboard.Charts;

/// <summary>A bar placed in the drawing (horizontal: it grows from the label column to the right).</summary>
/// <param name="Y">Its top edge.</param>
/// <param name="Length">Its length.</param>
/// <param name="Label">The group.</param>
/// <param name="ValueLabel">The value, written at the bar's end.</param>
/// <param name="Flagged">Drawn as a warning.</param>
/// <param name="Note">A note after the value, or <c>null</c>.</param>
public sealed record PlottedBar(double Y, double Length, string Label, string ValueLabel, bool Flagged, string? Note);
