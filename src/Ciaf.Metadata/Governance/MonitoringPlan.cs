using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ciaf.Metadata.Governance;

/// <summary>
/// A model's post-market monitoring plan (Art. 72(3)): conditions evaluated by <see cref="PostMarketMonitor.CheckAsync"/>.
/// Its file (<c>ciaf monitoring plan set MODEL --file plan.json</c>):
/// <code>
/// {"description": "…",
///  "conditions": [{"name": "score_drift", "filter": "stage = 'monitoring' AND metadata.psi.score &gt; 0.2", "window": "7d",
///                  "min_matches": 1, "incident_kind": "serious"}]}
/// </code>
/// </summary>
public sealed record MonitoringPlan
{
    /// <summary>Creates a plan.</summary>
    /// <param name="conditions">At least one condition, with distinct names.</param>
    /// <param name="description">What the plan covers and who acts on a breach.</param>
    /// <exception cref="ArgumentException">No condition, or two with one name.</exception>
    public MonitoringPlan(IReadOnlyList<MonitoringCondition> conditions, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(conditions);
        if (conditions.Count == 0) throw new ArgumentException("conditions: a plan needs at least one condition.", nameof(conditions));
        if (conditions.GroupBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new ArgumentException($"conditions: the name '{twice.Key}' is used twice.", nameof(conditions));
        Conditions = conditions;
        Description = string.IsNullOrWhiteSpace(description) ? null : description;
    }

    /// <summary>The conditions, in order.</summary>
    public IReadOnlyList<MonitoringCondition> Conditions { get; }

    /// <summary>The description, if any.</summary>
    public string? Description { get; }

    /// <summary>The id of the record that holds this plan, once stored (or read back).</summary>
    public string? RecordId { get; init; }

    /// <summary>When the plan was set, once stored.</summary>
    public DateTimeOffset? SetAt { get; init; }

    /// <summary>The plan as stored: <c>{description?, conditions: [...]}</c>.</summary>
    public JsonObject ToJson()
    {
        var o = new JsonObject();
        if (Description is not null) o["description"] = Description;
        o["conditions"] = new JsonArray([.. Conditions.Select(c => (JsonNode)c.ToJson())]);
        return o;
    }

    /// <summary>Reads a plan file's JSON, checking every condition; every problem is listed at once, each naming its field.</summary>
    /// <exception cref="ArgumentException">The JSON is not a valid plan.</exception>
    public static MonitoringPlan Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"The monitoring plan is not JSON: {e.Message}", nameof(json), e);
        }
        return FromJson(root as JsonObject ?? throw new ArgumentException("The monitoring plan must be a JSON object with \"conditions\".", nameof(json)));
    }

    /// <summary>Reads a plan from its JSON object (as <see cref="Parse"/>).</summary>
    /// <exception cref="ArgumentException">It is not a valid plan; the message lists every problem.</exception>
    public static MonitoringPlan FromJson(JsonObject json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var errors = new List<string>();
        foreach (var key in json.Select(p => p.Key).Where(k => k is not ("description" or "conditions")))
        {
            errors.Add($"'{key}' is not a plan field (allowed: description, conditions)");
        }
        string? description = null;
        if (json["description"] is { } d)
        {
            if (d is JsonValue dv && dv.GetValueKind() == JsonValueKind.String) description = dv.GetValue<string>();
            else errors.Add("description: must be a string");
        }
        var conditions = new List<MonitoringCondition>();
        if (json["conditions"] is not JsonArray list || list.Count == 0)
        {
            errors.Add("conditions: must be a non-empty array");
        }
        else
        {
            for (int i = 0; i < list.Count; i++)
            {
                if (ReadCondition(list[i], $"conditions[{i}]", errors) is { } c) conditions.Add(c);
            }
        }
        if (errors.Count == 0)
        {
            try
            {
                return new MonitoringPlan(conditions, description);
            }
            catch (ArgumentException e)
            {
                errors.Add(e.Message.Split(" (Parameter", 2)[0]);
            }
        }
        throw new ArgumentException("Invalid monitoring plan: " + string.Join("; ", errors) + ".", nameof(json));
    }

    /// <summary>The plan stored in a <c>monitoring_plan</c> record.</summary>
    internal static MonitoringPlan FromRecord(MetadataRecord record) =>
        FromJson(record.Metadata) with { RecordId = record.Id, SetAt = record.Timestamp };

    private static MonitoringCondition? ReadCondition(JsonNode? node, string where, List<string> errors)
    {
        if (node is not JsonObject o)
        {
            errors.Add($"{where}: must be an object");
            return null;
        }
        int before = errors.Count;
        foreach (var key in o.Select(p => p.Key).Where(k => k is not ("name" or "filter" or "window" or "min_matches" or "incident_kind")))
        {
            errors.Add($"{where}: '{key}' is not a condition field (allowed: name, filter, window, min_matches, incident_kind)");
        }
        string? name = Text(o, "name", where, errors, required: true);
        string? filter = Text(o, "filter", where, errors, required: true);
        string? window = Text(o, "window", where, errors, required: true);
        int minMatches = 1;
        if (o["min_matches"] is { } m)
        {
            if (m is JsonValue mv && mv.GetValueKind() == JsonValueKind.Number && mv.TryGetValue(out int n)) minMatches = n;
            else errors.Add($"{where}.min_matches: must be a whole number");
        }
        IncidentKind? kind = null;
        if (Text(o, "incident_kind", where, errors, required: false) is { } k)
        {
            if (IncidentDeadlines.TryParseKind(k, out var parsed)) kind = parsed;
            else errors.Add($"{where}.incident_kind: '{k}' is not one of {string.Join(", ", IncidentDeadlines.KindNames)}");
        }
        if (errors.Count > before) return null;
        try
        {
            return new MonitoringCondition(name!, filter!, window!, minMatches, kind);
        }
        catch (ArgumentException e)
        {
            errors.Add($"{where}.{e.Message.Split(" (Parameter", 2)[0]}");
            return null;
        }
    }

    private static string? Text(JsonObject o, string key, string where, List<string> errors, bool required)
    {
        switch (o[key])
        {
            case null:
                if (required) errors.Add($"{where}.{key}: required");
                return null;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                return v.GetValue<string>();
            default:
                errors.Add($"{where}.{key}: must be a string");
                return null;
        }
    }
}
