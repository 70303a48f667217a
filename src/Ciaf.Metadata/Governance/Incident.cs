using System.Text.Json.Nodes;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Metadata.Governance;

/// <summary>
/// A serious incident as the store records it (<see cref="IncidentRegister"/>): opened with its kind and the time the
/// provider became aware of it, which set its Art. 73 reporting deadline; then reports, notes and closing.
/// </summary>
public sealed record Incident
{
    /// <summary>The incident id: the id of its <c>incident_opened</c> record.</summary>
    public required string Id { get; init; }

    /// <summary>The model.</summary>
    public required string ModelName { get; init; }

    /// <summary>The model version.</summary>
    public required string ModelVersion { get; init; }

    /// <summary>The kind, which sets the deadline.</summary>
    public required IncidentKind Kind { get; init; }

    /// <summary>When the provider became aware of the incident (UTC).</summary>
    public required DateTimeOffset AwareAt { get; init; }

    /// <summary>The reporting deadline: <see cref="AwareAt"/> plus <see cref="IncidentDeadlines.Days"/> days (UTC).</summary>
    public DateTimeOffset DueAt => IncidentDeadlines.DueAt(Kind, AwareAt);

    /// <summary>The latest summary.</summary>
    public required string Summary { get; init; }

    /// <summary>When the first report to the authority was made (an initial, incomplete report counts), or null.</summary>
    public DateTimeOffset? FirstReportedAt { get; init; }

    /// <summary>Whether a complete report was made (after an initial one, Art. 73(5), or at once).</summary>
    public bool ReportComplete { get; init; }

    /// <summary>When the incident was closed, or null while open.</summary>
    public DateTimeOffset? ClosedAt { get; init; }

    /// <summary>How it was resolved, once closed.</summary>
    public string? Resolution { get; init; }

    /// <summary>The ids of its records, oldest first: the opening, each update, the closing.</summary>
    public required IReadOnlyList<string> RecordIds { get; init; }

    /// <summary><c>open</c> or <c>closed</c>.</summary>
    public string Status => ClosedAt is null ? "open" : "closed";

    /// <summary>Where the incident stands against its deadline at <paramref name="now"/> (reported on time or late, due, overdue).</summary>
    public IncidentDeadlineState DeadlineState(DateTimeOffset now) => FirstReportedAt is { } reported
        ? reported <= DueAt ? IncidentDeadlineState.Reported : IncidentDeadlineState.ReportedLate
        : now <= DueAt ? IncidentDeadlineState.Due : IncidentDeadlineState.Overdue;

    /// <summary>The incident as JSON, with its deadline state at <paramref name="now"/>.</summary>
    public JsonObject ToJson(DateTimeOffset now) => new()
    {
        ["id"] = Id,
        ["model_name"] = ModelName,
        ["model_version"] = ModelVersion,
        ["kind"] = IncidentDeadlines.Name(Kind),
        ["aware_at"] = PythonTimestamp.Format(AwareAt),
        ["due_at"] = PythonTimestamp.Format(DueAt),
        ["deadline_days"] = IncidentDeadlines.Days(Kind),
        ["article"] = IncidentDeadlines.Article(Kind),
        ["deadline"] = IncidentDeadlines.Name(DeadlineState(now)),
        ["status"] = Status,
        ["summary"] = Summary,
        ["reported_at"] = FirstReportedAt is { } r ? PythonTimestamp.Format(r) : null,
        ["report_complete"] = ReportComplete,
        ["closed_at"] = ClosedAt is { } c ? PythonTimestamp.Format(c) : null,
        ["resolution"] = Resolution,
        ["records"] = new JsonArray([.. RecordIds.Select(id => (JsonNode?)JsonValue.Create(id))]),
    };
}
