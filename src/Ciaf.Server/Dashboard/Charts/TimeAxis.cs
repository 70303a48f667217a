using System.Globalization;

namespace Ciaf.Server.Dashboard.Charts;

/// <summary>A time axis from the earliest to the latest of some times, mapped onto [<c>left</c>, <c>right</c>], with five labelled ticks.</summary>
public sealed class TimeAxis
{
    private readonly long _t0;
    private readonly long _t1;
    private readonly double _left;
    private readonly double _right;

    /// <summary>An axis spanning <paramref name="times"/> (a single moment is centred in a day).</summary>
    public TimeAxis(IEnumerable<DateTimeOffset> times, double left, double right)
    {
        ArgumentNullException.ThrowIfNull(times);
        var ticks = times.Select(t => t.UtcTicks).ToList();
        _t0 = ticks.Count == 0 ? 0 : ticks.Min();
        _t1 = ticks.Count == 0 ? 0 : ticks.Max();
        if (_t0 == _t1)
        {
            _t0 -= TimeSpan.TicksPerHour * 12;
            _t1 += TimeSpan.TicksPerHour * 12;
        }
        _left = left;
        _right = right;
        var span = TimeSpan.FromTicks(_t1 - _t0);
        string format = span > TimeSpan.FromDays(2) ? "yyyy-MM-dd" : span > TimeSpan.FromHours(2) ? "MM-dd HH:mm" : "HH:mm:ss";
        Ticks = [.. Enumerable.Range(0, 5).Select(i => _t0 + (_t1 - _t0) * i / 4)
            .Select(t => new AxisTick(X(new DateTimeOffset(t, TimeSpan.Zero)), new DateTimeOffset(t, TimeSpan.Zero).ToString(format, CultureInfo.InvariantCulture)))];
    }

    /// <summary>The x coordinate of <paramref name="time"/>.</summary>
    public double X(DateTimeOffset time) => _left + (_right - _left) * (time.UtcTicks - _t0) / (double)(_t1 - _t0);

    /// <summary>Five ticks, from the earliest to the latest time.</summary>
    public IReadOnlyList<AxisTick> Ticks { get; }
}
