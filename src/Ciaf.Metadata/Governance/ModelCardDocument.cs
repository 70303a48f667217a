using System.Text.Json.Nodes;
using Ciaf.Metadata.Storage;

namespace Ciaf.Metadata.Governance;

/// <summary>
/// Builds a model card (Model Card Toolkit schema v0.0.2) from a store: details and owners from declared facts, the
/// configuration (<c>user_id</c>) and lifecycle records; parameters and data from training and ingestion records;
/// quantitative analysis from the newest validation record, with one slice per group of every stored fairness
/// breakdown; considerations from declared facts. What is missing is listed in <see cref="ModelCard.Gaps"/>.
/// </summary>
public static class ModelCardDocument
{
    /// <summary>Builds the card of <paramref name="modelName"/> at <paramref name="version"/> (default: the version of its newest record).</summary>
    /// <param name="storage">The store.</param>
    /// <param name="modelName">The model.</param>
    /// <param name="version">The version; null for the current one.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <exception cref="ArgumentException">The store holds no record of the model (or of that version).</exception>
    public static async Task<ModelCard> BuildAsync(MetadataStorage storage, string modelName, string? version = null, CancellationToken cancellationToken = default)
    {
        var e = await ModelEvidence.LoadAsync(storage, modelName, version, cancellationToken).ConfigureAwait(false);
        var gaps = new List<string>();
        string Declare(params string[] facts) =>
            $"`ciaf docs declare {e.ModelName} {string.Join(" ", facts.Select(f => $"--fact {f}=\"…\""))}` (`manager.LogDeclaredFacts`)";

        var details = new JsonObject { ["name"] = e.ModelName };
        if (e.Fact("intended_purpose") is { } purpose) details["overview"] = EvidenceText.Fact(purpose.Value);
        else gaps.Add($"model_details.overview: the intended purpose is not declared; {Declare("intended_purpose")}");
        details["documentation"] = Documentation(e);
        details["owners"] = Owners(e, storage, gaps, Declare("owners"));
        details["version"] = Version(e);
        if (e.Fact("license") is { } license)
        {
            // An SPDX identifier is one token (MIT, Apache-2.0); anything else is a custom licence text.
            string text = EvidenceText.Fact(license.Value);
            details["licenses"] = new JsonArray(new JsonObject { [text.Any(char.IsWhiteSpace) ? "custom_text" : "identifier"] = text });
        }
        else gaps.Add($"model_details.licenses: no licence is declared; {Declare("license")}");
        if (e.Fact("references") is { } refs)
        {
            details["references"] = new JsonArray([.. EvidenceText.FactEntries(refs.Value).Select(r => (JsonNode)new JsonObject { ["reference"] = r })]);
        }

        var parameters = new JsonObject();
        if (e.TrainingStart is { } start)
        {
            parameters["model_architecture"] = string.Join(", ", start.Metadata.Where(kv => kv.Key is "algorithm" or "framework" or "hyperparameters")
                .Select(kv => $"{kv.Key}: {GovernanceStore.Show(kv.Value)}"));
            if (start.Metadata["features"] is { } features && !e.Facts.ContainsKey("input_specifications")) parameters["input_format"] = $"features: {GovernanceStore.Show(features)}";
        }
        else gaps.Add("model_parameters.model_architecture: no training_started record; `manager.LogTrainingStart(new { algorithm, hyperparameters, features })`");
        if (e.Fact("input_specifications") is { } input) parameters["input_format"] = EvidenceText.Fact(input.Value);
        parameters["data"] = Data(e, gaps);
        if (Threshold(e) is { } threshold) parameters["output_format"] = $"a score; the positive decision at or above {GovernanceStore.Format(threshold)} (decision_threshold)";
        else gaps.Add("model_parameters.output_format: no decision_threshold is recorded in validation or deployment records");

        var analysis = new JsonObject { ["performance_metrics"] = Metrics(e, gaps) };

        var considerations = new JsonObject();
        Considerations(e, considerations, "users", "users", gaps, Declare("users"));
        if (e.Fact("use_cases") is not null) Considerations(e, considerations, "use_cases", "use_cases", gaps, Declare("use_cases"));
        else if (e.Fact("intended_purpose") is { } p) considerations["use_cases"] = new JsonArray(new JsonObject { ["description"] = EvidenceText.Fact(p.Value) });
        else gaps.Add($"considerations.use_cases: {Declare("use_cases")}");
        Considerations(e, considerations, "limitations", "limitations", gaps, Declare("limitations"));
        Considerations(e, considerations, "tradeoffs", "tradeoffs", gaps, Declare("tradeoffs"));
        var risks = new[] { "ethical_considerations", "foreseeable_risks" }.Select(e.Fact).OfType<(JsonNode Value, MetadataRecord Record)>()
            .SelectMany(f => f.Value is JsonArray a ? a : new JsonArray(f.Value.DeepClone()))
            .Select(r => r is JsonObject o ? (JsonNode)o.DeepClone() : new JsonObject { ["name"] = GovernanceStore.Show(r) }).ToArray();
        if (risks.Length > 0) considerations["ethical_considerations"] = new JsonArray(risks);
        else gaps.Add($"considerations.ethical_considerations: {Declare("ethical_considerations")}");

        var card = new JsonObject
        {
            ["schema_version"] = ModelCard.SchemaVersion,
            ["model_details"] = details,
            ["model_parameters"] = parameters,
            ["quantitative_analysis"] = analysis,
            ["considerations"] = considerations,
        };
        return new ModelCard { Model = e.ModelName, Version = e.Version, Card = card, Gaps = gaps };
    }

    /// <inheritdoc cref="BuildAsync"/>
    public static ModelCard Build(MetadataStorage storage, string modelName, string? version = null) =>
        SyncOverAsync.Run(new ValueTask<ModelCard>(BuildAsync(storage, modelName, version)));

    private static string Documentation(ModelEvidence e)
    {
        var parts = new List<string>();
        if (e.TrainingStart is { } t) parts.Add($"Trained {EvidenceText.Time(t.Timestamp)} ({GovernanceStore.Text(t.Metadata, "algorithm") ?? t.EventType}).");
        if (e.LatestValidation is { } v) parts.Add($"Validated {EvidenceText.Time(v.Timestamp)}: {EvidenceText.MetricText(v.Metadata)}.");
        if (e.Deployment.Records.Count > 0) parts.Add($"Deployed {EvidenceText.Time(e.Deployment.Records[^1].Timestamp)}" + (e.Deployment.Records[^1].Details is { } d ? $" ({d})." : "."));
        if (e.Plan is not null) parts.Add($"Monitored after deployment under a post-market monitoring plan; {e.Checks.Total} check(s) recorded, {e.Incidents.Count} incident(s).");
        return parts.Count == 0 ? $"{e.ModelName} {e.Version}: no pipeline records to describe yet." : string.Join(" ", parts);
    }

    private static JsonArray Owners(ModelEvidence e, MetadataStorage storage, List<string> gaps, string fill)
    {
        if (e.Fact("owners") is { } owners)
        {
            return new JsonArray([.. ((JsonArray)owners.Value).Select(o => (JsonNode)Owner(
                o is JsonObject obj ? GovernanceStore.Text(obj, "name")! : GovernanceStore.Show(o), o is JsonObject c ? GovernanceStore.Text(c, "contact") : null))]);
        }
        string name = e.Fact("provider") is { } provider ? EvidenceText.Fact(provider.Value) : storage.UserId;
        gaps.Add($"model_details.owners: no owners are declared, so the {(e.Fact("provider") is null ? "store's user (configuration user_id)" : "provider")} is shown; {fill}");
        return new JsonArray(Owner(name, null));
    }

    private static JsonObject Owner(string name, string? contact)
    {
        var o = new JsonObject { ["name"] = name };
        if (contact is not null) o["contact"] = contact;
        return o;
    }

    private static JsonObject Version(ModelEvidence e)
    {
        var v = new JsonObject { ["name"] = e.Version };
        var first = e.Initialized.Records.Where(r => r.ModelVersion == e.Version).Select(r => (DateTimeOffset?)r.Timestamp).Min();
        if (first is { } date) v["date"] = date.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var modification = e.Modifications.Records.LastOrDefault(r => r.ModelVersion == e.Version);
        if (modification is not null) v["diff"] = $"{GovernanceStore.Text(modification.Metadata, "description")} (trigger: {GovernanceStore.Text(modification.Metadata, "trigger")})";
        return v;
    }

    private static JsonArray Data(ModelEvidence e, List<string> gaps)
    {
        var data = new JsonArray();
        foreach (var r in e.Ingestion.Records)
        {
            var set = new JsonObject
            {
                ["name"] = GovernanceStore.Text(r.Metadata, "source") ?? $"{r.Stage}/{r.EventType} {EvidenceText.Time(r.Timestamp)}",
                ["description"] = $"Training data ({EvidenceText.Time(r.Timestamp)}): " + EvidenceText.Fields(r.Metadata, "source", "protected_attributes"),
            };
            if (r.Metadata["protected_attributes"] is JsonArray sensitive)
            {
                set["sensitive"] = new JsonObject { ["sensitive_data"] = new JsonArray([.. sensitive.Select(s => (JsonNode?)JsonValue.Create(GovernanceStore.Show(s)))]) };
            }
            data.Add(set);
        }
        if (e.LatestValidation is { } v)
        {
            data.Add(new JsonObject
            {
                ["name"] = "validation",
                ["description"] = $"Evaluation data ({EvidenceText.Time(v.Timestamp)}" + (v.Details is { } d ? $", {d}" : "") + ")"
                    + (v.Metadata.Where(kv => kv.Key.EndsWith("_samples", StringComparison.Ordinal)).Select(kv => $"{kv.Key}: {GovernanceStore.Show(kv.Value)}").ToList() is { Count: > 0 } sizes
                        ? ": " + string.Join(", ", sizes) : ""),
            });
        }
        if (data.Count == 0) gaps.Add("model_parameters.data: no data ingestion or validation records; `manager.LogDataIngestion(new { source, rows, … })`");
        return data;
    }

    private static JsonArray Metrics(ModelEvidence e, List<string> gaps)
    {
        var metrics = new JsonArray();
        if (e.LatestValidation is not { } v)
        {
            gaps.Add("quantitative_analysis.performance_metrics: no validation record; `manager.LogValidation(new { accuracy, … })`");
            return metrics;
        }
        // The schema's values are strings (the shortest text that round-trips the double).
        foreach (var m in EvidenceText.Metrics(v.Metadata))
        {
            var metric = new JsonObject { ["type"] = m.Name, ["value"] = GovernanceStore.Format(m.Value) };
            if (m.CiLow is { } lo && m.CiHigh is { } hi)
            {
                metric["confidence_interval"] = new JsonObject { ["lower_bound"] = GovernanceStore.Format(lo), ["upper_bound"] = GovernanceStore.Format(hi) };
            }
            metrics.Add(metric);
        }
        var groups = EvidenceText.Groups(v.Metadata);
        foreach (var attribute in groups)
        {
            foreach (var g in attribute.Groups)
            {
                string slice = $"{attribute.Attribute}={g.Group}";
                metrics.Add(new JsonObject { ["type"] = "selection_rate", ["value"] = GovernanceStore.Format(g.SelectionRate), ["slice"] = slice });
                if (g.TruePositiveRate is { } tpr) metrics.Add(new JsonObject { ["type"] = "true_positive_rate", ["value"] = GovernanceStore.Format(tpr), ["slice"] = slice });
                if (g.FalsePositiveRate is { } fpr) metrics.Add(new JsonObject { ["type"] = "false_positive_rate", ["value"] = GovernanceStore.Format(fpr), ["slice"] = slice });
            }
        }
        if (groups.Count == 0) gaps.Add("quantitative_analysis: the validation record holds no per-group breakdown (a fairness report's \"groups\" counts), so there are no slices");
        return metrics;
    }

    private static void Considerations(ModelEvidence e, JsonObject considerations, string key, string fact, List<string> gaps, string fill)
    {
        if (e.Fact(fact) is { } f)
        {
            considerations[key] = new JsonArray([.. EvidenceText.FactEntries(f.Value).Select(d => (JsonNode)new JsonObject { ["description"] = d })]);
        }
        else gaps.Add($"considerations.{key}: {fill}");
    }

    private static double? Threshold(ModelEvidence e) =>
        e.Validation.Records.Concat(e.Deployment.Records).Select(r => GovernanceStore.Number(r.Metadata["decision_threshold"])).LastOrDefault(t => t is not null);
}
