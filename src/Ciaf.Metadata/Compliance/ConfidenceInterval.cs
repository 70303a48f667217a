namespace Ciaf.Metadata.Compliance;

/// <summary>A two-sided confidence interval, as <see cref="FairnessMetrics"/> reports one for each metric.</summary>
/// <param name="Low">The lower bound (Fairlearn's <c>ci_low</c>).</param>
/// <param name="High">The upper bound (<c>ci_high</c>).</param>
public readonly record struct ConfidenceInterval(double Low, double High)
{
    /// <summary>The interval's width, <c>High − Low</c>.</summary>
    public double Width => High - Low;

    /// <summary>Whether <paramref name="value"/> lies in the interval (bounds included).</summary>
    /// <param name="value">A value.</param>
    public bool Contains(double value) => value >= Low && value <= High;
}
