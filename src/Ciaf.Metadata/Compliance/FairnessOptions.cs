using System.Globalization;

namespace Ciaf.Metadata.Compliance;

/// <summary>
/// How <see cref="FairnessMetrics.Compute(IEnumerable{FairnessObservation}, FairnessOptions, CancellationToken)"/> judges groups and
/// estimates its confidence intervals (Fairlearn's <c>n_boot</c>, <c>ci</c> and <c>random_state</c>). Validated once, when the
/// metrics are computed.
/// </summary>
public sealed class FairnessOptions
{
    /// <summary>The default number of bootstrap samples (1000).</summary>
    public const int DefaultBootstrapSamples = 1000;

    /// <summary>The most bootstrap samples allowed (100,000).</summary>
    public const int MaxBootstrapSamples = 100_000;

    /// <summary>The default confidence level (0.95).</summary>
    public const double DefaultConfidenceLevel = 0.95;

    /// <summary>The default seed (1).</summary>
    public const int DefaultSeed = 1;

    /// <summary>
    /// Groups with fewer observations are flagged as too small to judge and left out of every metric (default
    /// <see cref="FairnessMetrics.DefaultMinimumGroupSize"/>, 30). 0 judges every non-empty group.
    /// </summary>
    public int MinimumGroupSize { get; set; } = FairnessMetrics.DefaultMinimumGroupSize;

    /// <summary>Bootstrap samples for the confidence intervals (<c>n_boot</c>, default 1000); 0 computes point estimates only.</summary>
    public int BootstrapSamples { get; set; } = DefaultBootstrapSamples;

    /// <summary>The intervals' confidence level (<c>ci</c>), strictly between 0 and 1 (default 0.95: the 2.5 % and 97.5 % quantiles).</summary>
    public double ConfidenceLevel { get; set; } = DefaultConfidenceLevel;

    /// <summary>The seed of the resampling (<c>seed</c>, default 1): the same data, options and seed give the same intervals, on any machine.</summary>
    public int Seed { get; set; } = DefaultSeed;

    /// <summary>Every problem with these options, keyed by option name; empty when valid.</summary>
    public IReadOnlyDictionary<string, string> Validate()
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        if (MinimumGroupSize < 0)
            errors[nameof(MinimumGroupSize)] = $"{MinimumGroupSize} is not allowed; must be zero or more";
        if (BootstrapSamples is < 0 or > MaxBootstrapSamples)
            errors[nameof(BootstrapSamples)] = $"{BootstrapSamples} is not allowed; must be between 0 and {MaxBootstrapSamples}";
        if (!(ConfidenceLevel > 0 && ConfidenceLevel < 1))
            errors[nameof(ConfidenceLevel)] = $"{ConfidenceLevel.ToString(CultureInfo.InvariantCulture)} is not allowed; must be strictly between 0 and 1 (e.g. 0.95)";
        return errors;
    }
}
