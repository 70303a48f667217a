using System.Text.Json.Nodes;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Metadata.Compliance;

/// <summary>The outcome of one tracked compliance assessment.</summary>
/// <param name="Framework">The framework name, e.g. <c>GDPR</c>.</param>
/// <param name="Score">The score in [0, 1].</param>
/// <param name="Passed">Whether the score reached <see cref="Threshold"/>.</param>
/// <param name="MetadataId">The id of the stored compliance record.</param>
/// <param name="Findings">Each requirement, met or not, and why.</param>
public sealed record ComplianceAssessment(string Framework, double Score, bool Passed, string MetadataId, IReadOnlyList<ComplianceFinding> Findings)
{
    /// <summary>The pass mark the score was compared with.</summary>
    public double Threshold { get; init; }

    /// <summary>The model assessed.</summary>
    public string? ModelName { get; init; }

    /// <summary>The model version assessed.</summary>
    public string? ModelVersion { get; init; }

    /// <summary>When the assessment was made (UTC).</summary>
    public DateTimeOffset AssessedAt { get; init; }

    /// <summary>The assessment as JSON (the webhook payload and the report's history entries).</summary>
    public JsonObject ToJson() => new()
    {
        ["framework"] = Framework,
        ["model_name"] = ModelName,
        ["model_version"] = ModelVersion,
        ["compliance_score"] = Score,
        ["passed"] = Passed,
        ["threshold"] = Threshold,
        ["metadata_id"] = MetadataId,
        ["assessed_at"] = PythonTimestamp.Format(AssessedAt),
        ["findings"] = new JsonArray(Findings.Select(f => (JsonNode)f.ToJson()).ToArray()),
    };
}
