using System.Runtime.InteropServices;
using Ciaf.Metadata.Compliance;

namespace Ciaf.Metadata.Tests.Support;

/// <summary>
/// The bootstrap done the plain way, as a reference for the fast one (tests) and its baseline (bench/, which links this
/// file): each resample a new list of observations, drawn with the same generators, handed to
/// <see cref="FairnessMetrics.Compute(IEnumerable{FairnessObservation}, int)"/>; then sorted values and linear quantiles.
/// </summary>
internal static class NaiveFairnessBootstrap
{
    /// <summary>The intervals of the demographic parity difference and ratio, the equalized odds difference, and per judged group the selection rate and (with scores) the calibration error, by Fairlearn name (<c>selection_rate:GROUP</c>).</summary>
    public static Dictionary<string, ConfidenceInterval> Intervals(IReadOnlyList<FairnessObservation> data, FairnessOptions options)
    {
        var point = FairnessMetrics.Compute(data, options.MinimumGroupSize);
        var judged = point.SelectionRates.Keys.ToHashSet(StringComparer.Ordinal);
        var samples = new Dictionary<string, (double Point, List<double> Values)>(StringComparer.Ordinal);
        void Add(string name, double pointValue, double? value)
        {
            if (!samples.TryGetValue(name, out var s)) samples[name] = s = (pointValue, []);
            if (value is double v) s.Values.Add(v);
        }
        var generators = FairnessBootstrap.Generators(options.Seed, options.BootstrapSamples);
        foreach (var start in generators)
        {
            var generator = start;
            var resample = new List<FairnessObservation>(data.Count);
            for (int i = 0; i < data.Count; i++)
            {
                var row = data[generator.NextIndex(data.Count)];
                // The groups too small to judge in the data are drawn but not judged in a resample either.
                if (judged.Contains(row.Group)) resample.Add(row);
            }
            var r = FairnessMetrics.Compute(resample, minimumGroupSize: 0);
            Add("demographic_parity_difference", point.DemographicParityDifference, r.DemographicParityDifference);
            Add("demographic_parity_ratio", point.DemographicParityRatio, r.DemographicParityRatio);
            Add("equalized_odds_difference", point.EqualizedOddsDifference ?? double.NaN, r.EqualizedOddsDifference);
            foreach (var g in judged)
            {
                Add($"selection_rate:{g}", point.SelectionRates[g], r.SelectionRates.TryGetValue(g, out var sr) ? sr : null);
                if (point.HasScores) Add($"expected_calibration_error:{g}", point.ExpectedCalibrationErrors[g], r.ExpectedCalibrationErrors.TryGetValue(g, out var e) ? e : null);
            }
        }
        var result = new Dictionary<string, ConfidenceInterval>(StringComparer.Ordinal);
        double tail = (1 - options.ConfidenceLevel) / 2;
        foreach (var (name, (pointValue, values)) in samples)
        {
            if (values.Count == 0 || double.IsNaN(pointValue)) continue;
            values.Sort();
            result[name] = new ConfidenceInterval(
                Math.Min(FairnessBootstrap.Quantile(CollectionsMarshal.AsSpan(values), tail), pointValue),
                Math.Max(FairnessBootstrap.Quantile(CollectionsMarshal.AsSpan(values), 1 - tail), pointValue));
        }
        return result;
    }
}
