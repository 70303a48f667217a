using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Metadata.Backends.Sql;

/// <summary>A named query parameter; the dialect decides how its name appears in SQL text.</summary>
internal readonly record struct SqlArg(string Name, object? Value);

/// <summary>
/// What the SQL backends (SQLite, PostgreSQL) do differently, and what they then do alike: how a parameter is named and
/// built (values only ever travel as parameters), how a query bound and a stored timestamp are represented, how free
/// text is decoded and a corrupt row reported; and, on top of that, reading rows and mapping them to records,
/// compliance events and audit entries. Columns are read in the reference's order (see each backend's schema).
/// </summary>
internal abstract class SqlDialect
{
    /// <summary>A condition every keyset query carries before its filters (a constant of the backend), or <c>null</c>.</summary>
    public virtual string? RowCondition => null;

    /// <summary>The placeholder of parameter <paramref name="name"/>, the <paramref name="position"/>-th (from 1) of its command.</summary>
    public abstract string Placeholder(string name, int position);

    /// <summary>The parameter carrying <paramref name="arg"/>'s value (<c>null</c> for SQL NULL).</summary>
    public abstract DbParameter Parameter(SqlArg arg);

    /// <summary>A <c>since</c>/<c>until</c> bound as the <c>timestamp</c> column compares it.</summary>
    public abstract object Bound(DateTimeOffset value);

    /// <summary>The timestamp of <paramref name="row"/> held in column <paramref name="column"/>.</summary>
    /// <exception cref="FormatException">It is missing or not a timestamp.</exception>
    public abstract DateTimeOffset Timestamp(object?[] row, int column);

    /// <summary>The value a free-text column (<c>model_version</c>, <c>details</c> of records and events) stores <paramref name="stored"/> for.</summary>
    /// <exception cref="FormatException">The stored text is not a valid encoding.</exception>
    public virtual string? Decode(string? stored) => stored;

    /// <summary>A record row's metadata JSON text, and what to call it in errors.</summary>
    /// <exception cref="FormatException">It is missing or unreadable.</exception>
    protected abstract (string Json, string What) MetadataText(object?[] row);

    /// <summary>Logs and reports (through the backend context) the corrupt row <paramref name="id"/> of <paramref name="table"/>.</summary>
    protected abstract void ReportCorrupt(string table, object? id, FormatException ex);

    /// <summary>Adds <paramref name="args"/> to <paramref name="command"/>, in order.</summary>
    public void Bind(DbCommand command, IReadOnlyList<SqlArg> args)
    {
        foreach (var arg in args) command.Parameters.Add(Parameter(arg));
    }

    /// <summary>Every row <paramref name="command"/> returns, SQL NULL as <c>null</c>.</summary>
    public static async Task<List<object?[]>> ReadRowsAsync(DbCommand command, CancellationToken cancellationToken)
    {
        var rows = new List<object?[]>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) rows.Add(ReadRow(reader));
        return rows;
    }

    /// <summary>The reader's current row, SQL NULL as <c>null</c>.</summary>
    public static object?[] ReadRow(DbDataReader reader)
    {
        var row = new object?[reader.FieldCount];
        for (int i = 0; i < row.Length; i++)
        {
            var value = reader.GetValue(i);
            row[i] = value is DBNull ? null : value;
        }
        return row;
    }

    /// <summary>
    /// Checks a batch to write, in the order the backends always have: not <c>null</c>, the backend not disposed, then
    /// (unless it is empty, when this returns <c>false</c>) no <c>null</c> item and every item with an id.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="items"/> is <c>null</c>.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="disposed"/> is <c>true</c>.</exception>
    /// <exception cref="ArgumentException">An item is <c>null</c> or has no id.</exception>
    public static bool CheckBatch<T>(IReadOnlyList<T> items, Func<T, string?> id, string paramName, bool disposed, object backend) where T : class
    {
        ArgumentNullException.ThrowIfNull(items, paramName);
        ObjectDisposedException.ThrowIf(disposed, backend);
        if (items.Count == 0) return false;
        for (int i = 0; i < items.Count; i++)
        {
            var item = items[i] ?? throw new ArgumentException($"{paramName}[{i}] is null.", paramName);
            if (string.IsNullOrEmpty(id(item))) throw new ArgumentException($"{paramName}[{i}] has no id.", paramName);
        }
        return true;
    }

    /// <summary>
    /// The distinct ids to delete, or <c>null</c> when there are none; checked in the order the backends always have:
    /// not <c>null</c>, the backend not disposed, no <c>null</c> id.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="ids"/> is <c>null</c>.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="disposed"/> is <c>true</c>.</exception>
    /// <exception cref="ArgumentException"><paramref name="ids"/> contains <c>null</c>.</exception>
    public static HashSet<string>? DistinctIds(IReadOnlyCollection<string> ids, bool disposed, object backend)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ObjectDisposedException.ThrowIf(disposed, backend);
        if (ids.Count == 0) return null;
        var distinct = new HashSet<string>(ids.Count, StringComparer.Ordinal);
        foreach (var id in ids)
        {
            if (id is null) throw new ArgumentException("ids contains null.", nameof(ids));
            distinct.Add(id);
        }
        return distinct;
    }

    /// <summary>
    /// The start of a failure's message: <c>&lt;backend&gt; backend could not &lt;operation&gt;[ record 'id'[ (batch of n,
    /// rolled back)]] in &lt;where&gt;: </c>; the backend appends the reason.
    /// </summary>
    public static StringBuilder FailureMessage(string backend, string operation, string? recordId, int batchSize, string where)
    {
        var message = new StringBuilder($"{backend} backend could not {operation}");
        if (recordId is not null)
        {
            message.Append(CultureInfo.InvariantCulture, $" record '{recordId}'");
            if (batchSize > 1) message.Append(CultureInfo.InvariantCulture, $" (batch of {batchSize}, rolled back)");
        }
        return message.Append(CultureInfo.InvariantCulture, $" in {where}: ");
    }

    /// <summary>A record row (columns id, model_name, model_version, stage, event_type, timestamp, metadata_hash, details, then the metadata).</summary>
    /// <exception cref="FormatException">The row is corrupt.</exception>
    public MetadataRecord ParseRecord(object?[] row)
    {
        var (json, what) = MetadataText(row);
        JsonObject metadata;
        try
        {
            metadata = PythonJson.Parse(json) as JsonObject ?? throw new FormatException($"{what} is not a JSON object");
        }
        catch (JsonException ex)
        {
            throw new FormatException($"{what} is not valid JSON: " + ex.Message, ex);
        }
        MetadataConverter.CheckStoredDepth(json);
        string? version = Decode(Text(row[2], "model_version"));
        return new MetadataRecord(
            Required(row[0], "id"),
            Required(row[1], "model_name"),
            string.IsNullOrEmpty(version) ? RecordJson.DefaultModelVersion : version,
            Required(row[3], "stage"),
            Required(row[4], "event_type"),
            Timestamp(row, 5),
            Text(row[6], "metadata_hash") ?? string.Empty,
            Decode(Text(row[7], "details")),
            metadata);
    }

    /// <summary><see cref="ParseRecord"/>, or <c>null</c> for a corrupt row (reported).</summary>
    public MetadataRecord? ToRecord(object?[] row)
    {
        try
        {
            return ParseRecord(row);
        }
        catch (FormatException ex)
        {
            ReportCorrupt("metadata", row[0], ex);
            return null;
        }
    }

    /// <summary>A compliance event row (id, metadata_id, framework, compliance_score, validation_status, timestamp, details), or <c>null</c> when corrupt (reported).</summary>
    public ComplianceEvent? ToComplianceEvent(object?[] row)
    {
        try
        {
            double? score = row[3] switch
            {
                null => null,
                double d => d,
                long n => n,
                var other => throw new FormatException($"compliance_score '{other}' is not a number"),
            };
            return new ComplianceEvent(
                Required(row[0], "id"),
                Text(row[1], "metadata_id"),
                Required(row[2], "framework"),
                score,
                Text(row[4], "validation_status"),
                Timestamp(row, 5),
                Decode(Text(row[6], "details")));
        }
        catch (FormatException ex)
        {
            ReportCorrupt("compliance_events", row[0], ex);
            return null;
        }
    }

    /// <summary>An audit row (id, parent_id, action, timestamp, user_id, details), or <c>null</c> when corrupt (reported).</summary>
    public AuditEntry? ToAuditEntry(object?[] row)
    {
        try
        {
            return new AuditEntry(
                Required(row[0], "id"),
                Text(row[1], "parent_id"),
                Required(row[2], "action"),
                Timestamp(row, 3),
                Text(row[4], "user_id"),
                Text(row[5], "details"));
        }
        catch (FormatException ex)
        {
            ReportCorrupt("audit_trail", row[0], ex);
            return null;
        }
    }

    /// <summary>A column that must hold text.</summary>
    /// <exception cref="FormatException">It is NULL or not text.</exception>
    protected static string Required(object? value, string column) =>
        Text(value, column) ?? throw new FormatException($"{column} is NULL");

    /// <summary>A text column, <c>null</c> for NULL.</summary>
    /// <exception cref="FormatException">It holds something other than text.</exception>
    protected static string? Text(object? value, string column) => value switch
    {
        null => null,
        string s => s,
        _ => throw new FormatException($"{column} is not text ({value.GetType().Name})"),
    };

    /// <summary>
    /// <paramref name="value"/> in UTC, rounded up to whole microseconds: stored timestamps have whole microseconds, so
    /// the rounded bound keeps <c>&gt;=</c> and <c>&lt;</c> exact.
    /// </summary>
    protected static DateTimeOffset RoundUpToMicroseconds(DateTimeOffset value)
    {
        var utc = value.ToUniversalTime();
        long remainder = utc.Ticks % 10;
        if (remainder != 0 && utc.Ticks <= DateTimeOffset.MaxValue.Ticks - 10) utc = utc.AddTicks(10 - remainder);
        return utc;
    }
}
