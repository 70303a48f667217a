using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Metadata.Export;

/// <summary>
/// <c>xml</c>: well-formed whatever the metadata holds. Element names are fixed; metadata keys are never
/// tag names (the reference's bug) but escaped <c>name</c> attributes:
/// <code>
/// &lt;ciaf_metadata format="ciaf-export" version="1"&gt;
///   &lt;metadata_record&gt;
///     &lt;id&gt;...&lt;/id&gt; ... &lt;details null="true" /&gt;
///     &lt;metadata&gt;
///       &lt;field name="accuracy" type="number"&gt;0.92&lt;/field&gt;
///       &lt;field name="params" type="object"&gt;&lt;field name="tags" type="array"&gt;&lt;item type="string"&gt;a&lt;/item&gt;&lt;/field&gt;&lt;/field&gt;
///     &lt;/metadata&gt;
///   &lt;/metadata_record&gt;
/// &lt;/ciaf_metadata&gt;
/// </code>
/// A key or text holding characters XML 1.0 cannot carry (U+0000 and other control characters, lone
/// surrogates) is written as a JSON string literal, marked <c>name-encoding="json"</c> or
/// <c>encoding="json"</c>: nothing is dropped and the document stays well-formed. Carriage returns are
/// written as character references so they survive parsing.
/// </summary>
internal sealed class XmlExportWriter : IRecordExportWriter
{
    private readonly XmlWriter _xml;

    public XmlExportWriter(Stream stream)
    {
        _xml = XmlWriter.Create(stream, new XmlWriterSettings
        {
            Encoding = new UTF8Encoding(false),
            Indent = true,
            NewLineHandling = NewLineHandling.Entitize,
            CheckCharacters = true, // a bug here must fail the export, never produce a malformed file
            CloseOutput = false,
        });
        _xml.WriteStartDocument();
        _xml.WriteStartElement("ciaf_metadata");
        _xml.WriteAttributeString("format", "ciaf-export");
        _xml.WriteAttributeString("version", "1");
    }

    // XmlWriter buffers a bounded amount and writes through to the stream; synchronous calls keep it simple.
    public ValueTask WriteAsync(MetadataRecord record, CancellationToken cancellationToken)
    {
        _xml.WriteStartElement("metadata_record");
        Field("id", record.Id);
        Field("model_name", record.ModelName);
        Field("model_version", record.ModelVersion);
        Field("stage", record.Stage);
        Field("event_type", record.EventType);
        Field("timestamp", PythonTimestamp.Format(record.Timestamp));
        Field("metadata_hash", record.MetadataHash);
        Field("details", record.Details);
        _xml.WriteStartElement("metadata");
        foreach (var (key, value) in record.Metadata) Node("field", key, value);
        _xml.WriteEndElement();
        _xml.WriteEndElement();
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.CompletedTask;
    }

    public ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        _xml.WriteEndElement();
        _xml.WriteEndDocument();
        _xml.Flush();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _xml.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Whether XML 1.0 can carry <paramref name="text"/> as is.</summary>
    public static bool IsXmlSafe(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (XmlConvert.IsXmlChar(c)) continue;
            if (i + 1 < text.Length && XmlConvert.IsXmlSurrogatePair(text[i + 1], c))
            {
                i++;
                continue;
            }
            return false;
        }
        return true;
    }

    private void Field(string element, string? value)
    {
        _xml.WriteStartElement(element);
        if (value is null) _xml.WriteAttributeString("null", "true");
        else Text(value);
        _xml.WriteEndElement();
    }

    private void Node(string element, string? name, JsonNode? value)
    {
        _xml.WriteStartElement(element);
        if (name is not null)
        {
            if (IsXmlSafe(name))
            {
                _xml.WriteAttributeString("name", name);
            }
            else
            {
                _xml.WriteAttributeString("name", PythonJson.Serialize(JsonValue.Create(name), PythonJsonStyle.Compact));
                _xml.WriteAttributeString("name-encoding", "json");
            }
        }
        switch (value)
        {
            case null:
                _xml.WriteAttributeString("type", "null");
                break;
            case JsonObject obj:
                _xml.WriteAttributeString("type", "object");
                foreach (var (key, child) in obj) Node("field", key, child);
                break;
            case JsonArray arr:
                _xml.WriteAttributeString("type", "array");
                foreach (var child in arr) Node("item", null, child);
                break;
            default:
                var kind = value.GetValueKind();
                switch (kind)
                {
                    case JsonValueKind.String:
                        _xml.WriteAttributeString("type", "string");
                        Text(value.GetValue<string>());
                        break;
                    case JsonValueKind.True or JsonValueKind.False:
                        _xml.WriteAttributeString("type", "boolean");
                        _xml.WriteString(kind == JsonValueKind.True ? "true" : "false");
                        break;
                    case JsonValueKind.Null:
                        _xml.WriteAttributeString("type", "null");
                        break;
                    default:
                        _xml.WriteAttributeString("type", "number");
                        _xml.WriteString(PythonJson.Serialize(value, PythonJsonStyle.Compact));
                        break;
                }
                break;
        }
        _xml.WriteEndElement();
    }

    private void Text(string value)
    {
        if (IsXmlSafe(value))
        {
            _xml.WriteString(value);
        }
        else
        {
            _xml.WriteAttributeString("encoding", "json");
            _xml.WriteString(PythonJson.Serialize(JsonValue.Create(value), PythonJsonStyle.Compact));
        }
    }
}
