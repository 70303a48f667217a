using System.Text.Json.Nodes;
using Ciaf.Metadata;
using Ciaf.Server.Problems;

namespace Ciaf.Server.Api;

/// <summary>
/// Reads the body of <c>POST /records</c> (records with an <c>id</c> are the remote backend's, written by
/// <c>RemoteBackendHost</c>): one entry object or an array of them, each
/// <c>{"model_name", "stage", "event_type", "metadata"?, "model_version"?, "details"?}</c>. A wrong type, a missing field
/// or an unknown one is a 400 naming it (<c>[2].stage</c>); nothing is saved.
/// </summary>
internal static class RecordEntryReader
{
    private static readonly HashSet<string> Fields = ["model_name", "stage", "event_type", "metadata", "model_version", "details"];

    public static (IReadOnlyList<MetadataEntry> Entries, bool IsArray) Read(JsonNode body)
    {
        switch (body)
        {
            case JsonObject one:
                return ([Read(one, string.Empty)], false);
            case JsonArray many:
                if (many.Count == 0) throw RequestProblemException.BadRequest("body", "The array holds no records.");
                var entries = new List<MetadataEntry>(many.Count);
                for (int i = 0; i < many.Count; i++)
                {
                    string prefix = $"[{i}].";
                    if (many[i] is not JsonObject o) throw RequestProblemException.BadRequest($"[{i}]", $"[{i}] must be a record object.");
                    entries.Add(Read(o, prefix));
                }
                return (entries, true);
            default:
                throw RequestProblemException.BadRequest("body", "The body must be a record object or an array of them.");
        }
    }

    private static MetadataEntry Read(JsonObject o, string prefix)
    {
        JsonBody.RejectUnknownFields(o, Fields, prefix, "a record");
        var metadata = o["metadata"];
        if (metadata is not null and not JsonObject)
            throw RequestProblemException.BadRequest(prefix + "metadata", $"'{prefix}metadata' must be a JSON object (or absent).");
        return new MetadataEntry(Required(o, prefix, "model_name"), Required(o, prefix, "stage"), Required(o, prefix, "event_type"),
            metadata?.DeepClone(), Optional(o, prefix, "model_version"), Optional(o, prefix, "details"));
    }

    private static string Required(JsonObject o, string prefix, string name) =>
        Optional(o, prefix, name) ?? throw RequestProblemException.BadRequest(prefix + name, $"'{prefix}{name}' is required (a string).");

    private static string? Optional(JsonObject o, string prefix, string name) => JsonBody.String(o, name, prefix);
}
