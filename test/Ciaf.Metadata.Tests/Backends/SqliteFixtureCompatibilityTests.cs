using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;
using Microsoft.Data.Sqlite;
using static Ciaf.Metadata.Tests.Backends.SqliteTestData;

namespace Ciaf.Metadata.Tests.Backends;

/// <summary>The SQLite backend against a store written by the Python reference (a copy of the fixture database).</summary>
public sealed class SqliteFixtureCompatibilityTests : IDisposable
{
    private readonly SqliteTestFolder _folder = new();

    public SqliteFixtureCompatibilityTests() => _folder.CopyIn(FixtureDb);

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task GetAsync_ReferenceStore_ReturnsEveryExpectedRecordFieldByField()
    {
        await using var backend = Open(_folder.Path);
        var expected = ExpectedRecords;
        Assert.Equal(41, expected.Count);
        foreach (var record in expected)
        {
            AssertSameRecord(record, await backend.GetAsync(record.Id));
            Assert.Equal(record.MetadataHash, PythonJson.Hash(record.Metadata));
        }
        Assert.Equal(expected.Count, await backend.CountAsync());
        Assert.Null(await backend.GetAsync("00000000-0000-4000-8000-000000000000"));
    }

    [Fact]
    public async Task QueryAsync_ReferenceStore_ReturnsAllRecordsFieldByField()
    {
        var corrupt = new List<string>();
        await using var backend = Open(_folder.Path, (location, _) => corrupt.Add(location));
        var all = await ToListAsync(backend.QueryAsync(new MetadataQuery { Order = RecordOrder.OldestFirst }));
        var expected = ExpectedRecords;
        // The reference saved them in timestamp order, so oldest-first is save order.
        Assert.Equal(expected.Select(r => r.Id), all.Select(r => r.Id));
        for (int i = 0; i < expected.Count; i++) AssertSameRecord(expected[i], all[i]);
        Assert.Empty(corrupt);
    }

    [Fact]
    public async Task QueryAsync_ByModel_MatchesReferenceGetModelMetadataOrder()
    {
        await using var backend = Open(_folder.Path);
        foreach (var (model, ids) in Expected["queries"]!["get_model_metadata_default"]!.AsObject())
        {
            var actual = await ToListAsync(backend.QueryAsync(new MetadataQuery { ModelName = model }));
            Assert.Equal(ids!.AsArray().Select(n => (string)n!), actual.Select(r => r.Id));
        }
        Assert.Empty(await ToListAsync(backend.QueryAsync(new MetadataQuery { ModelName = "unknown_model" })));
    }

    [Fact]
    public async Task QueryAsync_ByModelStageAndLimit_MatchesReferenceResults()
    {
        await using var backend = Open(_folder.Path);
        foreach (var (model, cases) in Expected["queries"]!["get_model_metadata_stage"]!.AsObject())
        {
            foreach (var (key, ids) in cases!.AsObject())
            {
                var parts = key.Split(",limit=");
                var actual = await ToListAsync(backend.QueryAsync(
                    new MetadataQuery { ModelName = model, Stage = parts[0], Limit = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) }));
                Assert.Equal(ids!.AsArray().Select(n => (string)n!), actual.Select(r => r.Id));
            }
        }
    }

    [Fact]
    public async Task QueryComplianceEventsAsync_ReferenceStore_EqualsExpectedEvents()
    {
        await using var backend = Open(_folder.Path);
        var expected = ExpectedComplianceEvents.OrderBy(e => e, Comparer<ComplianceEvent>.Create(ComplianceEventQuery.Compare)).ToList();
        var actual = await ToListAsync(backend.QueryComplianceEventsAsync(new ComplianceEventQuery()));
        Assert.Equal(expected, actual);
        Assert.Equal(8, actual.Count);
        Assert.Contains(actual, e => e.Details == "Manual review \u2013 pending \u2713");
    }

    [Fact]
    public async Task WriteAsync_FixtureRecordRewritten_MetadataJsonByteEqualToReference()
    {
        var records = ExpectedRecords;
        using var fresh = new SqliteTestFolder();
        await using (var backend = Open(fresh.Path))
        {
            await backend.WriteAsync(records);
        }
        await using (var backend = Open(_folder.Path))
        {
            // Read from the reference's file and write back over itself: idempotent, and the column must not change.
            var fromReference = await ToListAsync(backend.QueryAsync(new MetadataQuery()));
            await backend.WriteAsync(fromReference);
            Assert.Equal(records.Count, await backend.CountAsync());
        }

        var extras = Expected["record_extras"]!.AsObject();
        foreach (var db in new[] { fresh.DbPath, _folder.DbPath })
        {
            using var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT id, metadata_json, timestamp FROM metadata";
            using var reader = command.ExecuteReader();
            int rows = 0;
            while (reader.Read())
            {
                rows++;
                string id = reader.GetString(0);
                Assert.Equal((string)extras[id]!["sqlite_metadata_json"]!, reader.GetString(1));
                Assert.Equal(PythonTimestamp.Format(records.Single(r => r.Id == id).Timestamp), reader.GetString(2));
            }
            Assert.Equal(records.Count, rows);
        }
    }

    [Fact]
    public async Task Constructor_ReferenceStore_KeepsReferenceTablesAndAddsIndexes()
    {
        await using (var backend = Open(_folder.Path))
        {
            Assert.Equal(41, await backend.CountAsync());
        }
        using var connection = new SqliteConnection($"Data Source={_folder.DbPath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT type, name, sql FROM sqlite_master";
        var objects = new List<(string Type, string Name, string? Sql)>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read()) objects.Add((reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
        }
        var expectedTables = Expected["sqlite_schema"]!.AsArray().Select(n => (string)n!).Order(StringComparer.Ordinal);
        var tables = objects.Where(o => o.Type == "table" && o.Name is "metadata" or "audit_trail" or "compliance_events")
            .Select(o => o.Sql!).Order(StringComparer.Ordinal);
        Assert.Equal(expectedTables, tables);
        Assert.Contains(objects, o => o.Name == "ix_ciaf_metadata_model_stage_ts");
        Assert.Contains(objects, o => o.Name == "ix_ciaf_compliance_metadata_id");
        Assert.Contains(objects, o => o.Name == "ciaf_schema_version");
    }

    [Fact]
    public async Task Constructor_NewStore_CreatesTablesExactlyAsTheReference()
    {
        using var fresh = new SqliteTestFolder();
        await using (var backend = Open(fresh.Path)) { }
        using var connection = new SqliteConnection($"Data Source={fresh.DbPath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT sql FROM sqlite_master WHERE type = 'table' AND name IN ('metadata', 'audit_trail', 'compliance_events') ORDER BY name";
        var sql = new List<string>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read()) sql.Add(reader.GetString(0));
        }
        Assert.Equal(Expected["sqlite_schema"]!.AsArray().Select(n => (string)n!), sql);
    }
}
