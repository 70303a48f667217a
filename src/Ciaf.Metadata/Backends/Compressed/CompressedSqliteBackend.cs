using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Backends.Files;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;
using Microsoft.Data.Sqlite;

namespace Ciaf.Metadata.Backends.Compressed;

/// <summary>
/// Reads, and only reads, the SQLite store of the Python reference's <c>CompressedMetadataStorage</c> (its
/// <c>sqlite</c> and <c>hybrid</c> backends; registered here as <c>compressed_sqlite</c>):
/// <c>&lt;root&gt;/ciaf_metadata_compressed.db</c>, whose <c>metadata</c> table holds the record's fields,
/// <c>compression_type</c>, <c>serialization_type</c>, <c>uncompressed_size</c>, <c>compressed_size</c> and the compressed
/// metadata in <c>metadata_blob</c> (payload format in <see cref="ReferencePayload"/>). The hybrid backend's rows whose
/// <c>compression_type</c> ends in <c>_external</c> hold a file name under <c>&lt;root&gt;/blobs/</c> instead.
/// Opened so that the store can be queried and migrated into any writable backend with <c>MetadataStorage.MigrateTo</c>.
/// </summary>
/// <remarks>
/// Records are returned as the reference's <c>get_metadata</c> returns them, its <c>metadata_hash</c> unchanged (see
/// <see cref="CompressedJsonBackend"/> for why it differs from the canonical hash). The database is opened read-only;
/// writes and deletes throw <see cref="MetadataStorageException"/>; the store has no compliance events. A row that cannot
/// be read (corrupt payload, one expanding past <c>max_metadata_bytes</c>, an unsafe pickle) is skipped and reported.
/// </remarks>
public sealed class CompressedSqliteBackend : IMetadataBackend, IComplianceEventStore, IAuditLog, IStoreState, IRecordScanBackend
{
    /// <summary>The name this backend is registered under.</summary>
    public const string BackendName = "compressed_sqlite";

    /// <summary>The database file the reference writes in its storage folder.</summary>
    public const string DatabaseFileName = "ciaf_metadata_compressed.db";

    /// <summary>The hybrid backend's folder of external payloads.</summary>
    public const string BlobFolderName = "blobs";

    private const string Columns =
        "id, model_name, model_version, stage, event_type, timestamp, metadata_hash, details, "
        + "compression_type, serialization_type, uncompressed_size, compressed_size, metadata_blob";

    private const string ExternalSuffix = "_external";

    private readonly BackendContext _context;
    private readonly string _connectionString;
    private int _disposed;

    /// <summary>Opens <c>&lt;StoragePath&gt;/ciaf_metadata_compressed.db</c> read-only.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    /// <exception cref="ArgumentException">The storage path is empty.</exception>
    /// <exception cref="MetadataStorageException">The database file is missing, unreadable, or not the reference's compressed store.</exception>
    public CompressedSqliteBackend(BackendContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (string.IsNullOrWhiteSpace(context.StoragePath)) throw new ArgumentException("The storage path is empty.", nameof(context));
        _context = context;
        StoragePath = Path.GetFullPath(context.StoragePath);
        DbPath = Path.Combine(StoragePath, DatabaseFileName);
        if (!File.Exists(DbPath))
        {
            throw new MetadataStorageException($"The {BackendName} backend found no '{DatabaseFileName}' in '{StoragePath}': it reads stores the reference's CompressedMetadataStorage wrote.")
            { Backend = BackendName, Path = DbPath };
        }
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DbPath,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
            DefaultTimeout = (int)Math.Clamp(Math.Ceiling(context.BusyTimeout.TotalSeconds), 1, int.MaxValue),
        }.ToString();
        try
        {
            using var connection = Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT name FROM pragma_table_info('metadata')";
            var present = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read()) present.Add(reader.GetString(0));
            }
            var missing = Columns.Split(", ").Where(c => !present.Contains(c)).ToList();
            if (missing.Count > 0)
            {
                throw new MetadataStorageException(
                    $"The {BackendName} backend: '{DbPath}' is not a reference compressed store: table 'metadata' lacks {string.Join(", ", missing)}.")
                { Backend = BackendName, Path = DbPath };
            }
        }
        catch (SqliteException ex)
        {
            throw new MetadataStorageException($"The {BackendName} backend could not open '{DbPath}': {ex.Message}", ex) { Backend = BackendName, Path = DbPath };
        }
    }

    /// <inheritdoc />
    public string Name => BackendName;

    /// <inheritdoc />
    public string StoragePath { get; }

    /// <inheritdoc />
    /// <remarks>Always <c>&lt;StoragePath&gt;/ciaf_metadata_compressed.db</c>.</remarks>
    public string DbPath { get; }

    /// <inheritdoc />
    /// <exception cref="MetadataStorageException">Always: the backend is read-only.</exception>
    public ValueTask WriteAsync(IReadOnlyList<MetadataRecord> records, CancellationToken cancellationToken = default) => throw ReadOnly("write records");

    /// <inheritdoc />
    /// <exception cref="MetadataStorageException">Always: the backend is read-only.</exception>
    public ValueTask WriteComplianceEventsAsync(IReadOnlyList<ComplianceEvent> events, CancellationToken cancellationToken = default) => throw ReadOnly("write compliance events");

    /// <inheritdoc />
    /// <exception cref="MetadataStorageException">Always: the backend is read-only.</exception>
    public ValueTask<int> DeleteAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default) => throw ReadOnly("delete records");

    /// <inheritdoc />
    /// <exception cref="MetadataStorageException">Always: the backend is read-only.</exception>
    public ValueTask<int> DeleteComplianceEventsAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default) => throw ReadOnly("delete compliance events");

    /// <inheritdoc />
    /// <exception cref="MetadataStorageException">Always: the backend is read-only (an audited store needs a writable backend).</exception>
    public ValueTask WriteAuditAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default) => throw ReadOnly("write audit entries");

    /// <inheritdoc />
    /// <remarks>The reference's compressed storage keeps no audit trail: always empty.</remarks>
    public IAsyncEnumerable<AuditEntry> QueryAuditAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ThrowIfDisposed();
        return AsyncEnumerable.Empty<AuditEntry>();
    }

    /// <inheritdoc />
    /// <remarks>The reference's compressed storage keeps no state (no legal holds): always empty.</remarks>
    public ValueTask<IReadOnlyDictionary<string, string>> ReadStateAsync(string scope, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(scope);
        ThrowIfDisposed();
        return ValueTask.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>(StringComparer.Ordinal));
    }

    /// <inheritdoc />
    /// <exception cref="MetadataStorageException">Always: the backend is read-only.</exception>
    public ValueTask WriteStateAsync(string scope, string key, string? value, CancellationToken cancellationToken = default) => throw ReadOnly($"write state '{scope}'");

    /// <inheritdoc />
    /// <exception cref="MetadataStorageException">Always: the store is read-only.</exception>
    public ValueTask<string> AddStateAsync(string scope, string key, string value, CancellationToken cancellationToken = default) => throw ReadOnly($"write state '{scope}'");

    /// <inheritdoc />
    /// <exception cref="MetadataStorageException">The database could not be read.</exception>
    public ValueTask<MetadataRecord?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ThrowIfDisposed();
        foreach (var entry in Read("WHERE id = $id", [("$id", id)], cancellationToken))
        {
            return ValueTask.FromResult(entry.Record);
        }
        return ValueTask.FromResult<MetadataRecord?>(null);
    }

    /// <inheritdoc />
    /// <remarks>Model and stage are filtered in SQL; the rest of the query, its order and limit in memory.</remarks>
    /// <exception cref="MetadataStorageException">The database could not be read.</exception>
    public async IAsyncEnumerable<MetadataRecord> QueryAsync(MetadataQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ThrowIfDisposed();
        if (query.Limit is <= 0) yield break;
        var (where, parameters) = Filter(query.ModelName, query.Stage);
        var matches = Read(where, parameters, cancellationToken)
            .Select(e => e.Record)
            .OfType<MetadataRecord>()
            .Where(query.Matches)
            .ToList();
        matches.Sort(query.Compare);
        int take = query.Limit is { } n ? Math.Min(n, matches.Count) : matches.Count;
        for (int i = 0; i < take; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return matches[i];
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>Oldest first, one row in memory at a time; unreadable rows come with their error.</remarks>
    /// <exception cref="MetadataStorageException">The database could not be read.</exception>
    public async IAsyncEnumerable<ScannedEntry> ScanAsync(string? modelName, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        var (where, parameters) = Filter(modelName, null);
        foreach (var entry in Read(where + " ORDER BY timestamp, id", parameters, cancellationToken))
        {
            yield return entry;
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>The reference's compressed storage keeps no compliance events: always empty.</remarks>
    public IAsyncEnumerable<ComplianceEvent> QueryComplianceEventsAsync(ComplianceEventQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ThrowIfDisposed();
        return AsyncEnumerable.Empty<ComplianceEvent>();
    }

    /// <inheritdoc />
    /// <exception cref="MetadataStorageException">The database could not be read.</exception>
    public ValueTask<long> CountAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        try
        {
            using var connection = Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM metadata";
            return ValueTask.FromResult(Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (SqliteException ex)
        {
            throw Failure("count", ex);
        }
    }

    /// <inheritdoc />
    /// <remarks>The database file (with any <c>-wal</c>/<c>-shm</c>) and the hybrid backend's <c>blobs/</c> folder.</remarks>
    public long SizeOnDisk()
    {
        long total = 0;
        foreach (var path in (ReadOnlySpan<string>)[DbPath, DbPath + "-wal", DbPath + "-shm"])
        {
            var info = new FileInfo(path);
            if (info.Exists) total += info.Length;
        }
        var blobs = new DirectoryInfo(Path.Combine(StoragePath, BlobFolderName));
        if (blobs.Exists) total += blobs.EnumerateFiles().Sum(f => f.Length);
        return total;
    }

    /// <summary>Marks the backend disposed (it holds no open connection). Idempotent.</summary>
    public ValueTask DisposeAsync()
    {
        Interlocked.Exchange(ref _disposed, 1);
        return ValueTask.CompletedTask;
    }

    private static (string Where, List<(string Name, object Value)> Parameters) Filter(string? modelName, string? stage)
    {
        var clauses = new List<string> { "id IS NOT NULL" };
        var parameters = new List<(string, object)>();
        if (modelName is not null)
        {
            clauses.Add("model_name = $model_name");
            parameters.Add(("$model_name", modelName));
        }
        if (stage is not null)
        {
            clauses.Add("stage = $stage");
            parameters.Add(("$stage", stage));
        }
        return ("WHERE " + string.Join(" AND ", clauses), parameters);
    }

    private IEnumerable<ScannedEntry> Read(string whereAndOrder, IReadOnlyList<(string Name, object Value)> parameters, CancellationToken cancellationToken)
    {
        SqliteConnection connection;
        SqliteDataReader reader;
        SqliteCommand command;
        try
        {
            connection = Open();
            command = connection.CreateCommand();
            command.CommandText = $"SELECT {Columns} FROM metadata {whereAndOrder}";
            foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
            reader = command.ExecuteReader();
        }
        catch (SqliteException ex)
        {
            throw Failure("read", ex);
        }
        using (connection)
        using (command)
        using (reader)
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                object?[] row;
                try
                {
                    if (!reader.Read()) yield break;
                    row = new object?[reader.FieldCount];
                    for (int i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                }
                catch (SqliteException ex)
                {
                    throw Failure("read", ex);
                }
                string location = $"{DbPath}#{row[0] as string ?? "(null id)"}";
                ScannedEntry entry;
                try
                {
                    entry = new ScannedEntry(location, ParseRow(row), null);
                }
                catch (FormatException ex)
                {
                    _context.ReportCorrupt(location, ex);
                    entry = new ScannedEntry(location, null, ex.Message);
                }
                yield return entry;
            }
        }
    }

    private MetadataRecord ParseRow(object?[] row)
    {
        string compression = row[8] as string ?? throw new FormatException("compression_type is not text");
        string serialization = row[9] as string ?? throw new FormatException("serialization_type is not text");
        byte[] payload = row[12] switch
        {
            byte[] bytes => bytes,
            string text => Encoding.UTF8.GetBytes(text),
            _ => throw new FormatException("metadata_blob is missing"),
        };
        if (compression.EndsWith(ExternalSuffix, StringComparison.Ordinal))
        {
            compression = compression[..^ExternalSuffix.Length];
            payload = ReadExternal(Encoding.UTF8.GetString(payload));
        }
        long? compressedSize = row[11] is long c ? c : null;
        if (compressedSize is { } declared && declared != payload.Length)
        {
            throw new FormatException($"the payload is {payload.Length} bytes, not the {declared} its compressed_size declares");
        }
        var metadata = ReferencePayload.Decode(payload, compression, serialization, row[10] as long?, _context.MaxMetadataBytes);
        string[] names = ["id", "model_name", "model_version", "stage", "event_type", "timestamp", "metadata_hash", "details"];
        var fields = new JsonObject();
        for (int i = 0; i < names.Length; i++)
        {
            fields[names[i]] = row[i] switch
            {
                null => null,
                string s => JsonValue.Create(s),
                var other => throw new FormatException($"{names[i]} is not text ({other.GetType().Name})"),
            };
        }
        fields["metadata"] = metadata;
        return RecordJson.FromOwnedJsonObject(fields);
    }

    /// <summary>A hybrid store's external payload: a plain file name under <c>blobs/</c>, read no further than the limit.</summary>
    private byte[] ReadExternal(string name)
    {
        if (name.Length == 0 || name is "." or ".." || name.IndexOfAny(['/', '\\', '\0']) >= 0 || Path.IsPathRooted(name))
        {
            throw new FormatException($"the external payload name '{name}' is not a file name under {BlobFolderName}/");
        }
        string path = Path.Combine(StoragePath, BlobFolderName, name);
        try
        {
            return StoreFileReader.Read(path, _context.MaxMetadataBytes, FileShare.Read, emptyIsNothing: false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FormatException($"the external payload '{path}' is missing", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new FormatException($"the external payload '{path}' cannot be read: {ex.Message}", ex);
        }
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    private MetadataStorageException ReadOnly(string operation) =>
        new($"The {BackendName} backend is read-only and cannot {operation} ('{DbPath}'): migrate the store into a writable backend.")
        { Backend = BackendName, Path = DbPath };

    private MetadataStorageException Failure(string operation, SqliteException ex) =>
        new($"The {BackendName} backend could not {operation} '{DbPath}': {ex.Message}", ex) { Backend = BackendName, Path = DbPath };
}
