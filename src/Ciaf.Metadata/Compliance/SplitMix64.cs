namespace Ciaf.Metadata.Compliance;

/// <summary>
/// The SplitMix64 generator (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014) with
/// Lemire's unbiased bounded integers ("Fast random integer generation in an interval", 2019). Written here, not taken
/// from <see cref="Random"/>, because the bootstrap intervals are evidence: the same seed must draw the same resamples on
/// every machine and every .NET version, and <see cref="Random"/>'s seeded sequence is not guaranteed across versions.
/// </summary>
internal struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    /// <summary>The next 64 random bits.</summary>
    public ulong Next()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A uniform integer in [0, <paramref name="n"/>), from the high 32 bits of each draw (multiply-shift with rejection).</summary>
    /// <param name="n">The exclusive upper bound, at least 1.</param>
    public int NextIndex(int n)
    {
        uint bound = (uint)n;
        ulong m = (Next() >> 32) * bound;
        if ((uint)m < bound)
        {
            uint threshold = (0u - bound) % bound;
            while ((uint)m < threshold) m = (Next() >> 32) * bound;
        }
        return (int)(m >> 32);
    }
}
