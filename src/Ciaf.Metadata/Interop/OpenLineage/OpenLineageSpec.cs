namespace Ciaf.Metadata.Interop.OpenLineage;

/// <summary>
/// The OpenLineage spec this library emits (2-0-2) and the facet schemas it uses, as the URLs events and facets name
/// in their <c>schemaURL</c> / <c>_schemaURL</c>.
/// </summary>
public static class OpenLineageSpec
{
    /// <summary>The spec version: <c>2-0-2</c>.</summary>
    public const string Version = "2-0-2";

    /// <summary>Every event's <c>schemaURL</c>: the RunEvent definition of the 2-0-2 spec.</summary>
    public const string RunEventSchemaUrl = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";

    /// <summary>The parent run facet (1-2-0).</summary>
    public const string ParentRunFacetSchemaUrl = "https://openlineage.io/spec/facets/1-2-0/ParentRunFacet.json#/$defs/ParentRunFacet";

    /// <summary>The error message run facet (1-0-1), on <c>FAIL</c> events.</summary>
    public const string ErrorMessageRunFacetSchemaUrl = "https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet";

    /// <summary>The schema dataset facet (1-2-0), where a record names its columns.</summary>
    public const string SchemaDatasetFacetSchemaUrl = "https://openlineage.io/spec/facets/1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet";

    /// <summary>The data source dataset facet (1-0-1).</summary>
    public const string DatasourceDatasetFacetSchemaUrl = "https://openlineage.io/spec/facets/1-0-1/DatasourceDatasetFacet.json#/$defs/DatasourceDatasetFacet";

    /// <summary>The key of this library's run facet in <c>run.facets</c>: <c>ciaf_record</c>.</summary>
    public const string RecordFacetName = "ciaf_record";

    /// <summary>
    /// The <c>_schemaURL</c> of the <see cref="RecordFacetName"/> facet: its JSON schema, in this repository at
    /// <c>docs/openlineage/CiafRecordRunFacet.json</c>.
    /// </summary>
    public static readonly string RecordFacetSchemaUrl =
        $"https://github.com/ciaf/ciaf-metadata-dotnet/blob/v{LibraryVersion}/docs/openlineage/CiafRecordRunFacet.json#/$defs/CiafRecordRunFacet";

    /// <summary>The default <c>producer</c>: this library's source at its version.</summary>
    public static readonly Uri DefaultProducer = new($"https://github.com/ciaf/ciaf-metadata-dotnet/tree/v{LibraryVersion}/src/Ciaf.Metadata");

    private static string LibraryVersion => typeof(OpenLineageSpec).Assembly.GetName().Version is { } v
        ? $"{v.Major}.{v.Minor}.{Math.Max(0, v.Build)}"
        : "0.0.0";
}
