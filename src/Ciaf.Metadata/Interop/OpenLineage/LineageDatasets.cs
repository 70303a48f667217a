using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ciaf.Metadata.Interop.OpenLineage;

/// <summary>
/// The datasets a record names: a data-ingestion record's source is the step's input, a deployment record's artifact or
/// endpoint its output (docs/interop.md has the table). Only what the metadata states is used; nothing is invented.
/// Metadata is read as stored, so an encrypted value (a marker object) names nothing.
/// </summary>
internal static class LineageDatasets
{
    /// <summary>The keys that name a data-ingestion record's source, in the order they are tried.</summary>
    public static readonly string[] SourceKeys = ["source", "data_source", "dataset", "uri", "path", "table"];

    /// <summary>The keys that name what a deployment record deployed, in the order they are tried.</summary>
    public static readonly string[] DeploymentKeys = ["artifact", "model_uri", "model_path", "endpoint", "uri", "path"];

    /// <summary>The keys that list a dataset's columns: an array of names, an array of <c>{name, type}</c>, or an object of name → type.</summary>
    public static readonly string[] ColumnKeys = ["schema", "columns", "features", "feature_names"];

    /// <summary>The keys naming a label column, added to the columns when they do not list it.</summary>
    public static readonly string[] LabelKeys = ["label", "target"];

    /// <summary>The input datasets of <paramref name="record"/>.</summary>
    public static JsonArray Inputs(MetadataRecord record, string jobNamespace, string producer) =>
        record.Stage == PipelineStages.DataIngestion ? Dataset(record.Metadata, SourceKeys, jobNamespace, producer) : [];

    /// <summary>The output datasets of <paramref name="record"/>.</summary>
    public static JsonArray Outputs(MetadataRecord record, string jobNamespace, string producer) =>
        record.Stage == PipelineStages.Deployment ? Dataset(record.Metadata, DeploymentKeys, jobNamespace, producer) : [];

    private static JsonArray Dataset(JsonObject metadata, string[] nameKeys, string jobNamespace, string producer)
    {
        string? value = nameKeys.Select(k => Text(metadata[k])).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
        if (value is null) return [];
        var (ns, name, uri) = Locate(value, jobNamespace);
        var dataSource = Facet(producer, OpenLineageSpec.DatasourceDatasetFacetSchemaUrl);
        dataSource["name"] = value;
        if (uri is not null) dataSource["uri"] = uri;
        var facets = new JsonObject { ["dataSource"] = dataSource };
        if (Columns(metadata) is { Count: > 0 } fields)
        {
            var schema = Facet(producer, OpenLineageSpec.SchemaDatasetFacetSchemaUrl);
            schema["fields"] = fields;
            facets["schema"] = schema;
        }
        return [new JsonObject { ["namespace"] = ns, ["name"] = name, ["facets"] = facets }];
    }

    /// <summary>
    /// OpenLineage dataset naming: a URI <c>scheme://authority/path</c> is namespace <c>scheme://authority</c> and name
    /// <c>path</c>; a rooted file path is namespace <c>file</c>; any other name lives in the job's namespace.
    /// </summary>
    private static (string Namespace, string Name, string? Uri) Locate(string value, string jobNamespace)
    {
        if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && !uri.IsFile && uri.Scheme.Length > 1 && value.Contains("://", StringComparison.Ordinal))
        {
            string path = Uri.UnescapeDataString(uri.AbsolutePath).TrimStart('/');
            return ($"{uri.Scheme}://{uri.Authority}", path.Length == 0 ? value : path, uri.AbsoluteUri);
        }
        if (Path.IsPathFullyQualified(value) || (uri?.IsFile ?? false))
        {
            string path = uri?.IsFile ?? false ? uri.LocalPath : value;
            return ("file", path, new Uri(path).AbsoluteUri);
        }
        return (jobNamespace, value, null);
    }

    private static JsonArray? Columns(JsonObject metadata)
    {
        var fields = new JsonArray();
        var names = new HashSet<string>(StringComparer.Ordinal);
        void Add(string? name, string? type)
        {
            if (string.IsNullOrEmpty(name) || !names.Add(name)) return;
            var field = new JsonObject { ["name"] = name };
            if (!string.IsNullOrEmpty(type)) field["type"] = type;
            fields.Add(field);
        }
        foreach (var key in ColumnKeys)
        {
            switch (metadata[key])
            {
                case JsonObject byName:
                    foreach (var (name, type) in byName) Add(name, Text(type));
                    break;
                case JsonArray list:
                    foreach (var item in list)
                    {
                        if (item is JsonObject column) Add(Text(column["name"]), Text(column["type"]));
                        else Add(Text(item), null);
                    }
                    break;
                default:
                    continue; // a count ("columns": 25) names no column
            }
            if (fields.Count > 0) break;
        }
        if (fields.Count == 0) return null;
        foreach (var key in LabelKeys) Add(Text(metadata[key]), null);
        return fields;
    }

    /// <summary>The string a node holds, or null.</summary>
    public static string? Text(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    /// <summary>A facet's base fields.</summary>
    public static JsonObject Facet(string producer, string schemaUrl) => new() { ["_producer"] = producer, ["_schemaURL"] = schemaUrl };
}
