using Ciaf.Server.Dashboard.Views;

namespace Ciaf.Server.Dashboard.Charts;

/// <summary>The pipeline as swim lanes: one lane per stage (pipeline order, top to bottom), a mark per record on a shared time axis.</summary>
public sealed class TimelineLayout
{
    /// <summary>The drawing's width.</summary>
    public const double Width = 720;

    /// <summary>Where the lanes start (stage names are left of it).</summary>
    public const double Left = 150;

    /// <summary>Where the lanes end.</summary>
    public const double Right = Width - 40;

    /// <summary>The height of one lane.</summary>
    public const double Lane = 26;

    /// <summary>Lays out <paramref name="stages"/>.</summary>
    public TimelineLayout(IReadOnlyList<StageTimeline> stages)
    {
        ArgumentNullException.ThrowIfNull(stages);
        var axis = new TimeAxis(stages.SelectMany(s => s.Times), Left, Right);
        Lanes = [.. stages.Select((s, i) => new TimelineLane(s.Stage, 10 + Lane * i + Lane / 2, [.. s.Times.Select(axis.X)],
            axis.X(s.First), axis.X(s.Last), i % LineChartLayout.Colours))];
        Ticks = axis.Ticks;
        AxisY = 10 + Lane * stages.Count + 4;
        Height = AxisY + 22;
    }

    /// <summary>The lanes.</summary>
    public IReadOnlyList<TimelineLane> Lanes { get; }

    /// <summary>The time axis' ticks.</summary>
    public IReadOnlyList<AxisTick> Ticks { get; }

    /// <summary>The y of the time axis.</summary>
    public double AxisY { get; }

    /// <summary>The drawing's height.</summary>
    public double Height { get; }
}
