namespace Ciaf.Metadata.Compliance;

/// <summary>One framework's part of a <see cref="ComplianceReport"/>.</summary>
/// <param name="Framework">The framework name.</param>
/// <param name="LatestScore">The latest score.</param>
/// <param name="Passed">Whether the latest assessment passed.</param>
/// <param name="Findings">The latest assessment's findings.</param>
/// <param name="History">Every assessment of the framework, oldest first.</param>
public sealed record FrameworkComplianceSummary(string Framework, double LatestScore, bool Passed,
    IReadOnlyList<ComplianceFinding> Findings, IReadOnlyList<ComplianceAssessment> History);
