namespace Ciaf.Server.Dashboard.Charts;

/// <summary>One stage's lane on the pipeline timeline.</summary>
/// <param name="Stage">The stage.</param>
/// <param name="Y">The lane's centre line.</param>
/// <param name="Marks">The x of each record's mark.</param>
/// <param name="Start">The x where the stage's first record is.</param>
/// <param name="End">The x where its last record is.</param>
/// <param name="Index">Its colour.</param>
public sealed record TimelineLane(string Stage, double Y, IReadOnlyList<double> Marks, double Start, double End, int Index);
