using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ciaf.Metadata.Governance;

/// <summary>
/// The facts a provider declares for the Annex IV documentation and the model card, and their checks. Declared facts
/// are stored as <c>documentation/facts_declared</c> records, one key per fact; the newest declaration of a fact wins.
/// </summary>
public static class DeclaredFacts
{
    /// <summary>Every fact, in the order of the Annex IV items and then the model card.</summary>
    public static IReadOnlyList<DeclaredFact> All { get; } =
    [
        Fact("intended_purpose", "The intended purpose of the system (Art. 3(12)): what it is for, and for whom.", "1(a)", "model card: overview, use_cases"),
        Fact("provider", "The provider's name (Art. 3(3)).", "1(a)", "model card: owners"),
        Fact("interactions", "How the system interacts with hardware or software (other AI systems included) that are not part of it.", "1(b)"),
        Fact("software_versions", "The versions of relevant software or firmware, and requirements for version updates.", "1(c)"),
        Fact("distribution_forms", "The forms in which the system is placed on the market or put into service (package, API, embedded).", "1(d)"),
        Fact("hardware", "The hardware the system is intended to run on.", "1(e)"),
        Fact("product_integration", "Where the system is a component of products: their external features, marking and internal layout (or 'not applicable').", "1(f)"),
        Fact("user_interface", "A basic description of the user interface provided to the deployer.", "1(g)"),
        Fact("instructions_for_use", "The instructions for use for the deployer (Art. 13), or where they are published.", "1(h)"),
        Fact("development_methods", "Methods and steps of development, including pre-trained systems or third-party tools and how they were used.", "2(a)"),
        Fact("design_rationale", "The key design choices with their rationale and assumptions, what the system optimises for, trade-offs made.", "2(b)"),
        Fact("architecture", "The system architecture: how software components build on or feed into each other.", "2(c)"),
        Fact("data_labelling", "Labelling procedures and how the data was obtained and selected.", "2(d)"),
        Fact("oversight_assessment", "The assessment of the human oversight measures needed (Art. 14), including aids to interpret outputs (Art. 13(3)(d)).", "2(e)"),
        Fact("predetermined_changes", "Pre-determined changes to the system and its performance, and how continued compliance is ensured (or 'none').", "2(f)"),
        Fact("cybersecurity", "The cybersecurity measures put in place (Art. 15(5)).", "2(h)"),
        Fact("limitations", "Capabilities and limitations in performance; the data the system should not be expected to perform well on.", "3", "model card: limitations"),
        new("foreseeable_risks", DeclaredFactKind.Risks, "Foreseeable unintended outcomes and sources of risk to health, safety, fundamental rights (names, with mitigations).", ["3", "model card: ethical_considerations"]),
        Fact("input_specifications", "Specifications of the input data.", "3"),
        Fact("metrics_rationale", "Why the performance metrics used are appropriate for this system.", "4"),
        Fact("risk_management", "The risk management system (Art. 9): process, identified risks, measures, residual risks, testing.", "5"),
        Fact("standards", "The harmonised standards applied (or the solutions adopted instead) and other standards and specifications.", "7"),
        Fact("declaration_of_conformity", "The EU declaration of conformity (Art. 47): its text, or where the signed copy is kept.", "8"),
        Fact("post_market_system", "How performance is evaluated in the post-market phase beyond the monitoring plan (Art. 72).", "9"),
        new("owners", DeclaredFactKind.Owners, "The people or teams who own the model, with contacts.", ["model card: owners"]),
        Fact("license", "The model's licence: an SPDX identifier, or the text of a custom licence.", "model card: licenses"),
        new("references", DeclaredFactKind.Links, "Links with more information about the model.", ["model card: references"]),
        Fact("users", "The intended users.", "model card: users"),
        Fact("use_cases", "The intended use cases.", "model card: use_cases"),
        Fact("tradeoffs", "Known trade-offs in accuracy or performance.", "model card: tradeoffs"),
        new("ethical_considerations", DeclaredFactKind.Risks, "Ethical or environmental risks of applying the model (names, with mitigations).", ["model card: ethical_considerations"]),
    ];

    private static readonly Dictionary<string, DeclaredFact> ByName = All.ToDictionary(f => f.Name, StringComparer.Ordinal);

    /// <summary>The fact named <paramref name="name"/>, or null.</summary>
    public static DeclaredFact? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>
    /// Every problem with a set of facts: unknown names (with the known ones), values of the wrong shape. Empty when valid.
    /// </summary>
    /// <param name="facts">The facts, one key per fact.</param>
    public static IReadOnlyList<string> Validate(JsonObject facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var errors = new List<string>();
        if (facts.Count == 0) errors.Add("no facts given");
        foreach (var (name, value) in facts)
        {
            if (Find(name) is not { } fact)
            {
                errors.Add($"'{name}' is not a declared fact; known: {string.Join(", ", All.Select(f => f.Name))}");
                continue;
            }
            if (ShapeError(fact, value) is { } error) errors.Add($"{name}: {error}");
        }
        return errors;
    }

    /// <summary>The facts as a record payload, checked.</summary>
    /// <exception cref="ArgumentException">A fact is unknown or ill-shaped; the message lists every problem.</exception>
    internal static JsonObject Checked(object? facts, string paramName)
    {
        var node = GovernanceStore.ToNode(facts, paramName) as JsonObject
            ?? throw new ArgumentException("The facts must be an object with one key per fact.", paramName);
        var errors = Validate(node);
        if (errors.Count > 0) throw new ArgumentException("Invalid declared facts: " + string.Join("; ", errors) + ".", paramName);
        return node;
    }

    private static DeclaredFact Fact(string name, string description, params string[] usedBy) => new(name, DeclaredFactKind.Text, description, usedBy);

    private static string? ShapeError(DeclaredFact fact, JsonNode? value)
    {
        switch (fact.Kind)
        {
            case DeclaredFactKind.Text:
                if (IsText(value)) return null;
                if (value is JsonArray a && a.Count > 0 && a.All(IsText)) return null;
                return "must be a non-empty string or an array of non-empty strings";
            case DeclaredFactKind.Owners:
                return value is JsonArray owners && owners.Count > 0 && owners.All(o => IsText(o) || (o is JsonObject obj && IsText(obj["name"]) && (obj["contact"] is null || IsText(obj["contact"]))))
                    ? null : "must be an array of names or of {\"name\": …, \"contact\": …} objects";
            case DeclaredFactKind.Risks:
                return value is JsonArray risks && risks.Count > 0 && risks.All(r => IsText(r) || (r is JsonObject obj && IsText(obj["name"]) && (obj["mitigation_strategy"] is null || IsText(obj["mitigation_strategy"]))))
                    ? null : "must be an array of names or of {\"name\": …, \"mitigation_strategy\": …} objects";
            default:
                return value is JsonArray links && links.Count > 0 && links.All(l => IsText(l) && Uri.TryCreate(l!.GetValue<string>(), UriKind.Absolute, out _))
                    ? null : "must be an array of absolute URIs";
        }
    }

    private static bool IsText(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>().Trim().Length > 0;
}
