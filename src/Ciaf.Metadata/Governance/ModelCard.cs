using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Encodings.Web;
using System.Text.Json.Nodes;

namespace Ciaf.Metadata.Governance;

/// <summary>
/// A model card in the Model Card Toolkit's schema v0.0.2 (<c>model_card.schema.json</c>), filled from a store
/// (<see cref="ModelCardDocument.BuildAsync"/>, <c>ciaf model-card</c>), with the gaps the store could not fill.
/// </summary>
public sealed record ModelCard
{
    /// <summary>The schema version written in the card: <c>0.0.2</c>.</summary>
    public const string SchemaVersion = "0.0.2";

    /// <summary>The model.</summary>
    public required string Model { get; init; }

    /// <summary>The version described.</summary>
    public required string Version { get; init; }

    /// <summary>The card: an object valid against the Model Card Toolkit schema v0.0.2.</summary>
    public required JsonObject Card { get; init; }

    /// <summary>What the store could not fill, each with how to record it (not part of the schema's JSON).</summary>
    public required IReadOnlyList<string> Gaps { get; init; }

    /// <summary>The card's JSON (the schema's, nothing else), indented, ending with a newline.</summary>
    public string ToJson() => Card.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";

    /// <summary>The card as Markdown, with the gaps at the end.</summary>
    public string ToMarkdown()
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        var details = Card["model_details"] as JsonObject ?? [];
        sb.Append(c, $"# Model card: {Model} {Version}\n");
        foreach (var (title, text) in Paragraphs(details)) sb.Append(c, $"\n## {title}\n\n{text}\n");
        foreach (var (title, entries) in Lists())
        {
            sb.Append(c, $"\n## {title}\n\n");
            foreach (var e in entries) sb.Append("- ").Append(e).Append('\n');
        }
        if (Metrics().ToList() is { Count: > 0 } metrics)
        {
            sb.Append("\n## Quantitative analysis\n\n| Metric | Slice | Value |\n|---|---|---:|\n");
            foreach (var (type, slice, value) in metrics) sb.Append(c, $"| {type} | {slice ?? "overall"} | {value} |\n");
        }
        if (Gaps.Count > 0)
        {
            sb.Append("\n## Gaps\n\n");
            foreach (var g in Gaps) sb.Append("- ").Append(g).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>The card as a standalone HTML page (every value encoded).</summary>
    public string ToHtml()
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder(DocumentText.HtmlHead($"Model card: {Model} {Version}"));
        sb.Append(c, $"<h1>Model card: {DocumentText.E(Model)} {DocumentText.E(Version)}</h1>\n");
        foreach (var (title, text) in Paragraphs(Card["model_details"] as JsonObject ?? [])) sb.Append(c, $"<h2>{DocumentText.E(title)}</h2>\n<p>{DocumentText.Code(text)}</p>\n");
        foreach (var (title, entries) in Lists())
        {
            sb.Append(c, $"<h2>{DocumentText.E(title)}</h2>\n<ul>\n");
            foreach (var e in entries) sb.Append(c, $"<li>{DocumentText.Code(e)}</li>\n");
            sb.Append("</ul>\n");
        }
        if (Metrics().ToList() is { Count: > 0 } metrics)
        {
            sb.Append("<h2>Quantitative analysis</h2>\n<table>\n<tr><th>Metric</th><th>Slice</th><th>Value</th></tr>\n");
            foreach (var (type, slice, value) in metrics) sb.Append(c, $"<tr><td>{DocumentText.E(type)}</td><td>{DocumentText.E(slice ?? "overall")}</td><td>{DocumentText.E(value)}</td></tr>\n");
            sb.Append("</table>\n");
        }
        if (Gaps.Count > 0)
        {
            sb.Append("<h2>Gaps</h2>\n<ul>\n");
            foreach (var g in Gaps) sb.Append(c, $"<li>{DocumentText.Code(g)}</li>\n");
            sb.Append("</ul>\n");
        }
        sb.Append("</body>\n</html>\n");
        return sb.ToString();
    }

    private static IEnumerable<(string Title, string Text)> Paragraphs(JsonObject details)
    {
        if (Str(details["overview"]) is { } overview) yield return ("Overview", overview);
        if (Str(details["documentation"]) is { } doc) yield return ("Documentation", doc);
        if (details["version"] is JsonObject v)
        {
            yield return ("Version", $"{Str(v["name"])}" + (Str(v["date"]) is { } d ? $", {d}" : "") + (Str(v["diff"]) is { } diff ? $". Changes: {diff}" : ""));
        }
    }

    private IEnumerable<(string Title, IReadOnlyList<string> Entries)> Lists()
    {
        var details = Card["model_details"] as JsonObject ?? [];
        var parameters = Card["model_parameters"] as JsonObject ?? [];
        var considerations = Card["considerations"] as JsonObject ?? [];
        (string, IReadOnlyList<string>)? Of(string title, JsonNode? array, Func<JsonObject, string?> entry) =>
            array is JsonArray a && a.Count > 0 ? (title, [.. a.OfType<JsonObject>().Select(entry).OfType<string>()]) : null;
        var all = new[]
        {
            Of("Owners", details["owners"], o => Str(o["name"]) + (Str(o["contact"]) is { } contact ? $" ({contact})" : "")),
            Of("Licences", details["licenses"], o => Str(o["identifier"]) ?? Str(o["custom_text"])),
            Of("References", details["references"], o => Str(o["reference"])),
            parameters["model_architecture"] is { } arch ? ("Architecture", [Str(arch)!]) : null,
            Of("Data", parameters["data"], o => $"{Str(o["name"])}: {Str(o["description"])}"
                + (o["sensitive"]?["sensitive_data"] is JsonArray s && s.Count > 0 ? $" (sensitive: {string.Join(", ", s.Select(Str))})" : "")),
            parameters["input_format"] is { } input ? ("Input format", [Str(input)!]) : null,
            parameters["output_format"] is { } output ? ("Output format", [Str(output)!]) : null,
            Of("Users", considerations["users"], o => Str(o["description"])),
            Of("Use cases", considerations["use_cases"], o => Str(o["description"])),
            Of("Limitations", considerations["limitations"], o => Str(o["description"])),
            Of("Trade-offs", considerations["tradeoffs"], o => Str(o["description"])),
            Of("Ethical considerations", considerations["ethical_considerations"], o => Str(o["name"]) + (Str(o["mitigation_strategy"]) is { } m ? $". Mitigation: {m}" : "")),
        };
        return all.Where(x => x is not null).Select(x => x!.Value);
    }

    private IEnumerable<(string Type, string? Slice, string Value)> Metrics() =>
        (Card["quantitative_analysis"]?["performance_metrics"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(m => (Str(m["type"]) ?? "", Str(m["slice"]), GovernanceStore.Show(m["value"])
                + (m["confidence_interval"] is JsonObject ci ? $" [{Str(ci["lower_bound"])}, {Str(ci["upper_bound"])}]" : "")));

    private static string? Str(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
}
