using System.Buffers;
using System.Text.Json;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Metadata.Audit;

/// <summary>
/// One audit entry as one JSON line: <c>{"id", "parent_id", "action", "timestamp", "user_id", "details"}</c>,
/// the <c>audit_trail</c> columns in their order, the timestamp as Python's <c>isoformat()</c>, <c>details</c>
/// a string (JSON text) or null. ASCII only, so a line is never split inside a character.
/// </summary>
internal static class AuditJson
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Default,
        Indented = false,
    };

    /// <summary>Appends the entry and a <c>\n</c> to <paramref name="buffer"/>.</summary>
    public static void WriteLine(ArrayBufferWriter<byte> buffer, AuditEntry entry)
    {
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("id", entry.Id);
            writer.WriteString("parent_id", entry.ParentId);
            writer.WriteString("action", entry.Action);
            writer.WriteString("timestamp", PythonTimestamp.Format(entry.Timestamp));
            writer.WriteString("user_id", entry.UserId);
            writer.WriteString("details", entry.Details);
            writer.WriteEndObject();
        }
        buffer.Write("\n"u8);
    }

    /// <summary>Parses one line.</summary>
    /// <exception cref="FormatException">The line is not an audit entry.</exception>
    public static AuditEntry ParseLine(ReadOnlySpan<byte> line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line.ToArray());
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new FormatException("an audit line must be a JSON object");
            string id = Required(root, "id");
            string action = Required(root, "action");
            string ts = Required(root, "timestamp");
            if (!PythonTimestamp.TryParse(ts, out var timestamp)) throw new FormatException($"timestamp '{ts}' is not an ISO 8601 timestamp");
            return new AuditEntry(id, Optional(root, "parent_id"), action, timestamp, Optional(root, "user_id"), Optional(root, "details"));
        }
        catch (JsonException ex)
        {
            throw new FormatException("an audit line is not valid JSON: " + ex.Message, ex);
        }
    }

    private static string Required(JsonElement root, string name) =>
        Optional(root, name) ?? throw new FormatException($"'{name}' is missing or null");

    private static string? Optional(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw new FormatException($"'{name}' is not a string");
    }
}
