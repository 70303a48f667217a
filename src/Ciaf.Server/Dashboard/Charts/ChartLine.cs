namespace Ciaf.Server.Dashboard.Charts;

/// <summary>A horizontal reference line (a pass mark, a drift threshold).</summary>
/// <param name="Value">Where it is on the value axis.</param>
/// <param name="Label">What it means.</param>
public sealed record ChartLine(double Value, string Label);
