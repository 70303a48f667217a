using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ciaf.Metadata.Hashing;

/// <summary>
/// Converts records and compliance events to and from the reference's dictionaries
/// (<c>{id, model_name, model_version, stage, event_type, timestamp, metadata_hash, details, metadata}</c>
/// in that order) and the files the JSON backend writes (<c>json.dump(record, f, indent=2)</c>).
/// </summary>
public static class RecordJson
{
    /// <summary>The reference's default model version.</summary>
    public const string DefaultModelVersion = "1.0.0";

    /// <summary>The record as the reference's dict, keys in the reference's order.</summary>
    public static JsonObject ToJsonObject(MetadataRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new JsonObject
        {
            ["id"] = record.Id,
            ["model_name"] = record.ModelName,
            ["model_version"] = record.ModelVersion,
            ["stage"] = record.Stage,
            ["event_type"] = record.EventType,
            ["timestamp"] = PythonTimestamp.Format(record.Timestamp),
            ["metadata_hash"] = record.MetadataHash,
            ["details"] = record.Details,
            ["metadata"] = Clone(record.Metadata),
        };
    }

    /// <summary>The record file's bytes: <c>json.dump(record, f, indent=2)</c> (ASCII).</summary>
    public static byte[] ToFileBytes(MetadataRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.HeldCompactUtf8 is not { } compact) return PythonJson.SerializeToUtf8Bytes(ToJsonObject(record), PythonJsonStyle.Indented);
        // A record from the save path's fast lane: its compact text re-indented as it is, no nodes parsed and copied.
        var w = PythonJsonWriter.Rent();
        try
        {
            Field(w, "{\n  \"id\": "u8, record.Id);
            Field(w, ",\n  \"model_name\": "u8, record.ModelName);
            Field(w, ",\n  \"model_version\": "u8, record.ModelVersion);
            Field(w, ",\n  \"stage\": "u8, record.Stage);
            Field(w, ",\n  \"event_type\": "u8, record.EventType);
            Field(w, ",\n  \"timestamp\": "u8, PythonTimestamp.Format(record.Timestamp));
            Field(w, ",\n  \"metadata_hash\": "u8, record.MetadataHash);
            Field(w, ",\n  \"details\": "u8, record.Details);
            w.WriteRaw(",\n  \"metadata\": "u8);
            w.WriteIndentedCompact(compact, depth: 1);
            w.WriteRaw("\n}"u8);
            return w.Written.ToArray();
        }
        finally
        {
            w.Return();
        }

        static void Field(PythonJsonWriter w, ReadOnlySpan<byte> prefix, string? value)
        {
            w.WriteRaw(prefix);
            if (value is null) w.WriteRaw("null"u8);
            else w.WriteString(value);
        }
    }

    /// <summary>Reads a record from the reference's dict (which is left as it is: the record holds a copy of its metadata).</summary>
    /// <exception cref="FormatException">A required field is missing or has the wrong type, or the metadata nests deeper than <see cref="MetadataConverter.MaxDepth"/> levels.</exception>
    public static MetadataRecord FromJsonObject(JsonObject obj) => FromFields(obj, owned: false, depthChecked: false);

    /// <summary>
    /// <see cref="FromJsonObject"/> for a dict its caller built or parsed for this record alone: the metadata node is
    /// detached from it and kept, not copied, so a lazily parsed document stays unparsed until someone reads it.
    /// </summary>
    /// <param name="obj">The dict; its <c>metadata</c> is removed.</param>
    /// <param name="depthChecked">Whether the caller already checked the depth (on the text, which builds no nodes).</param>
    /// <exception cref="FormatException">As <see cref="FromJsonObject"/>.</exception>
    internal static MetadataRecord FromOwnedJsonObject(JsonObject obj, bool depthChecked = false) => FromFields(obj, owned: true, depthChecked);

    private static MetadataRecord FromFields(JsonObject obj, bool owned, bool depthChecked)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var metadata = obj["metadata"] as JsonObject ?? throw new FormatException("field 'metadata' is missing or not an object");
        if (!depthChecked) MetadataConverter.CheckStoredDepth(metadata);
        var version = OptionalString(obj, "model_version");
        string id = RequiredString(obj, "id"), model = RequiredString(obj, "model_name"), stage = RequiredString(obj, "stage");
        string eventType = RequiredString(obj, "event_type");
        var timestamp = PythonTimestamp.Parse(RequiredString(obj, "timestamp"));
        string hash = OptionalString(obj, "metadata_hash") ?? string.Empty;
        string? details = OptionalString(obj, "details");
        if (owned) obj.Remove("metadata");
        return new MetadataRecord(id, model, string.IsNullOrEmpty(version) ? DefaultModelVersion : version, stage, eventType,
            timestamp, hash, details, owned ? metadata : (JsonObject)Clone(metadata)!);
    }

    /// <summary>Parses a record file written by the reference or by us.</summary>
    /// <exception cref="FormatException">The bytes are not a record.</exception>
    public static MetadataRecord FromFileBytes(ReadOnlySpan<byte> utf8)
    {
        // The record dict is one level above its metadata.
        MetadataConverter.CheckStoredDepth(utf8, levelsAbove: 1);
        JsonNode? node;
        try
        {
            node = PythonJson.Parse(utf8);
        }
        catch (JsonException ex)
        {
            throw new FormatException("not valid JSON: " + ex.Message, ex);
        }
        return FromOwnedJsonObject(node as JsonObject ?? throw new FormatException("the document is not a JSON object"), depthChecked: true);
    }

    /// <summary>
    /// A pipeline trace as the reference's <c>get_pipeline_trace</c> dict: <c>{model_name, trace_generated, record_count,
    /// stages: {stage: [{id, event_type, timestamp, details, metadata}]}}</c>, stages in pipeline order.
    /// </summary>
    public static JsonObject ToJsonObject(PipelineTrace trace)
    {
        var stages = new JsonObject();
        foreach (var stage in trace.Stages)
        {
            stages[stage.Stage] = new JsonArray([.. stage.Entries.Select(e => (JsonNode)new JsonObject
            {
                ["id"] = e.Id,
                ["event_type"] = e.EventType,
                ["timestamp"] = PythonTimestamp.Format(e.Timestamp),
                ["details"] = e.Details,
                ["metadata"] = e.Metadata.DeepClone(),
            })]);
        }
        return new JsonObject
        {
            ["model_name"] = trace.ModelName,
            ["trace_generated"] = PythonTimestamp.Format(trace.TraceGenerated),
            ["record_count"] = trace.EntryCount,
            ["stages"] = stages,
        };
    }

    /// <summary>The compliance event as the reference's dict.</summary>
    public static JsonObject ToJsonObject(ComplianceEvent ev)
    {
        ArgumentNullException.ThrowIfNull(ev);
        return new JsonObject
        {
            ["id"] = ev.Id,
            ["metadata_id"] = ev.MetadataId,
            ["framework"] = ev.Framework,
            ["compliance_score"] = ev.ComplianceScore is { } s ? JsonValue.Create(s) : null,
            ["validation_status"] = ev.ValidationStatus,
            ["timestamp"] = PythonTimestamp.Format(ev.Timestamp),
            ["details"] = ev.Details,
        };
    }

    /// <summary>The compliance event file's bytes (<c>indent=2</c>, ASCII).</summary>
    public static byte[] ToFileBytes(ComplianceEvent ev) => PythonJson.SerializeToUtf8Bytes(ToJsonObject(ev), PythonJsonStyle.Indented);

    /// <summary>Reads a compliance event from the reference's dict.</summary>
    /// <exception cref="FormatException">A required field is missing or has the wrong type.</exception>
    public static ComplianceEvent ComplianceEventFromJsonObject(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        double? score = obj["compliance_score"] switch
        {
            null => null,
            JsonValue v when v.GetValueKind() == JsonValueKind.Number => ToDouble(v),
            _ => throw new FormatException("field 'compliance_score' is not a number"),
        };
        return new ComplianceEvent(
            RequiredString(obj, "id"),
            OptionalString(obj, "metadata_id"),
            RequiredString(obj, "framework"),
            score,
            OptionalString(obj, "validation_status"),
            PythonTimestamp.Parse(RequiredString(obj, "timestamp")),
            OptionalString(obj, "details"));
    }

    /// <summary>Parses a compliance event file.</summary>
    /// <exception cref="FormatException">The bytes are not a compliance event.</exception>
    public static ComplianceEvent ComplianceEventFromFileBytes(ReadOnlySpan<byte> utf8)
    {
        JsonNode? node;
        try
        {
            node = PythonJson.Parse(utf8);
        }
        catch (JsonException ex)
        {
            throw new FormatException("not valid JSON: " + ex.Message, ex);
        }
        return ComplianceEventFromJsonObject(node as JsonObject ?? throw new FormatException("the document is not a JSON object"));
    }

    // JsonNode.DeepClone copies a value System.Text.Json has no converter for (a CLR BigInteger) by serializing
    // it as an object of its public properties ({"IsEven": ...}); PythonJson hashes it as its digits, so the
    // copy must keep the digits.
    private static JsonNode? Clone(JsonNode? node) => node switch
    {
        null => null,
        JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, Clone(p.Value)))),
        JsonArray arr => new JsonArray([.. arr.Select(Clone)]),
        JsonValue v when v.TryGetValue(out System.Numerics.BigInteger big) => JsonNode.Parse(big.ToString(CultureInfo.InvariantCulture)),
        _ => node.DeepClone(),
    };

    private static double ToDouble(JsonValue v) =>
        v.TryGetValue(out JsonElement e) ? e.GetDouble() : Convert.ToDouble(v.GetValue<object>(), CultureInfo.InvariantCulture);

    private static string RequiredString(JsonObject obj, string key) =>
        OptionalString(obj, key) ?? throw new FormatException($"field '{key}' is missing");

    private static string? OptionalString(JsonObject obj, string key) => obj[key] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => throw new FormatException($"field '{key}' is not a string"),
    };
}
