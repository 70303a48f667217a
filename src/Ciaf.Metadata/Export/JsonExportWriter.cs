using System.Text;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Metadata.Export;

/// <summary>
/// <c>json</c>: one array of records laid out as the reference's <c>json.dump(records, f, indent=2)</c>;
/// <c>jsonl</c>: one record per line (<c>json.dumps(record)</c>). Both are ASCII-only, Python-compatible
/// (floats as <c>repr</c>, <c>NaN</c> as a bare word) and read back by <see cref="ExportFileReader"/>.
/// </summary>
internal sealed class JsonExportWriter(Stream stream, bool lines) : IRecordExportWriter
{
    private readonly StreamWriter _writer = new(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
    private readonly StringBuilder _buffer = new(1024);
    private bool _first = true;

    public async ValueTask WriteAsync(MetadataRecord record, CancellationToken cancellationToken) =>
        await WriteObjectAsync(RecordJson.ToJsonObject(record), cancellationToken).ConfigureAwait(false);

    public async ValueTask WriteObjectAsync(System.Text.Json.Nodes.JsonObject obj, CancellationToken cancellationToken)
    {
        _buffer.Clear();
        if (lines)
        {
            PythonJson.Write(_buffer, obj, PythonJsonStyle.Compact);
            _buffer.Append('\n');
        }
        else
        {
            _buffer.Append(_first ? "[\n  " : ",\n  ");
            _buffer.Append(PythonJson.Serialize(obj, PythonJsonStyle.Indented).Replace("\n", "\n  ", StringComparison.Ordinal));
        }
        _first = false;
        await _writer.WriteAsync(_buffer, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        if (!lines) await _writer.WriteAsync(_first ? "[]" : "\n]").ConfigureAwait(false);
        await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _writer.DisposeAsync();
}
