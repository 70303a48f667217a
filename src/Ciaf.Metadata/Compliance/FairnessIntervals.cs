namespace Ciaf.Metadata.Compliance;

/// <summary>
/// The bootstrap confidence intervals of a <see cref="FairnessReport"/>: for each metric the percentile interval of its
/// values over <see cref="BootstrapSamples"/> resamples of the whole dataset (rows drawn with replacement, as Fairlearn's
/// <c>MetricFrame(n_boot=…)</c> does), widened when needed to contain the point estimate. A metric undefined in every
/// resample has no interval (null, or no entry for a group).
/// </summary>
public sealed record FairnessIntervals
{
    /// <summary>The number of bootstrap samples (<c>n_boot</c>).</summary>
    public required int BootstrapSamples { get; init; }

    /// <summary>The confidence level (<c>ci</c>), e.g. 0.95.</summary>
    public required double ConfidenceLevel { get; init; }

    /// <summary>The seed the resamples were drawn with.</summary>
    public required int Seed { get; init; }

    /// <summary>The interval of <see cref="FairnessReport.DemographicParityDifference"/>.</summary>
    public ConfidenceInterval? DemographicParityDifference { get; init; }

    /// <summary>The interval of <see cref="FairnessReport.DemographicParityRatio"/> (the lowest adverse impact ratio).</summary>
    public ConfidenceInterval? DemographicParityRatio { get; init; }

    /// <summary>The interval of <see cref="FairnessReport.EqualOpportunityDifference"/>.</summary>
    public ConfidenceInterval? EqualOpportunityDifference { get; init; }

    /// <summary>The interval of <see cref="FairnessReport.FalsePositiveRateDifference"/>.</summary>
    public ConfidenceInterval? FalsePositiveRateDifference { get; init; }

    /// <summary>The interval of <see cref="FairnessReport.EqualizedOddsDifference"/>.</summary>
    public ConfidenceInterval? EqualizedOddsDifference { get; init; }

    /// <summary>Per judged group, the interval of its selection rate.</summary>
    public required IReadOnlyDictionary<string, ConfidenceInterval> SelectionRates { get; init; }

    /// <summary>Per judged group, the interval of its true positive rate.</summary>
    public required IReadOnlyDictionary<string, ConfidenceInterval> TruePositiveRates { get; init; }

    /// <summary>Per judged group, the interval of its false positive rate.</summary>
    public required IReadOnlyDictionary<string, ConfidenceInterval> FalsePositiveRates { get; init; }

    /// <summary>Per judged group, the interval of its expected calibration error.</summary>
    public required IReadOnlyDictionary<string, ConfidenceInterval> ExpectedCalibrationErrors { get; init; }
}
