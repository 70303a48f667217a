using System.Globalization;
using System.Text.Json.Nodes;

namespace Ciaf.Metadata.Compliance;

/// <summary>
/// Accumulates a weighted score requirement by requirement. Weights are added as doubles in the order the
/// requirements are checked, and the sum is capped at 1.0, exactly as the reference does, so that the same
/// complete inputs give bit-identical scores (e.g. EEOC's 0.7500000000000001).
/// </summary>
internal sealed class ScoreSheet(JsonObject evidence)
{
    private readonly JsonObject _evidence = evidence;
    private readonly List<ComplianceFinding> _findings = [];
    private double _score;

    /// <summary>A requirement met when <c>group.key</c> is present and truthy (Python truth). Missing earns nothing.</summary>
    public void Flag(string group, string key, double weight, string? citation = null)
    {
        var requirement = group.Length == 0 ? key : $"{group}.{key}";
        if (!TryGet(group, key, out var value, out var missing))
        {
            Add(requirement, false, weight, 0, missing, citation);
            return;
        }
        bool met = EvidenceReader.IsTrue(value);
        Add(requirement, met, weight, met ? weight : 0,
            met ? $"{requirement} = {EvidenceReader.Show(value)}" : $"{requirement} = {EvidenceReader.Show(value)} (not in place)", citation);
    }

    /// <summary>A requirement met when <c>group.key</c> is a number strictly above (or, with <paramref name="below"/>, strictly below) <paramref name="threshold"/>.</summary>
    public void Threshold(string group, string key, double threshold, double weight, bool below = false, string? citation = null, bool inclusive = false)
    {
        var requirement = group.Length == 0 ? key : $"{group}.{key}";
        if (!TryGet(group, key, out var value, out var missing))
        {
            Add(requirement, false, weight, 0, missing, citation);
            return;
        }
        if (!EvidenceReader.TryGetNumber(value, out var number))
        {
            Add(requirement, false, weight, 0, $"{requirement} = {EvidenceReader.Show(value)} is not a number", citation);
            return;
        }
        bool met = below
            ? (inclusive ? number <= threshold : number < threshold)
            : (inclusive ? number >= threshold : number > threshold);
        string op = below ? (inclusive ? "<=" : "<") : (inclusive ? ">=" : ">");
        string rule = $"{op} {threshold.ToString(CultureInfo.InvariantCulture)}";
        Add(requirement, met, weight, met ? weight : 0,
            met ? $"{requirement} = {Fmt(number)} {rule}" : $"{requirement} = {Fmt(number)}, required {rule}", citation);
    }

    /// <summary>Adds a finding whose outcome the caller computed (e.g. a partial share of the weight).</summary>
    public void Add(string requirement, bool met, double weight, double earned, string reason, string? citation = null)
    {
        _score += earned;
        _findings.Add(new ComplianceFinding(requirement, met, weight, earned, reason, citation));
    }

    /// <summary>The score (capped at 1.0) and the findings.</summary>
    public ComplianceEvaluation Result() => new(Math.Min(_score, 1.0), _findings.ToArray());

    /// <summary>Looks up <c>group.key</c> (or top-level <c>key</c> when group is empty).</summary>
    public bool TryGet(string group, string key, out JsonNode? value, out string missingReason)
    {
        value = null;
        JsonObject scope = _evidence;
        if (group.Length > 0)
        {
            if (!_evidence.TryGetPropertyValue(group, out var g) || g is null)
            {
                missingReason = $"{group} not provided";
                return false;
            }
            if (g is not JsonObject go)
            {
                missingReason = $"{group} is not an object";
                return false;
            }
            scope = go;
        }
        if (!scope.TryGetPropertyValue(key, out value) || value is null)
        {
            missingReason = group.Length == 0 ? $"{key} not provided" : $"{group}.{key} not provided";
            return false;
        }
        missingReason = "";
        return true;
    }

    private static string Fmt(double d) => d.ToString("R", CultureInfo.InvariantCulture);
}
