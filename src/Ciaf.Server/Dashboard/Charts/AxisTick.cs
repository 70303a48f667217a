namespace Ciaf.Server.Dashboard.Charts;

/// <summary>A tick on an axis: its position in the drawing and its label.</summary>
/// <param name="Position">The x (time axis) or y (value axis) coordinate.</param>
/// <param name="Label">The label.</param>
public sealed record AxisTick(double Position, string Label);
