using System.Text.Json.Nodes;

namespace Ciaf.Metadata.Compliance;

/// <summary>
/// Where a requirement's evidence also counts in other frameworks: ISO/IEC 42001:2023 Annex A controls and the NIST
/// AI RMF 1.0 functions (Govern, Map, Measure, Manage). Informative: the mapping says where to look, not that the
/// other framework's control is met.
/// </summary>
/// <param name="Iso42001">ISO/IEC 42001 Annex A control numbers, e.g. <c>A.6.2.8</c>.</param>
/// <param name="NistAiRmf">NIST AI RMF functions: <c>Govern</c>, <c>Map</c>, <c>Measure</c>, <c>Manage</c>.</param>
public sealed record ControlCrosswalk(IReadOnlyList<string> Iso42001, IReadOnlyList<string> NistAiRmf)
{
    /// <summary>The NIST AI RMF 1.0 functions, in the framework's order.</summary>
    public static IReadOnlyList<string> NistFunctions { get; } = ["Govern", "Map", "Measure", "Manage"];

    /// <summary>The crosswalk as stored with a finding: <c>{"iso_iec_42001": [...], "nist_ai_rmf": [...]}</c>.</summary>
    public JsonObject ToJson() => new()
    {
        ["iso_iec_42001"] = new JsonArray([.. Iso42001.Select(c => (JsonNode?)JsonValue.Create(c))]),
        ["nist_ai_rmf"] = new JsonArray([.. NistAiRmf.Select(c => (JsonNode?)JsonValue.Create(c))]),
    };

    /// <summary>Reads a stored crosswalk; null when <paramref name="json"/> is not one.</summary>
    public static ControlCrosswalk? FromJson(JsonNode? json) => json is JsonObject o
        ? new ControlCrosswalk(Strings(o["iso_iec_42001"]), Strings(o["nist_ai_rmf"]))
        : null;

    private static IReadOnlyList<string> Strings(JsonNode? node) =>
        node is JsonArray a ? [.. a.Select(x => x is JsonValue v && v.TryGetValue(out string? s) ? s : null).OfType<string>()] : [];
}
