namespace Ciaf.Server.Dashboard.Views;

/// <summary>One model on the overview.</summary>
/// <param name="Name">The model.</param>
/// <param name="Records">Its records.</param>
/// <param name="Versions">Its versions, in order of first appearance.</param>
/// <param name="Stages">The stages present, in pipeline order, with record counts.</param>
/// <param name="FirstActivity">Its oldest record's time.</param>
/// <param name="LastActivity">Its newest record's time.</param>
/// <param name="Compliance">The latest assessment of each framework (empty when never assessed).</param>
public sealed record ModelOverview(string Name, long Records, IReadOnlyList<string> Versions, IReadOnlyList<StageCount> Stages,
    DateTimeOffset FirstActivity, DateTimeOffset LastActivity, IReadOnlyList<FrameworkStatus> Compliance);
