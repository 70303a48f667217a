using System.Text.Json.Nodes;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Metadata.Governance;

/// <summary>One evaluation of a model's monitoring plan, as recorded in its <c>monitoring_check</c> record.</summary>
/// <param name="Id">The check record's id.</param>
/// <param name="ModelName">The model.</param>
/// <param name="PlanId">The id of the plan's record.</param>
/// <param name="CheckedAt">When the check ran: the end of every window.</param>
/// <param name="Conditions">Each condition's result, in the plan's order.</param>
/// <param name="IncidentId">The incident the check opened, if it opened one.</param>
public sealed record MonitoringCheck(string Id, string ModelName, string PlanId, DateTimeOffset CheckedAt,
    IReadOnlyList<MonitoringConditionResult> Conditions, string? IncidentId)
{
    /// <summary>Whether any condition was breached.</summary>
    public bool Breached => Conditions.Any(c => c.Breached);

    /// <summary>The check as JSON: <c>{id, model_name, plan_id, checked_at, breached, conditions, incident_id}</c>.</summary>
    public JsonObject ToJson() => new()
    {
        ["id"] = Id,
        ["model_name"] = ModelName,
        ["plan_id"] = PlanId,
        ["checked_at"] = PythonTimestamp.Format(CheckedAt),
        ["breached"] = Breached,
        ["conditions"] = new JsonArray([.. Conditions.Select(c => (JsonNode)c.ToJson())]),
        ["incident_id"] = IncidentId,
    };
}
