using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Ciaf.Metadata.Tests.Support;

/// <summary>
/// Validates OpenLineage events against the vendored spec (Fixtures/OpenLineage: OpenLineage.json 2-0-2 and the facet
/// schemas): the event as a RunEvent and against the spec's root, and every facet against its own schema. An unknown
/// facet is an error, so every facet emitted is checked by some schema.
/// </summary>
public static class OpenLineageSchemas
{
    private const string SpecId = "https://openlineage.io/spec/2-0-2/OpenLineage.json";

    private static readonly EvaluationOptions Options = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };

    private static readonly Lazy<(JsonSchema Root, JsonSchema RunEvent, Dictionary<string, JsonSchema> Facets)> Schemas = new(Load);

    /// <summary>Every problem with <paramref name="runEvent"/>; empty when it is a valid RunEvent with valid facets.</summary>
    public static IReadOnlyList<string> Validate(JsonNode runEvent)
    {
        var (root, runEventSchema, facets) = Schemas.Value;
        var errors = new List<string>();
        Evaluate(runEventSchema, runEvent, "RunEvent", errors);
        Evaluate(root, runEvent, "OpenLineage.json", errors);
        void Facets(JsonNode? holder, string where)
        {
            if (holder?["facets"] is not JsonObject map) return;
            foreach (var (name, facet) in map)
            {
                if (!facets.TryGetValue(name, out var schema))
                {
                    errors.Add($"{where}.facets.{name}: no vendored schema for this facet");
                    continue;
                }
                Evaluate(schema, new JsonObject { [name] = facet?.DeepClone() }, $"{where}.facets.{name}", errors);
            }
        }
        Facets(runEvent["run"], "run");
        Facets(runEvent["job"], "job");
        foreach (var kind in new[] { "inputs", "outputs" })
        {
            if (runEvent[kind] is not JsonArray datasets) continue;
            for (int i = 0; i < datasets.Count; i++) Facets(datasets[i], $"{kind}[{i}]");
        }
        return errors;
    }

    private static void Evaluate(JsonSchema schema, JsonNode instance, string what, List<string> errors)
    {
        using var document = JsonDocument.Parse(instance.ToJsonString());
        var result = schema.Evaluate(document.RootElement, Options);
        if (result.IsValid) return;
        foreach (var detail in result.Details ?? [])
        {
            foreach (var (keyword, message) in detail.Errors ?? new Dictionary<string, string>())
                errors.Add($"{what}: {detail.InstanceLocation} ({detail.EvaluationPath}) {keyword}: {message}");
        }
        if (errors.Count == 0) errors.Add($"{what}: invalid");
    }

    private static (JsonSchema, JsonSchema, Dictionary<string, JsonSchema>) Load()
    {
        string folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "OpenLineage");
        var registry = new SchemaRegistry();
        var build = new BuildOptions { SchemaRegistry = registry };
        JsonSchema Read(string file)
        {
            var schema = JsonSchema.FromText(File.ReadAllText(Path.Combine(folder, file)), build);
            registry.Register(schema);
            return schema;
        }
        var root = Read("OpenLineage.json");
        var facets = new Dictionary<string, JsonSchema>(StringComparer.Ordinal)
        {
            ["parent"] = Read("ParentRunFacet.json"),
            ["errorMessage"] = Read("ErrorMessageRunFacet.json"),
            ["schema"] = Read("SchemaDatasetFacet.json"),
            ["dataSource"] = Read("DatasourceDatasetFacet.json"),
            ["ciaf_record"] = Read("CiafRecordRunFacet.json"),
        };
        var runEvent = JsonSchema.FromText($$"""{"$schema": "https://json-schema.org/draft/2020-12/schema", "$ref": "{{SpecId}}#/$defs/RunEvent"}""", build);
        return (root, runEvent, facets);
    }
}
