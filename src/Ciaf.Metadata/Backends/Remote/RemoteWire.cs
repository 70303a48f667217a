using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Metadata.Backends.Remote;

/// <summary>
/// The remote backend's wire format, shared by the client (<see cref="RemoteMetadataBackend"/>) and the server's side
/// (<see cref="RemoteBackendHost"/>). Records, compliance events and audit entries travel as the reference's dicts
/// (<see cref="RecordJson"/>, the <c>audit_trail</c> columns); a record's metadata is its stored compact text verbatim
/// (Python's <c>json.dumps</c>, <c>NaN</c> included), so what arrives hashes exactly as what was sent. Documents are
/// read with <see cref="PythonJson.Parse(ReadOnlySpan{byte})"/>. Times in requests are round-trip ISO 8601 (100 ns).
/// </summary>
internal static class RemoteWire
{
    /// <summary>The protocol this library speaks; the server says its own in <c>GET /api/v1/backend/info</c>.</summary>
    public const int ProtocolVersion = 1;

    /// <summary>The header a client sets when it sends a request again (the server then skips items it holds unchanged).</summary>
    public const string RetryHeader = "Ciaf-Retry";

    /// <summary>Where the backend's operations are, under the server's URL.</summary>
    public const string BackendPath = "api/v1/backend/";

    /// <summary>Where records are written (the public <c>POST /api/v1/records</c>, with each record's id, timestamp and hash).</summary>
    public const string RecordsPath = "api/v1/records";

    /// <summary>The streamed scan's content type: one JSON object per line.</summary>
    public const string NdjsonContentType = "application/x-ndjson";

    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false };

    // ------------------------------------------------------------------ writing

    /// <summary>A JSON document built by <paramref name="write"/>, as UTF-8 bytes.</summary>
    public static byte[] Build(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions)) write(writer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes <paramref name="write"/>'s document into <paramref name="buffer"/> (appending).</summary>
    public static void Append(ArrayBufferWriter<byte> buffer, Action<Utf8JsonWriter> write)
    {
        using var writer = new Utf8JsonWriter(buffer, WriterOptions);
        write(writer);
    }

    /// <summary>A record as the reference's dict, its metadata as the stored compact text.</summary>
    public static void WriteRecord(Utf8JsonWriter w, MetadataRecord r)
    {
        w.WriteStartObject();
        w.WriteString("id", r.Id);
        w.WriteString("model_name", r.ModelName);
        w.WriteString("model_version", r.ModelVersion);
        w.WriteString("stage", r.Stage);
        w.WriteString("event_type", r.EventType);
        w.WriteString("timestamp", PythonTimestamp.Format(r.Timestamp));
        w.WriteString("metadata_hash", r.MetadataHash);
        w.WriteString("details", r.Details);
        w.WritePropertyName("metadata");
        // Python's json.dumps text (ASCII, NaN and Infinity as Python writes them): sent as is, hashed as is.
        w.WriteRawValue(r.CompactUtf8, skipInputValidation: true);
        w.WriteEndObject();
    }

    /// <summary>A compliance event as the reference's dict.</summary>
    public static void WriteEvent(Utf8JsonWriter w, ComplianceEvent e)
    {
        w.WriteStartObject();
        w.WriteString("id", e.Id);
        w.WriteString("metadata_id", e.MetadataId);
        w.WriteString("framework", e.Framework);
        w.WritePropertyName("compliance_score");
        if (e.ComplianceScore is { } score) w.WriteRawValue(PythonJson.FormatFloat(score), skipInputValidation: true);
        else w.WriteNullValue();
        w.WriteString("validation_status", e.ValidationStatus);
        w.WriteString("timestamp", PythonTimestamp.Format(e.Timestamp));
        w.WriteString("details", e.Details);
        w.WriteEndObject();
    }

    /// <summary>An audit entry: the <c>audit_trail</c> columns, <c>details</c> as its JSON text.</summary>
    public static void WriteAudit(Utf8JsonWriter w, AuditEntry e)
    {
        w.WriteStartObject();
        w.WriteString("id", e.Id);
        w.WriteString("parent_id", e.ParentId);
        w.WriteString("action", e.Action);
        w.WriteString("timestamp", PythonTimestamp.Format(e.Timestamp));
        w.WriteString("user_id", e.UserId);
        w.WriteString("details", e.Details);
        w.WriteEndObject();
    }

    /// <summary>A keyset position <c>{"timestamp", "id"}</c>: where the next page starts.</summary>
    public static void WriteKey(Utf8JsonWriter w, string name, DateTimeOffset timestamp, string id)
    {
        w.WriteStartObject(name);
        w.WriteString("timestamp", Time(timestamp));
        w.WriteString("id", id);
        w.WriteEndObject();
    }

    /// <summary>Writes <paramref name="value"/> under <paramref name="name"/> as a round-trip time, unless it is null.</summary>
    public static void WriteTime(Utf8JsonWriter w, string name, DateTimeOffset? value)
    {
        if (value is { } v) w.WriteString(name, Time(v));
    }

    /// <summary>Writes <paramref name="value"/> under <paramref name="name"/> unless it is null.</summary>
    public static void WriteOptional(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null) w.WriteString(name, value);
    }

    /// <summary>A round-trip UTC time (<c>O</c>: 100 ns, so no bound moves).</summary>
    public static string Time(DateTimeOffset value) => value.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    // ------------------------------------------------------------------ reading

    /// <summary>A JSON object from UTF-8 bytes (Python's extensions accepted).</summary>
    /// <exception cref="FormatException">Not JSON, or not an object.</exception>
    public static JsonObject ParseObject(ReadOnlySpan<byte> utf8)
    {
        JsonNode? node;
        try
        {
            node = PythonJson.Parse(utf8);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1})", ex);
        }
        return node as JsonObject ?? throw new FormatException("the document is not a JSON object");
    }

    /// <summary>A record from its dict (the dict gives up its metadata node: no copy).</summary>
    public static MetadataRecord ReadRecord(JsonNode? node, string field) => node is JsonObject o
        ? Field(field, () => RecordJson.FromOwnedJsonObject(o))
        : throw new ArgumentException($"'{field}' must be a record object.", field);

    /// <summary>A compliance event from its dict.</summary>
    public static ComplianceEvent ReadEvent(JsonNode? node, string field) => node is JsonObject o
        ? Field(field, () => RecordJson.ComplianceEventFromJsonObject(o))
        : throw new ArgumentException($"'{field}' must be a compliance event object.", field);

    /// <summary>An audit entry from its columns.</summary>
    public static AuditEntry ReadAudit(JsonNode? node, string field)
    {
        if (node is not JsonObject o) throw new ArgumentException($"'{field}' must be an audit entry object.", field);
        string timestamp = Text(o, "timestamp", field) ?? throw Missing(field, "timestamp");
        if (!PythonTimestamp.TryParse(timestamp, out var at))
            throw new ArgumentException($"'{field}.timestamp' is not an ISO 8601 time: '{timestamp}'.", $"{field}.timestamp");
        return new AuditEntry(Text(o, "id", field) ?? throw Missing(field, "id"), Text(o, "parent_id", field),
            Text(o, "action", field) ?? throw Missing(field, "action"), at, Text(o, "user_id", field), Text(o, "details", field));
    }

    /// <summary>The items of an array field (missing: none).</summary>
    public static JsonArray Array(JsonObject o, string name) => o[name] switch
    {
        null => [],
        JsonArray a => a,
        _ => throw new ArgumentException($"'{name}' must be an array.", name),
    };

    /// <summary>A string field, or null when absent or null.</summary>
    public static string? Text(JsonObject o, string name, string? prefix = null)
    {
        string field = prefix is null ? name : $"{prefix}.{name}";
        return o[name] switch
        {
            null => null,
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            var other => throw new ArgumentException($"'{field}' must be a string, not {other.GetValueKind().ToString().ToLowerInvariant()}.", field),
        };
    }

    /// <summary>A whole-number field within [<paramref name="min"/>, <paramref name="max"/>], or null when absent.</summary>
    public static long? Integer(JsonObject o, string name, long min, long max) => o[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out long n) && n >= min && n <= max => n,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out JsonElement e) && e.TryGetInt64(out long n) && n >= min && n <= max => n,
        _ => throw new ArgumentException($"'{name}' must be a whole number from {min} to {max}.", name),
    };

    /// <summary>A round-trip time field, or null when absent.</summary>
    public static DateTimeOffset? Time(JsonObject o, string name, string? prefix = null)
    {
        if (Text(o, name, prefix) is not { } text) return null;
        return DateTimeOffset.TryParseExact(text, "O", CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var value)
            || DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value)
            ? value.ToUniversalTime()
            : throw new ArgumentException($"'{(prefix is null ? name : $"{prefix}.{name}")}' must be an ISO 8601 time, not '{text}'.", name);
    }

    /// <summary>A keyset position written by <see cref="WriteKey"/>, or null when absent.</summary>
    public static (DateTimeOffset Timestamp, string Id)? Key(JsonObject o, string name) => o[name] switch
    {
        null => null,
        JsonObject key => (Time(key, "timestamp", name) ?? throw Missing(name, "timestamp"), Text(key, "id", name) ?? throw Missing(name, "id")),
        _ => throw new ArgumentException($"'{name}' must be an object {{\"timestamp\", \"id\"}}.", name),
    };

    private static ArgumentException Missing(string prefix, string name) =>
        new($"'{prefix}.{name}' is required.", $"{prefix}.{name}");

    private static T Field<T>(string field, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (FormatException ex)
        {
            throw new ArgumentException($"'{field}': {ex.Message}.", field, ex);
        }
    }
}
