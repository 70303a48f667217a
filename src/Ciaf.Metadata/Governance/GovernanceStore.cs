using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Compliance;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Search;

namespace Ciaf.Metadata.Governance;

/// <summary>
/// The reads the governance services share, all through the facade's search: a model's records of one stage and
/// event type, in time order, and a model's current version. Filters are built from quoted literals only.
/// </summary>
internal static class GovernanceStore
{
    /// <summary>A filter clause selecting one model (and, when given, one version).</summary>
    public static string ModelClause(string modelName, string? modelVersion = null) =>
        $"model_name = {FilterLexer.QuoteString(modelName)}" + (modelVersion is null ? "" : $" AND model_version = {FilterLexer.QuoteString(modelVersion)}");

    /// <summary>A clause selecting one stage and one or more event types.</summary>
    public static string EventClause(string stage, params string[] eventTypes) =>
        $"stage = {FilterLexer.QuoteString(stage)} AND event_type IN ({string.Join(", ", eventTypes.Select(FilterLexer.QuoteString))})";

    /// <summary>Every record matching <paramref name="filter"/>, oldest first (ties by id), or newest first.</summary>
    public static async Task<List<MetadataRecord>> ListAsync(MetadataStorage storage, string filter, bool newestFirst, CancellationToken cancellationToken,
        int limit = 0)
    {
        var page = await storage.SearchAsync(filter, new SearchOptions { OrderBy = "timestamp", Descending = newestFirst, Limit = limit }, cancellationToken)
            .ConfigureAwait(false);
        return [.. page.Records];
    }

    /// <summary>How many records match <paramref name="filter"/>.</summary>
    public static async Task<long> CountAsync(MetadataStorage storage, string filter, CancellationToken cancellationToken) =>
        await storage.CountAsync(filter, null, cancellationToken).ConfigureAwait(false);

    /// <summary>The version of the model's newest record, or <c>null</c> when the store holds none of the model.</summary>
    public static async Task<string?> LatestVersionAsync(MetadataStorage storage, string modelName, CancellationToken cancellationToken)
    {
        var newest = await storage.GetModelMetadataAsync(modelName, null, 1, cancellationToken).ConfigureAwait(false);
        return newest.Count == 0 ? null : newest[0].ModelVersion;
    }

    /// <summary>The version to write under: <paramref name="modelVersion"/> when given, else the model's current one, else the default.</summary>
    public static async Task<string> VersionOrLatestAsync(MetadataStorage storage, string modelName, string? modelVersion, CancellationToken cancellationToken) =>
        string.IsNullOrEmpty(modelVersion)
            ? await LatestVersionAsync(storage, modelName, cancellationToken).ConfigureAwait(false) ?? Integration.ModelMetadataManager.DefaultModelVersion
            : modelVersion;

    /// <summary>A caller's payload (anonymous object, dictionary, JSON) as a JSON value, or null.</summary>
    /// <exception cref="ArgumentException">It cannot be serialized.</exception>
    public static JsonNode? ToNode(object? value, string paramName)
    {
        try
        {
            return EvidenceReader.ToJsonNode(value);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
        {
            throw new ArgumentException($"The value of '{paramName}' cannot be serialized: {ex.Message}", paramName, ex);
        }
    }

    /// <summary>A string field of a record's metadata, or null.</summary>
    public static string? Text(JsonObject metadata, string key) => EvidenceReader.GetString(metadata, key);

    /// <summary>A timestamp field of a record's metadata, or null.</summary>
    public static DateTimeOffset? Time(JsonObject metadata, string key) =>
        PythonTimestamp.TryParse(Text(metadata, key), out var t) ? t : null;

    /// <summary>A number field, or null.</summary>
    public static double? Number(JsonNode? node) => EvidenceReader.TryGetNumber(node, out var d) ? d : null;

    /// <summary>A double as the documents print it: shortest round-trip, invariant culture.</summary>
    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A JSON value as the documents print it: compact, keys in stored order, the reference's float format.</summary>
    public static string Show(JsonNode? node) => node switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => EvidenceReader.Show(node),
    };
}
