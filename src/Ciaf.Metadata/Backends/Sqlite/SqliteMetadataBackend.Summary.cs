using System.Globalization;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;

namespace Ciaf.Metadata.Backends.Sqlite;

public sealed partial class SqliteMetadataBackend : IModelSummaryBackend
{
    // Timestamps are ISO text whose text order is chronological, so MIN and MAX are the oldest and newest; the
    // (model_name, stage, timestamp, id) index covers all but the version. No value comes from a caller.
    private const string SummarizeSql =
        "SELECT model_name, model_version, stage, COUNT(*), MIN(timestamp), MAX(timestamp) FROM metadata GROUP BY model_name, model_version, stage";

    /// <inheritdoc />
    /// <exception cref="MetadataStorageException">The database could not be read.</exception>
    /// <exception cref="ObjectDisposedException">The backend was disposed.</exception>
    public async ValueTask<IReadOnlyList<RecordGroup>> SummarizeRecordsAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var rows = await ReadRowsAsync("summarize records", SummarizeSql, [], cancellationToken).ConfigureAwait(false);
        var groups = new List<RecordGroup>(rows.Count);
        foreach (var row in rows)
        {
            string? version = _sql.Decode(row[1] as string);
            groups.Add(new RecordGroup(
                row[0] as string ?? throw new FormatException("model_name is NULL"),
                string.IsNullOrEmpty(version) ? RecordJson.DefaultModelVersion : version,
                row[2] as string ?? throw new FormatException("stage is NULL"),
                Convert.ToInt64(row[3], CultureInfo.InvariantCulture),
                _sql.Timestamp(row, 4),
                _sql.Timestamp(row, 5)));
        }
        return groups;
    }
}
