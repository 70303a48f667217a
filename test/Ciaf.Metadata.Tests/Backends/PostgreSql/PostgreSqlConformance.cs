using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Conformance;
using Npgsql;

namespace Ciaf.Metadata.Tests.Backends.PostgreSql;

// The shared suites against PostgreSQL: each test gets its own schema (Search Path) on the shared server.

[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlImmediateConformance(PostgreSqlServer server) : StorageConformanceTests
{
    private readonly string _connectionString = server.NewSchemaConnectionString();
    protected override string BackendName => "postgresql";
    protected override WriteMode Mode => WriteMode.Immediate;
    protected override string? FixtureStore => null;
    protected override string? ConnectionString => _connectionString;
    protected override void PlantCorruptRecord(string root, string modelName) => PostgreSqlCorruptRows.Plant(server, _connectionString, modelName);
}

[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlBufferedConformance(PostgreSqlServer server) : StorageConformanceTests
{
    private readonly string _connectionString = server.NewSchemaConnectionString();
    protected override string BackendName => "postgresql";
    protected override WriteMode Mode => WriteMode.Buffered;
    protected override string? FixtureStore => null;
    protected override string? ConnectionString => _connectionString;
    protected override void PlantCorruptRecord(string root, string modelName) => PostgreSqlCorruptRows.Plant(server, _connectionString, modelName);
}

[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlProcessConformance(PostgreSqlServer server) : ProcessConformanceTests
{
    private readonly string _connectionString = server.NewSchemaConnectionString();
    protected override string BackendName => "postgresql";
    protected override string? ConnectionString => _connectionString;
}

[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlImmediateSecurityConformance(PostgreSqlServer server) : SecurityConformanceTests
{
    private readonly string _connectionString = server.NewSchemaConnectionString();
    protected override string BackendName => "postgresql";
    protected override WriteMode Mode => WriteMode.Immediate;
    protected override string? ConnectionString => _connectionString;
    protected override string StoredText() => base.StoredText() + "\n" + PostgreSqlCorruptRows.Dump(server, _connectionString);
}

[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlBufferedSecurityConformance(PostgreSqlServer server) : SecurityConformanceTests
{
    private readonly string _connectionString = server.NewSchemaConnectionString();
    protected override string BackendName => "postgresql";
    protected override WriteMode Mode => WriteMode.Buffered;
    protected override string? ConnectionString => _connectionString;
    protected override string StoredText() => base.StoredText() + "\n" + PostgreSqlCorruptRows.Dump(server, _connectionString);
}

internal static class PostgreSqlCorruptRows
{
    /// <summary>Every row of every table in the store's schema, as text.</summary>
    public static string Dump(PostgreSqlServer server, string connectionString)
    {
        string schema = new NpgsqlConnectionStringBuilder(connectionString).SearchPath!;
        using var connection = server.OpenConnection(connectionString);
        var tables = new List<string>();
        using (var list = new NpgsqlCommand("SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) FROM information_schema.tables WHERE table_schema = $1", connection))
        {
            list.Parameters.AddWithValue(schema);
            using var reader = list.ExecuteReader();
            while (reader.Read()) tables.Add(reader.GetString(0));
        }
        var text = new System.Text.StringBuilder();
        foreach (string table in tables)
        {
            // The names come from the catalog, quoted by quote_ident.
            using var rows = new NpgsqlCommand($"SELECT t::text FROM {table} t", connection);
            using var reader = rows.ExecuteReader();
            while (reader.Read()) text.Append(reader.GetString(0)).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>A row whose metadata_text is not JSON (its jsonb column is valid: only the text is the source of truth).</summary>
    public static void Plant(PostgreSqlServer server, string connectionString, string model)
    {
        string schema = new Npgsql.NpgsqlConnectionStringBuilder(connectionString).SearchPath!;
        using var connection = server.OpenConnection(connectionString);
        using var command = new Npgsql.NpgsqlCommand(
            $"INSERT INTO \"{schema}\".metadata (id, model_name, model_version, stage, event_type, timestamp, timestamp_text, metadata_hash, details, metadata, metadata_text) " +
            "VALUES ($1, $2, '1.0.0', 'training', 'e', '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00', 'x', NULL, '{}', '{not json')",
            connection);
        command.Parameters.AddWithValue(Guid.NewGuid().ToString());
        command.Parameters.AddWithValue(model);
        command.ExecuteNonQuery();
    }
}

[Collection(PostgreSqlSerialCollection.Name)]
public sealed class PostgreSqlOperationsConformance(PostgreSqlServer server) : OperationsConformanceTests
{
    private readonly Dictionary<string, string> _schemas = new(StringComparer.Ordinal);

    protected override string BackendName => "postgresql";
    protected override string OtherBackend => "sqlite";
    protected override string? BackupUnsupportedReason => "PostgreSQL stores are backed up with pg_dump; Backup() throws NotSupportedException (docs/postgresql.md).";

    // Every store path of a test is a schema of its own on the shared server.
    protected override string? ConnectionStringFor(string path)
    {
        lock (_schemas)
        {
            if (!_schemas.TryGetValue(path, out var connectionString)) _schemas[path] = connectionString = server.NewSchemaConnectionString();
            return connectionString;
        }
    }

    protected override string RecordLocationHint(MetadataStorage storage, string model) => " metadata#";

    protected override void EditRecordOnDisk(string root, string modelName, string id)
    {
        string connectionString = ConnectionStringFor(root)!;
        string schema = new Npgsql.NpgsqlConnectionStringBuilder(connectionString).SearchPath!;
        using var connection = server.OpenConnection(connectionString);
        using var command = new Npgsql.NpgsqlCommand(
            $"UPDATE \"{schema}\".metadata SET metadata_text = '{{\"env\": \"edited\"}}', metadata = '{{\"env\": \"edited\"}}' WHERE id = $1", connection);
        command.Parameters.AddWithValue(id);
        if (command.ExecuteNonQuery() != 1) throw new InvalidOperationException("no row " + id);
    }

    protected override void PlantCorrupt(string root) => PostgreSqlCorruptRows.Plant(server, ConnectionStringFor(root)!, "credit scoring");
}
