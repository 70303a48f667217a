using System.Text.Json;
using Json.Schema;

namespace Ciaf.Metadata.Tests.Support;

/// <summary>
/// The Model Card Toolkit's schema v0.0.2, vendored unchanged in Fixtures/model-card-toolkit (see its README), and
/// validation against it with JsonSchema.Net, formats required (a card's <c>version.date</c> must be a date).
/// </summary>
public static class ModelCardSchema
{
    private static readonly Lazy<JsonSchema> Schema = new(() =>
        JsonSchema.FromText(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "model-card-toolkit", "model_card.schema.json"))));

    /// <summary>Every error of <paramref name="cardJson"/> against the schema, as "location: message"; empty when valid.</summary>
    public static IReadOnlyList<string> Errors(string cardJson)
    {
        using var doc = JsonDocument.Parse(cardJson);
        var results = Schema.Value.Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        if (results.IsValid) return [];
        return [.. (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key} {e.Value}"))];
    }
}
