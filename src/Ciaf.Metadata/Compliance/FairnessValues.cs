namespace Ciaf.Metadata.Compliance;

/// <summary>
/// The metrics of one sample — the data, or one bootstrap resample — for the judged groups, as
/// <see cref="GroupTallies.Evaluate"/> computes them. An undefined value is NaN: a rate whose denominator is zero, a
/// spread over fewer than two groups.
/// </summary>
internal sealed class FairnessValues(int groups)
{
    /// <summary>The number of metrics <see cref="CopyTo"/> writes: five spreads, then four per group.</summary>
    public int Count => 5 + (4 * SelectionRate.Length);

    public double[] SelectionRate { get; } = new double[groups];
    public double[] TruePositiveRate { get; } = new double[groups];
    public double[] FalsePositiveRate { get; } = new double[groups];
    public double[] ExpectedCalibrationError { get; } = new double[groups];
    public double DemographicParityDifference { get; set; }
    public double DemographicParityRatio { get; set; }
    public double EqualOpportunityDifference { get; set; }
    public double FalsePositiveRateDifference { get; set; }
    public double EqualizedOddsDifference { get; set; }

    /// <summary>The first group (by index) with the highest selection rate; -1 when no rate is defined.</summary>
    public int ReferenceGroup { get; set; }

    /// <summary>Writes every metric, in a fixed order, into column <paramref name="column"/> of <paramref name="rows"/>.</summary>
    public void CopyTo(double[][] rows, int column)
    {
        rows[0][column] = DemographicParityDifference;
        rows[1][column] = DemographicParityRatio;
        rows[2][column] = EqualOpportunityDifference;
        rows[3][column] = FalsePositiveRateDifference;
        rows[4][column] = EqualizedOddsDifference;
        for (int g = 0; g < SelectionRate.Length; g++)
        {
            rows[5 + (4 * g)][column] = SelectionRate[g];
            rows[6 + (4 * g)][column] = TruePositiveRate[g];
            rows[7 + (4 * g)][column] = FalsePositiveRate[g];
            rows[8 + (4 * g)][column] = ExpectedCalibrationError[g];
        }
    }
}
