namespace Ciaf.Metadata.Interop.MlFlow;

/// <summary>One logged value of an MLflow metric: a line <c>&lt;timestamp ms&gt; &lt;value&gt; [&lt;step&gt;]</c> of its file.</summary>
/// <param name="Key">The metric's name (its path under <c>metrics/</c>, with <c>/</c>).</param>
/// <param name="Value">The value (Python's <c>float()</c> of the text: <c>nan</c> and <c>inf</c> included).</param>
/// <param name="Step">The step (0 when the line has none).</param>
/// <param name="Timestamp">Milliseconds since the Unix epoch.</param>
internal sealed record MlflowMetricPoint(string Key, double Value, long Step, long Timestamp)
{
    /// <summary>
    /// MLflow's "latest": the greatest <c>(step, timestamp, value)</c> as Python compares tuples, so a NaN value never wins
    /// a tie (any comparison with NaN is false) and the first of equal points is kept.
    /// </summary>
    public bool IsLaterThan(MlflowMetricPoint other) =>
        Step != other.Step ? Step > other.Step
        : Timestamp != other.Timestamp ? Timestamp > other.Timestamp
        : Value > other.Value;
}
