namespace Ciaf.Metadata.Compliance;

/// <summary>Raised by <see cref="ComplianceTracker.ComplianceFailed"/> when an assessment scores below the threshold.</summary>
/// <param name="assessment">The failed assessment.</param>
public sealed class ComplianceFailedEventArgs(ComplianceAssessment assessment) : EventArgs
{
    /// <summary>The failed assessment.</summary>
    public ComplianceAssessment Assessment { get; } = assessment ?? throw new ArgumentNullException(nameof(assessment));
}
