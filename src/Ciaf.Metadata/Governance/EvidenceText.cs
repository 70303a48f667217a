using System.Text.Json;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Metadata.Governance;

/// <summary>Turns records and declared facts into the sentences of the documents, deterministically.</summary>
internal static class EvidenceText
{
    /// <summary>Top-level numeric fields that describe a test set or a setting rather than a performance measure.</summary>
    private static readonly string[] NotMetrics = ["_samples", "_count", "_size", "_rows", "threshold", "seed"];

    public static string Time(DateTimeOffset t) => PythonTimestamp.Format(t);

    /// <summary>A declared fact as one line: a string as written; a list joined with "; "; owners "name (contact)"; risks "name: mitigation".</summary>
    public static string Fact(JsonNode value) => value switch
    {
        JsonArray a => string.Join("; ", a.Select(Entry)),
        _ => Entry(value),
    };

    /// <summary>A declared fact as list entries (one per element).</summary>
    public static IEnumerable<string> FactEntries(JsonNode value) => value is JsonArray a ? a.Select(Entry) : [Entry(value)];

    private static string Entry(JsonNode? node) => node switch
    {
        JsonObject o when GovernanceStore.Text(o, "name") is { } name =>
            GovernanceStore.Text(o, "contact") is { } contact ? $"{name} ({contact})"
            : GovernanceStore.Text(o, "mitigation_strategy") is { } m ? $"{name}: {m}" : name,
        _ => GovernanceStore.Show(node),
    };

    /// <summary>The record's fields as <c>key: value</c> (values compact JSON, strings as written), skipping <paramref name="skip"/>.</summary>
    public static string Fields(JsonObject metadata, params string[] skip) =>
        string.Join(", ", metadata.Where(kv => !skip.Contains(kv.Key)).Select(kv => $"{kv.Key}: {GovernanceStore.Show(kv.Value)}"));

    /// <summary>One line about a record: its time, stage/event and description.</summary>
    public static string Describe(MetadataRecord r) =>
        $"{Time(r.Timestamp)} {r.Stage}/{r.EventType}" + (string.IsNullOrWhiteSpace(r.Details) ? "" : $": {r.Details}");

    /// <summary>
    /// The performance measures of a validation record: its top-level numbers that are not sizes or settings, and its
    /// top-level <c>{"value": n, "ci_low": n, "ci_high": n}</c> objects (a measure with its confidence interval).
    /// </summary>
    public static IReadOnlyList<Metric> Metrics(JsonObject metadata) =>
        [.. metadata.Where(kv => !NotMetrics.Any(n => kv.Key.EndsWith(n, StringComparison.Ordinal)))
            .Select(kv => kv.Value switch
            {
                JsonValue v when v.GetValueKind() == JsonValueKind.Number => new Metric(kv.Key, GovernanceStore.Number(v)!.Value, null, null),
                JsonObject o when o.Count <= 3 && GovernanceStore.Number(o["value"]) is { } value
                    && o.All(p => p.Key is "value" or "ci_low" or "ci_high") => new Metric(kv.Key, value, GovernanceStore.Number(o["ci_low"]), GovernanceStore.Number(o["ci_high"])),
                _ => null,
            })
            .OfType<Metric>()];

    /// <summary>The metrics as <c>name = value</c> (with <c>[low, high]</c> when an interval is stored), comma-separated.</summary>
    public static string MetricText(JsonObject metadata) =>
        string.Join(", ", Metrics(metadata).Select(m => $"{m.Name} = {GovernanceStore.Format(m.Value)}"
            + (m.CiLow is { } lo && m.CiHigh is { } hi ? $" [{GovernanceStore.Format(lo)}, {GovernanceStore.Format(hi)}]" : "")));

    /// <summary>
    /// The per-group counts a validation record holds: every object with a <c>groups</c> array of <c>{group, total,
    /// selected, label_positives?, true_positives?, false_positives?}</c> (as <c>FairnessReport.ToJson</c> stores them),
    /// found at any depth, named by its path (<c>fairness.gender</c>).
    /// </summary>
    public static IReadOnlyList<GroupSlices> Groups(JsonObject metadata)
    {
        var found = new List<GroupSlices>();
        Walk(metadata, "", found, 0);
        return found;
    }

    private static void Walk(JsonObject node, string path, List<GroupSlices> found, int depth)
    {
        if (depth > 4) return;
        if (node["groups"] is JsonArray groups && groups.All(g => g is JsonObject go && GovernanceStore.Text(go, "group") is not null && GovernanceStore.Number(go["total"]) is not null))
        {
            string attribute = path.Length == 0 ? "group" : path[(path.LastIndexOf('.') + 1)..];
            found.Add(new GroupSlices(path, attribute, [.. groups.Cast<JsonObject>().Select(GroupSlice.From)], node));
            return;
        }
        foreach (var (key, value) in node)
        {
            if (value is JsonObject child) Walk(child, path.Length == 0 ? key : $"{path}.{key}", found, depth + 1);
        }
    }
}

/// <summary>One performance measure, with its confidence interval when one is stored.</summary>
internal sealed record Metric(string Name, double Value, double? CiLow, double? CiHigh);

/// <summary>The groups of one attribute in a validation record (at <paramref name="Path"/>).</summary>
internal sealed record GroupSlices(string Path, string Attribute, IReadOnlyList<GroupSlice> Groups, JsonObject Source)
{
    /// <summary>A line per attribute: each group's size and rates, and the stored disparity measures.</summary>
    public string Text()
    {
        var parts = Groups.Select(g => $"{g.Group} (n = {g.Total}): selection rate {GovernanceStore.Format(g.SelectionRate)}"
            + (g.TruePositiveRate is { } tpr ? $", true positive rate {GovernanceStore.Format(tpr)}" : "")
            + (g.FalsePositiveRate is { } fpr ? $", false positive rate {GovernanceStore.Format(fpr)}" : ""));
        string line = $"{Attribute}: " + string.Join("; ", parts);
        var measures = new[] { "adverse_impact_ratio", "demographic_parity_difference", "equalized_odds_difference", "equal_opportunity_difference" }
            .Where(k => Source[k] is JsonValue).Select(k => $"{k} = {GovernanceStore.Show(Source[k])}").ToList();
        if (Source["passes_four_fifths_rule"] is JsonValue pass) measures.Add($"four-fifths rule (29 CFR 1607.4(D)) {(EvidenceReaderTruth(pass) ? "met" : "NOT met")}");
        return measures.Count == 0 ? line : $"{line}. {string.Join(", ", measures)}";
    }

    private static bool EvidenceReaderTruth(JsonNode node) => Compliance.EvidenceReader.IsTrue(node);
}

/// <summary>One group's counts and the rates computed from them.</summary>
internal sealed record GroupSlice(string Group, long Total, long Selected, long? LabelPositives, long? TruePositives, long? FalsePositives)
{
    public double SelectionRate => Total == 0 ? 0 : (double)Selected / Total;

    public double? TruePositiveRate => TruePositives is { } tp && LabelPositives is > 0 ? (double)tp / LabelPositives.Value : null;

    public double? FalsePositiveRate => FalsePositives is { } fp && LabelPositives is { } p && Total - p > 0 ? (double)fp / (Total - p) : null;

    public static GroupSlice From(JsonObject o)
    {
        static long? N(JsonNode? n) => GovernanceStore.Number(n) is { } d ? (long)d : null;
        return new GroupSlice(GovernanceStore.Text(o, "group")!, N(o["total"]) ?? 0, N(o["selected"]) ?? 0, N(o["label_positives"]), N(o["true_positives"]), N(o["false_positives"]));
    }
}
