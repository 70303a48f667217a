namespace Ciaf.Server.Dashboard.Charts;

/// <summary>A series placed in the drawing.</summary>
/// <param name="Name">The series' name.</param>
/// <param name="Index">Its colour (the style sheet's <c>.s0</c>...<c>.s7</c>).</param>
/// <param name="Polyline">The SVG <c>points</c> of its line.</param>
/// <param name="Points">Its points.</param>
public sealed record PlottedSeries(string Name, int Index, string Polyline, IReadOnlyList<PlottedPoint> Points);
