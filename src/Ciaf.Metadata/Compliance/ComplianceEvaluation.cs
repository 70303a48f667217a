namespace Ciaf.Metadata.Compliance;

/// <summary>What a <see cref="ComplianceFramework"/> concludes from one set of evidence: a score and the findings behind it.</summary>
/// <param name="Score">The score in [0, 1].</param>
/// <param name="Findings">One finding per requirement, in the order the framework checks them.</param>
public sealed record ComplianceEvaluation(double Score, IReadOnlyList<ComplianceFinding> Findings);
