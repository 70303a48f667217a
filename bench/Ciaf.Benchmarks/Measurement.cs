namespace Ciaf.Benchmarks;

/// <summary>Whether a bigger number is better (throughput) or a smaller one (latency, memory).</summary>
internal enum Better
{
    Higher,
    Lower,
}

/// <summary>
/// One line of the results: the library's number next to its baseline's, measured in the same run.
/// <see cref="Ratio"/> is always library ÷ baseline of the metric as printed (throughput: above 1 is
/// faster than raw; latency and memory: above 1 is slower or bigger than raw).
/// </summary>
internal sealed record Measurement
{
    public required string Scenario { get; init; }
    public required string Backend { get; init; }
    public required string Metric { get; init; }
    public required string Unit { get; init; }
    public required Better Better { get; init; }
    public double? Library { get; init; }
    public required string BaselineName { get; init; }
    public double? Baseline { get; init; }
    /// <summary>The target in words (empty when the issue sets none).</summary>
    public string Target { get; init; } = "";
    /// <summary>Whether the target is met; <c>null</c> when there is none or nothing was measured.</summary>
    public bool? Met { get; init; }
    public string Note { get; init; } = "";

    public double? Ratio => Library is { } l && Baseline is { } b && b != 0 ? l / b : null;
}
