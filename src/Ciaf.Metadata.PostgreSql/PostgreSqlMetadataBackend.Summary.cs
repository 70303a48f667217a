using System.Globalization;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;

namespace Ciaf.Metadata.PostgreSql;

public sealed partial class PostgreSqlMetadataBackend : IModelSummaryBackend
{
    /// <inheritdoc />
    /// <remarks>One <c>GROUP BY</c> over the records' name, version and stage; no value comes from a caller.</remarks>
    /// <exception cref="MetadataStorageException">The database could not be read.</exception>
    /// <exception cref="ObjectDisposedException">The backend was disposed.</exception>
    public async ValueTask<IReadOnlyList<RecordGroup>> SummarizeRecordsAsync(CancellationToken cancellationToken = default)
    {
        var rows = await ReadRowsAsync("summarize records", _schema.SummarizeRecords, [], cancellationToken).ConfigureAwait(false);
        var groups = new List<RecordGroup>(rows.Count);
        foreach (var row in rows)
        {
            string? version = PostgreSqlText.Decode(row[1] as string);
            groups.Add(new RecordGroup(
                row[0] as string ?? throw new FormatException("model_name is NULL"),
                string.IsNullOrEmpty(version) ? RecordJson.DefaultModelVersion : version,
                row[2] as string ?? throw new FormatException("stage is NULL"),
                Convert.ToInt64(row[3], CultureInfo.InvariantCulture),
                Utc(row[4]),
                Utc(row[5])));
        }
        return groups;
    }

    // timestamptz arrives as a DateTime of kind Utc (Npgsql's default mapping); NOT NULL in the schema.
    private static DateTimeOffset Utc(object? value) => value is DateTime dt
        ? new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc))
        : throw new FormatException($"a timestamp aggregate is {value ?? "NULL"}, not a timestamptz");
}
