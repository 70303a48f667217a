using Ciaf.Metadata.Hashing;
using Parquet;
using Parquet.Schema;

namespace Ciaf.Metadata.Export;

/// <summary>
/// <c>parquet</c> (Parquet.Net): typed columns for the record fields — strings, <c>timestamp</c> as a UTC
/// timestamp with microseconds — and <c>metadata</c> as a JSON string column (<c>json.dumps(metadata)</c>,
/// exact Python float text). Rows are written in row groups of <c>export_batch_size</c> records, so at most
/// one group is held in memory.
/// </summary>
internal sealed class ParquetExportWriter : IRecordExportWriter
{
    public static readonly DataField<string> Id = new("id", nullable: false);
    public static readonly DataField<string> ModelName = new("model_name", nullable: false);
    public static readonly DataField<string> ModelVersion = new("model_version", nullable: false);
    public static readonly DataField<string> Stage = new("stage", nullable: false);
    public static readonly DataField<string> EventType = new("event_type", nullable: false);
    public static readonly DateTimeDataField Timestamp = new("timestamp", DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros, isNullable: false);
    public static readonly DataField<string> MetadataHash = new("metadata_hash", nullable: false);
    public static readonly DataField<string> Details = new("details", nullable: true);
    public static readonly DataField<string> Metadata = new("metadata", nullable: false);

    public static readonly ParquetSchema Schema = new(Id, ModelName, ModelVersion, Stage, EventType, Timestamp, MetadataHash, Details, Metadata);

    private readonly Stream _stream;
    private readonly int _rowGroupSize;
    private readonly List<MetadataRecord> _rows;
    private ParquetWriter? _writer;

    public ParquetExportWriter(Stream stream, int rowGroupSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rowGroupSize, 1);
        _stream = stream;
        _rowGroupSize = rowGroupSize;
        _rows = new List<MetadataRecord>(Math.Min(rowGroupSize, 10_000));
    }

    public async ValueTask WriteAsync(MetadataRecord record, CancellationToken cancellationToken)
    {
        _rows.Add(record);
        if (_rows.Count >= _rowGroupSize) await WriteRowGroupAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        // An empty export is still a valid file: the schema and one empty row group.
        if (_rows.Count > 0 || _writer is null) await WriteRowGroupAsync(cancellationToken).ConfigureAwait(false);
        if (_writer is not null)
        {
            await _writer.DisposeAsync().ConfigureAwait(false);
            _writer = null;
        }
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_writer is not null) await _writer.DisposeAsync().ConfigureAwait(false);
    }

    private async Task WriteRowGroupAsync(CancellationToken cancellationToken)
    {
        _writer ??= await ParquetWriter.CreateAsync(Schema, _stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        using (var group = _writer.CreateRowGroup())
        {
            await group.WriteAsync(Id, Column(r => r.Id)).ConfigureAwait(false);
            await group.WriteAsync(ModelName, Column(r => r.ModelName)).ConfigureAwait(false);
            await group.WriteAsync(ModelVersion, Column(r => r.ModelVersion)).ConfigureAwait(false);
            await group.WriteAsync(Stage, Column(r => r.Stage)).ConfigureAwait(false);
            await group.WriteAsync(EventType, Column(r => r.EventType)).ConfigureAwait(false);
            var timestamps = new DateTime[_rows.Count];
            for (int i = 0; i < timestamps.Length; i++) timestamps[i] = _rows[i].Timestamp.UtcDateTime;
            await group.WriteAsync<DateTime>(Timestamp, timestamps, cancellationToken: cancellationToken).ConfigureAwait(false);
            await group.WriteAsync(MetadataHash, Column(r => r.MetadataHash)).ConfigureAwait(false);
            await group.WriteAsync(Details, Column(r => r.Details)).ConfigureAwait(false);
            await group.WriteAsync(Metadata, Column(r => r.CompactJson)).ConfigureAwait(false);
        }
        _rows.Clear();
    }

    private string?[] Column(Func<MetadataRecord, string?> select)
    {
        var values = new string?[_rows.Count];
        for (int i = 0; i < values.Length; i++) values[i] = select(_rows[i]);
        return values;
    }
}
