namespace Ciaf.Server.Dashboard.Charts;

/// <summary>One point of a time series.</summary>
/// <param name="At">When.</param>
/// <param name="Value">The value.</param>
/// <param name="RecordId">The record it comes from (the point links to it), or <c>null</c>.</param>
public sealed record ChartPoint(DateTimeOffset At, double Value, string? RecordId = null);
