namespace Ciaf.Cli.Demo;

/// <summary>
/// The population stability index (PSI) of a feature between a reference (training) sample and a live sample:
/// Σ (live% − ref%) · ln(live% / ref%) over the reference's decile bins. Below 0.1 is stable, 0.1–0.25 a moderate
/// shift, above 0.25 a significant one (the credit-risk industry's usual reading).
/// </summary>
internal static class PopulationStability
{
    public const double ModerateShift = 0.1;
    public const double SignificantShift = 0.25;

    public static double Index(IReadOnlyList<float> reference, IReadOnlyList<float> live, int bins = 10)
    {
        var sorted = reference.Where(float.IsFinite).Order().ToArray();
        if (sorted.Length == 0 || live.Count == 0) return 0;
        // Interior cut points at the reference's quantiles (deduplicated for discrete features).
        var cuts = Enumerable.Range(1, bins - 1).Select(i => sorted[(int)((long)i * (sorted.Length - 1) / bins)]).Distinct().ToArray();
        double[] Shares(IEnumerable<float> values)
        {
            var counts = new double[cuts.Length + 1];
            int n = 0;
            foreach (var v in values.Where(float.IsFinite))
            {
                int bin = Array.BinarySearch(cuts, v);
                counts[bin < 0 ? ~bin : bin]++;
                n++;
            }
            // A small floor keeps an empty bin from making the index infinite.
            return [.. counts.Select(c => Math.Max(c / Math.Max(n, 1), 1e-4))];
        }
        var r = Shares(sorted);
        var l = Shares(live);
        double psi = 0;
        for (int i = 0; i < r.Length; i++) psi += (l[i] - r[i]) * Math.Log(l[i] / r[i]);
        return psi;
    }

    public static string Level(double psi) => psi >= SignificantShift ? "significant" : psi >= ModerateShift ? "moderate" : "stable";
}
