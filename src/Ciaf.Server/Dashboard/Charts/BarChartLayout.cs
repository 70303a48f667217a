using System.Globalization;

namespace Ciaf.Server.Dashboard.Charts;

/// <summary>
/// A horizontal bar chart (one row per group) with an optional reference line, laid out for an SVG <see cref="Width"/>
/// wide; drawn by <c>BarChart.razor</c>.
/// </summary>
public sealed class BarChartLayout
{
    /// <summary>The drawing's width.</summary>
    public const double Width = 440;

    /// <summary>Where the bars start (the labels are left of it).</summary>
    public const double Left = 110;

    /// <summary>The longest bar's end, leaving room for the value.</summary>
    public const double Right = Width - 110;

    /// <summary>The height of one row.</summary>
    public const double Row = 26;

    /// <summary>The space above the first row.</summary>
    public const double Top = 8;

    /// <summary>Lays out <paramref name="bars"/> on an axis from 0 to the largest of <paramref name="max"/>, the values and the line.</summary>
    public BarChartLayout(IReadOnlyList<ChartBar> bars, double max = 1, ChartLine? line = null, string valueFormat = "0.###")
    {
        ArgumentNullException.ThrowIfNull(bars);
        double top = Math.Max(max, Math.Max(bars.Count == 0 ? 0 : bars.Max(b => b.Value), line?.Value ?? 0));
        if (top <= 0) top = 1;
        double Length(double v) => (Right - Left) * Math.Clamp(v, 0, top) / top;
        Bars = [.. bars.Select((b, i) => new PlottedBar(Top + i * Row, Length(b.Value), b.Label, b.Value.ToString(valueFormat, CultureInfo.InvariantCulture), b.Flagged, b.Note))];
        Line = line is null ? null : new AxisTick(Left + Length(line.Value), line.Label);
        Height = Top + bars.Count * Row + (line is null ? 8 : 24);
    }

    /// <summary>The bars, placed.</summary>
    public IReadOnlyList<PlottedBar> Bars { get; }

    /// <summary>The reference line's x and label, or <c>null</c>.</summary>
    public AxisTick? Line { get; }

    /// <summary>The drawing's height.</summary>
    public double Height { get; }
}
