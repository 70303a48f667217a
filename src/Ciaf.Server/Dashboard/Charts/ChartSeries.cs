namespace Ciaf.Server.Dashboard.Charts;

/// <summary>A named time series, its points oldest first.</summary>
/// <param name="Name">The series' name (the legend).</param>
/// <param name="Points">Its points, oldest first.</param>
public sealed record ChartSeries(string Name, IReadOnlyList<ChartPoint> Points);
