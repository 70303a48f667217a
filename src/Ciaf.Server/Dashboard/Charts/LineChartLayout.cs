using System.Globalization;

namespace Ciaf.Server.Dashboard.Charts;

/// <summary>
/// Where everything of a time-series line chart goes in an SVG of <see cref="Width"/> × <see cref="Height"/>: a time axis,
/// a value axis with round ticks, a polyline and dots per series, reference lines. Computed here, drawn by
/// <c>LineChart.razor</c>; no script, no chart library.
/// </summary>
public sealed class LineChartLayout
{
    /// <summary>The drawing's width (SVG units; it scales to the page).</summary>
    public const double Width = 720;

    /// <summary>The drawing's height.</summary>
    public const double Height = 260;

    /// <summary>The plot area's left edge (room for value labels).</summary>
    public const double Left = 52;

    /// <summary>The plot area's right edge.</summary>
    public const double Right = Width - 40;

    /// <summary>The plot area's top edge.</summary>
    public const double Top = 14;

    /// <summary>The plot area's bottom edge (room for time labels).</summary>
    public const double Bottom = Height - 30;

    /// <summary>How many colours the style sheet has for series.</summary>
    public const int Colours = 8;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Lays out <paramref name="series"/> (empty series are skipped) on a value axis that covers the data and the <paramref name="lines"/>, at least [<paramref name="min"/>, <paramref name="max"/>] when given.</summary>
    public LineChartLayout(IReadOnlyList<ChartSeries> series, IReadOnlyList<ChartLine>? lines = null, double? min = null, double? max = null, string valueFormat = "0.###")
    {
        ArgumentNullException.ThrowIfNull(series);
        lines ??= [];
        var points = series.SelectMany(s => s.Points).ToList();
        if (points.Count == 0)
        {
            Series = [];
            Lines = [];
            XTicks = [];
            YTicks = [];
            return;
        }
        var time = new TimeAxis(points.Select(p => p.At), Left, Right);
        var values = points.Select(p => p.Value).Concat(lines.Select(l => l.Value)).ToList();
        double lo = Math.Min(min ?? double.MaxValue, values.Min()), hi = Math.Max(max ?? double.MinValue, values.Max());
        if (lo == hi)
        {
            lo -= lo == 0 ? 1 : Math.Abs(lo) * 0.1;
            hi += hi == 0 ? 1 : Math.Abs(hi) * 0.1;
        }
        double step = NiceStep((hi - lo) / 4);
        lo = Math.Floor(lo / step) * step;
        hi = Math.Ceiling(hi / step) * step;

        double Y(double value) => Bottom - (Bottom - Top) * (value - lo) / (hi - lo);

        Series = [.. series.Where(s => s.Points.Count > 0).Select((s, i) =>
        {
            var placed = s.Points.OrderBy(p => p.At).Select(p => new PlottedPoint(time.X(p.At), Y(p.Value),
                $"{s.Name}: {p.Value.ToString(valueFormat, Invariant)} at {DashboardFormat.Time(p.At)}", p.RecordId)).ToList();
            return new PlottedSeries(s.Name, i % Colours, string.Join(' ', placed.Select(p => Coordinates(p.X, p.Y))), placed);
        })];
        Lines = [.. lines.Select(l => new AxisTick(Y(l.Value), l.Label))];
        YTicks = [.. Enumerable.Range(0, (int)Math.Round((hi - lo) / step) + 1).Select(i => lo + i * step).Select(v => new AxisTick(Y(v), v.ToString(valueFormat, Invariant)))];
        XTicks = time.Ticks;
    }

    /// <summary>Whether there is anything to draw.</summary>
    public bool IsEmpty => Series.Count == 0;

    /// <summary>The series, placed.</summary>
    public IReadOnlyList<PlottedSeries> Series { get; }

    /// <summary>The reference lines: y and label.</summary>
    public IReadOnlyList<AxisTick> Lines { get; }

    /// <summary>The time axis' ticks: x and label.</summary>
    public IReadOnlyList<AxisTick> XTicks { get; }

    /// <summary>The value axis' ticks: y and label.</summary>
    public IReadOnlyList<AxisTick> YTicks { get; }

    /// <summary>A number for an SVG attribute (invariant, two decimals).</summary>
    public static string N(double value) => value.ToString("0.##", Invariant);

    /// <summary>A round step (1, 2 or 5 × a power of ten) at least <paramref name="rough"/>.</summary>
    public static double NiceStep(double rough)
    {
        if (rough <= 0 || double.IsNaN(rough) || double.IsInfinity(rough)) return 1;
        double power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        double fraction = rough / power;
        return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
    }

    private static string Coordinates(double x, double y) => N(x) + "," + N(y);
}
