using System.Text.Json.Nodes;

namespace Ciaf.Metadata.Compliance;

/// <summary>The outcome of one requirement of a compliance framework: met or not, and why.</summary>
/// <param name="Requirement">The requirement's key, e.g. <c>data_protection_measures.encryption</c>.</param>
/// <param name="Met">Whether the evidence satisfies the requirement (for a partially earned requirement: whether it earned its full weight).</param>
/// <param name="Weight">The most the requirement can add to the score.</param>
/// <param name="Earned">What it added to the score (0 when not met; between 0 and <paramref name="Weight"/> for a partial requirement).</param>
/// <param name="Reason">Why: the evidence value seen and the rule applied, or that the evidence was missing.</param>
/// <param name="Citation">The regulation or clause the requirement comes from, if any.</param>
public sealed record ComplianceFinding(string Requirement, bool Met, double Weight, double Earned, string Reason, string? Citation = null)
{
    /// <summary>The finding's basis when a framework tells them apart: <c>evidenced</c> (judged from the store's records) or <c>declared</c> (from what the caller stated).</summary>
    public string? Basis { get; init; }

    /// <summary>Where the same evidence counts in ISO/IEC 42001 and the NIST AI RMF, when the framework maps it.</summary>
    public ControlCrosswalk? Crosswalk { get; init; }

    /// <summary>The finding as stored next to the score: <c>{requirement, met, weight, earned, reason, citation}</c>, plus <c>basis</c> and <c>crosswalk</c> when set.</summary>
    public JsonObject ToJson()
    {
        var o = new JsonObject
        {
            ["requirement"] = Requirement,
            ["met"] = Met,
            ["weight"] = Weight,
            ["earned"] = Earned,
            ["reason"] = Reason,
            ["citation"] = Citation,
        };
        if (Basis is not null) o["basis"] = Basis;
        if (Crosswalk is not null) o["crosswalk"] = Crosswalk.ToJson();
        return o;
    }

    /// <summary>Reads a finding written by <see cref="ToJson"/>; missing fields take neutral values.</summary>
    /// <param name="json">The stored finding.</param>
    public static ComplianceFinding FromJson(JsonObject json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return new ComplianceFinding(
            EvidenceReader.GetString(json, "requirement") ?? "",
            EvidenceReader.IsTrue(json["met"]),
            EvidenceReader.TryGetNumber(json["weight"], out var w) ? w : 0,
            EvidenceReader.TryGetNumber(json["earned"], out var e) ? e : 0,
            EvidenceReader.GetString(json, "reason") ?? "",
            EvidenceReader.GetString(json, "citation"))
        {
            Basis = EvidenceReader.GetString(json, "basis"),
            Crosswalk = ControlCrosswalk.FromJson(json["crosswalk"]),
        };
    }
}
