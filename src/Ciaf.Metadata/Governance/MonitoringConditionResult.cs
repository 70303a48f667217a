using System.Text.Json.Nodes;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Metadata.Governance;

/// <summary>One condition as a check found it.</summary>
/// <param name="Name">The condition's name.</param>
/// <param name="Filter">Its filter, as written in the plan.</param>
/// <param name="Window">Its window, as written (<c>7d</c>).</param>
/// <param name="WindowStart">The start of the window: the check's time minus the window.</param>
/// <param name="Matches">How many records matched in the window.</param>
/// <param name="MinMatches">How many breach it.</param>
/// <param name="MatchedIds">The newest matching records' ids (at most <see cref="PostMarketMonitor.MaxMatchedIds"/>).</param>
public sealed record MonitoringConditionResult(string Name, string Filter, string Window, DateTimeOffset WindowStart, long Matches, int MinMatches,
    IReadOnlyList<string> MatchedIds)
{
    /// <summary>Whether the condition is breached: at least <see cref="MinMatches"/> matches.</summary>
    public bool Breached => Matches >= MinMatches;

    /// <summary>The result as stored in the check record.</summary>
    public JsonObject ToJson() => new()
    {
        ["name"] = Name,
        ["filter"] = Filter,
        ["window"] = Window,
        ["window_start"] = PythonTimestamp.Format(WindowStart),
        ["matches"] = Matches,
        ["min_matches"] = MinMatches,
        ["breached"] = Breached,
        ["matched_ids"] = new JsonArray([.. MatchedIds.Select(id => (JsonNode?)JsonValue.Create(id))]),
    };
}
