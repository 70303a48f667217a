using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ciaf.Metadata;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;
using Microsoft.Data.Sqlite;

namespace Ciaf.Benchmarks;

/// <summary>
/// The SQLite baselines: Microsoft.Data.Sqlite used directly, on a file with the library's schema and
/// indexes (created by opening the library's backend on it) and the library's pragmas (WAL,
/// <c>synchronous=FULL</c>), with prepared statements on one open connection.
/// </summary>
internal sealed class RawSqlite : IDisposable
{
    public const string DatabaseFileName = "ciaf_metadata.db";
    public const string Columns = "id, model_name, model_version, stage, event_type, timestamp, metadata_hash, details, metadata_json";

    private readonly SqliteConnection _connection;

    private RawSqlite(string folder)
    {
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(folder, DatabaseFileName),
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
            ForeignKeys = false,
        }.ToString());
        _connection.Open();
        Execute("PRAGMA busy_timeout = 30000; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL");
    }

    /// <summary>Opens a store the library (or <see cref="CreateSchema"/>) created.</summary>
    public static RawSqlite Open(string folder) => new(folder);

    /// <summary>Creates the library's tables and indexes in <paramref name="folder"/> by opening its backend once.</summary>
    public static async Task CreateSchemaAsync(string folder)
    {
        await using var backend = MetadataBackends.Create("sqlite", new BackendContext { StoragePath = folder });
    }

    /// <summary>Every row of a store's <c>metadata</c> table, in insertion order, as stored.</summary>
    public static List<object?[]> ReadAllRows(string folder)
    {
        using var raw = Open(folder);
        using var command = raw._connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM metadata ORDER BY rowid";
        var rows = new List<object?[]>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var row = new object?[9];
            for (int i = 0; i < 9; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetString(i);
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>Prepared INSERT of the rows, <paramref name="batchSize"/> per <c>BEGIN IMMEDIATE</c> transaction.</summary>
    public void Insert(IReadOnlyList<object?[]> rows, int batchSize) => InsertWithLeaves(rows, batchSize, leaves: false);

    /// <summary>
    /// <see cref="Insert"/>, and with <paramref name="leaves"/> also one ledger leaf row per record in the same
    /// transaction (the library's <c>ciaf_ledger</c> table: <c>seq</c> key, item index), its text and hash made before
    /// the clock starts: what storing the log costs SQLite alone, with no hashing. Returns the seconds it took.
    /// </summary>
    public double InsertWithLeaves(IReadOnlyList<object?[]> rows, int batchSize, bool leaves)
    {
        var leafRows = leaves ? rows.Select((row, seq) =>
        {
            string text = $"{{\"content_sha256\":\"{row[6]}\",\"id\":\"{row[0]}\",\"kind\":\"record\",\"seq\":{seq},\"timestamp\":\"{row[5]}\"}}";
            return (Seq: (long)seq, Id: (string)row[0]!, Text: text, Hash: SHA256.HashData(Encoding.ASCII.GetBytes(text)));
        }).ToList() : [];
        using var insert = PrepareInsert();
        using var leaf = _connection.CreateCommand();
        leaf.CommandText = "INSERT INTO ciaf_ledger (seq, kind, item_id, leaf, leaf_hash) VALUES ($seq, 'record', $item, $leaf, $hash)";
        foreach (var name in new[] { "$seq", "$item", "$leaf", "$hash" }) leaf.Parameters.Add(new SqliteParameter { ParameterName = name });
        leaf.Prepare();
        long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        for (int start = 0; start < rows.Count; start += batchSize)
        {
            using var tx = _connection.BeginTransaction(System.Data.IsolationLevel.Serializable, deferred: false);
            insert.Transaction = tx;
            leaf.Transaction = tx;
            int end = Math.Min(rows.Count, start + batchSize);
            for (int r = start; r < end; r++)
            {
                var row = rows[r];
                for (int i = 0; i < 9; i++) insert.Parameters[i].Value = row[i] ?? DBNull.Value;
                insert.ExecuteNonQuery();
                if (!leaves) continue;
                var (seq, id, text, hash) = leafRows[r];
                leaf.Parameters[0].Value = seq;
                leaf.Parameters[1].Value = id;
                leaf.Parameters[2].Value = text;
                leaf.Parameters[3].Value = hash;
                leaf.ExecuteNonQuery();
            }
            tx.Commit();
        }
        return System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalSeconds;
    }

    /// <summary>
    /// The save loop a user writes by hand: for each payload <c>JsonSerializer.Serialize</c>, SHA-256 of its UTF-8
    /// bytes and a prepared INSERT of the row (new UUID v7, current time), <paramref name="batchSize"/> rows per
    /// transaction. Returns the bytes this thread allocated.
    /// </summary>
    public long SaveNaively(IReadOnlyList<object> payloads, string modelName, int batchSize)
    {
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        using var insert = PrepareInsert();
        for (int start = 0; start < payloads.Count; start += batchSize)
        {
            using var tx = _connection.BeginTransaction(System.Data.IsolationLevel.Serializable, deferred: false);
            insert.Transaction = tx;
            int end = Math.Min(payloads.Count, start + batchSize);
            for (int r = start; r < end; r++)
            {
                string json = JsonSerializer.Serialize(payloads[r]);
                string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));
                var now = DateTimeOffset.UtcNow;
                var p = insert.Parameters;
                p[0].Value = Guid.CreateVersion7(now).ToString();
                p[1].Value = modelName;
                p[2].Value = "1.0.0";
                p[3].Value = Workload.Stages[r % Workload.Stages.Length];
                p[4].Value = Workload.EventType;
                p[5].Value = now.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
                p[6].Value = hash;
                p[7].Value = "benchmark record";
                p[8].Value = json;
                insert.ExecuteNonQuery();
            }
            tx.Commit();
        }
        return GC.GetAllocatedBytesForCurrentThread() - allocated;
    }

    /// <summary>A prepared statement reading whole rows (every column as text).</summary>
    public RowReader Prepare(string whereAndOrder, params string[] parameterNames)
    {
        var command = _connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM metadata {whereAndOrder}";
        foreach (var name in parameterNames) command.Parameters.Add(new SqliteParameter { ParameterName = name });
        command.Prepare();
        return new RowReader(command);
    }

    /// <summary>Streams every row, oldest first, to <paramref name="visit"/> (the raw export's read side).</summary>
    public long StreamAll(Action<SqliteDataReader> visit)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM metadata ORDER BY timestamp, id";
        using var reader = command.ExecuteReader();
        long n = 0;
        while (reader.Read())
        {
            visit(reader);
            n++;
        }
        return n;
    }

    public void Dispose() => _connection.Dispose();

    private SqliteCommand PrepareInsert()
    {
        var insert = _connection.CreateCommand();
        insert.CommandText = $"INSERT INTO metadata ({Columns}) VALUES ($p0, $p1, $p2, $p3, $p4, $p5, $p6, $p7, $p8)";
        for (int i = 0; i < 9; i++) insert.Parameters.Add(new SqliteParameter { ParameterName = "$p" + i.ToString(CultureInfo.InvariantCulture) });
        insert.Prepare();
        return insert;
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Reads the rows a prepared query returns, each column as a string (what the library reads too).</summary>
    internal sealed class RowReader(SqliteCommand command) : IDisposable
    {
        public int Run(params object[] values)
        {
            for (int i = 0; i < values.Length; i++) command.Parameters[i].Value = values[i];
            int rows = 0;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                for (int i = 0; i < 9; i++)
                {
                    if (!reader.IsDBNull(i)) _ = reader.GetString(i);
                }
                rows++;
            }
            return rows;
        }

        public void Dispose() => command.Dispose();
    }

    /// <summary>
    /// Fills a store with <paramref name="count"/> records the way <see cref="Workload.Records"/> lays them out
    /// (models, stages, timestamps over 30 days, UUID v7 ids), straight through a prepared INSERT in large
    /// transactions: a million rows in well under a minute. The metadata cycles through 1,000 payloads (compact
    /// text and canonical hash computed once each), which reads do not care about. Returns the ids, oldest first.
    /// </summary>
    public static async Task<string[]> FillRawAsync(string folder, int count, int models)
    {
        await CreateSchemaAsync(folder).ConfigureAwait(false);
        var payloads = Enumerable.Range(0, Math.Min(count, 1_000)).Select(i =>
        {
            var node = MetadataConverter.ToJsonObject(Workload.Payload(i));
            return (Json: PythonJson.Serialize(node, PythonJsonStyle.Compact), Hash: PythonJson.Hash(node));
        }).ToArray();
        var ids = new string[count];
        var step = TimeSpan.FromDays(30) / Math.Max(count, 1);
        var start = DateTimeOffset.UtcNow - TimeSpan.FromDays(30);
        using var raw = Open(folder);
        using var insert = raw.PrepareInsert();
        const int transaction = 50_000;
        for (int first = 0; first < count; first += transaction)
        {
            using var tx = raw._connection.BeginTransaction(System.Data.IsolationLevel.Serializable, deferred: false);
            insert.Transaction = tx;
            for (int i = first; i < Math.Min(count, first + transaction); i++)
            {
                var timestamp = PythonTimestamp.Truncate(start + step * i);
                var (json, hash) = payloads[i % payloads.Length];
                ids[i] = Guid.CreateVersion7(timestamp).ToString();
                var p = insert.Parameters;
                p[0].Value = ids[i];
                p[1].Value = Workload.ModelName(i % models);
                p[2].Value = "1.0.0";
                p[3].Value = Workload.Stages[i % Workload.Stages.Length];
                p[4].Value = Workload.EventType;
                p[5].Value = PythonTimestamp.Format(timestamp);
                p[6].Value = hash;
                p[7].Value = "benchmark record " + i.ToString(CultureInfo.InvariantCulture);
                p[8].Value = json;
                insert.ExecuteNonQuery();
            }
            tx.Commit();
        }
        return ids;
    }
}
