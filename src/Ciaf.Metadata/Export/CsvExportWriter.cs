using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CsvHelper;
using CsvHelper.Configuration;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Metadata.Export;

/// <summary>
/// <c>csv</c>: RFC 4180 (CsvHelper), UTF-8, one header for every record: the record fields, then the union of
/// the flattened metadata columns (<see cref="MetadataFlattener"/>) in the order first met. The columns are
/// collected by a first pass over the same records (<see cref="ColumnCollector"/>), so the header is known
/// before the first row and memory stays flat.
/// </summary>
/// <remarks>
/// <b>Formula injection.</b> A text cell starting with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, tab or carriage return
/// would be run as a formula by a spreadsheet; such a cell is written with a leading <c>'</c> (OWASP's advice).
/// A metadata value that is a JSON <i>number</i> (e.g. <c>-0.5</c>) is written as is: its text follows the strict
/// JSON number grammar, so it cannot be a formula, and it stays a number for the spreadsheet. A string
/// <c>"-0.5"</c> is text and is neutralized like any other text.
/// </remarks>
internal sealed class CsvExportWriter : IRecordExportWriter
{
    /// <summary>The record fields, first in every header.</summary>
    public static readonly string[] RecordColumns =
        ["id", "model_name", "model_version", "stage", "event_type", "timestamp", "metadata_hash", "details"];

    private readonly CsvWriter _csv;
    private readonly IReadOnlyList<string> _metadataColumns;
    private readonly Dictionary<string, int> _indexByColumn;
    private readonly string?[] _cells;
    private readonly Action<MetadataRecord, string>? _unknownColumn;

    public CsvExportWriter(Stream stream, IReadOnlyList<string> metadataColumns, Action<MetadataRecord, string>? unknownColumn = null)
    {
        _csv = CreateCsvWriter(stream);
        _metadataColumns = metadataColumns;
        _indexByColumn = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < metadataColumns.Count; i++) _indexByColumn[metadataColumns[i]] = i;
        _cells = new string?[metadataColumns.Count];
        _unknownColumn = unknownColumn;
        foreach (var column in RecordColumns) _csv.WriteField(Neutralize(column));
        foreach (var column in metadataColumns) _csv.WriteField(Neutralize(column));
        _csv.NextRecord();
    }

    /// <summary>
    /// A CSV writer over <paramref name="stream"/> (left open): UTF-8 without BOM, CRLF rows, and no injection handling
    /// of its own — cells are neutralized with <see cref="Neutralize"/>, which exempts numbers (CsvHelper's would prefix them too).
    /// </summary>
    public static CsvWriter CreateCsvWriter(Stream stream) =>
        new(new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true), new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            InjectionOptions = InjectionOptions.None,
            NewLine = "\r\n",
        });

    /// <summary>Prefixes <c>'</c> to text a spreadsheet would run as a formula.</summary>
    public static string? Neutralize(string? text) =>
        text is { Length: > 0 } && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + text : text;

    public async ValueTask WriteAsync(MetadataRecord record, CancellationToken cancellationToken)
    {
        _csv.WriteField(Neutralize(record.Id));
        _csv.WriteField(Neutralize(record.ModelName));
        _csv.WriteField(Neutralize(record.ModelVersion));
        _csv.WriteField(Neutralize(record.Stage));
        _csv.WriteField(Neutralize(record.EventType));
        _csv.WriteField(PythonTimestamp.Format(record.Timestamp));
        _csv.WriteField(Neutralize(record.MetadataHash));
        _csv.WriteField(Neutralize(record.Details));
        Array.Clear(_cells);
        MetadataFlattener.Flatten(record.Metadata, (path, value) =>
        {
            if (!_indexByColumn.TryGetValue(path, out int index))
            {
                _unknownColumn?.Invoke(record, path);
                return;
            }
            string? text = MetadataFlattener.CellText(value);
            _cells[index] = MetadataFlattener.IsNumber(value) ? text : Neutralize(text);
        });
        foreach (var cell in _cells) _csv.WriteField(cell);
        await _csv.NextRecordAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }

    // CsvHelper flushes (and disposes) its text writer with it; the stream stays open for the caller.
    public async ValueTask CompleteAsync(CancellationToken cancellationToken) => await _csv.FlushAsync().ConfigureAwait(false);

    public ValueTask DisposeAsync() => _csv.DisposeAsync();

    /// <summary>The first pass: the union of metadata columns, in the order first met.</summary>
    internal sealed class ColumnCollector
    {
        private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
        private readonly List<string> _columns = [];

        public IReadOnlyList<string> Columns => _columns;

        public void Add(JsonObject metadata) => MetadataFlattener.Flatten(metadata, (path, _) =>
        {
            if (_seen.Add(path)) _columns.Add(path);
        });
    }
}
