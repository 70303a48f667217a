namespace Ciaf.Server.Dashboard.Charts;

/// <summary>A point placed in the drawing.</summary>
/// <param name="X">Its x coordinate.</param>
/// <param name="Y">Its y coordinate.</param>
/// <param name="Title">Its tooltip (series, time, value).</param>
/// <param name="RecordId">The record it links to, or <c>null</c>.</param>
public sealed record PlottedPoint(double X, double Y, string Title, string? RecordId);
