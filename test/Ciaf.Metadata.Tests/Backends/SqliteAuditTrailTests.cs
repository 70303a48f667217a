using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Backends.Sqlite;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Ciaf.Metadata.Tests.Backends;

/// <summary>The SQLite backend's audit trail (the reference's audit_trail table) and state table.</summary>
public sealed class SqliteAuditTrailTests : IDisposable
{
    private readonly SqliteTestFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private SqliteMetadataBackend Open() => new(new BackendContext { StoragePath = _folder.Path });

    [Fact]
    public async Task WriteAudit_RowsInReferenceAuditTrail_IndexedOnTimestamp_Idempotent()
    {
        var at = new DateTimeOffset(2026, 3, 1, 0, 0, 1, TimeSpan.Zero).AddTicks(2345670); // .234567
        var entry = new AuditEntry(Guid.CreateVersion7(at).ToString(), "rec-1", "read", at, "alice", "{\"x\":1}");
        await using (var backend = Open())
        {
            await backend.WriteAuditAsync([entry]);
            await backend.WriteAuditAsync([entry]);
            Assert.Equal([entry], await backend.QueryAuditAsync(new AuditQuery()).ToListAsync());
        }

        using var connection = new SqliteConnection($"Data Source={_folder.DbPath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, parent_id, action, timestamp, user_id, details FROM audit_trail";
        using (var reader = command.ExecuteReader())
        {
            Assert.True(reader.Read());
            Assert.Equal((entry.Id, "rec-1", "read", "alice", "{\"x\":1}"), (reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(4), reader.GetString(5)));
            Assert.Equal(Ciaf.Metadata.Hashing.PythonTimestamp.Format(at), reader.GetString(3));
            Assert.False(reader.Read());
        }
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_trail' AND name LIKE 'ix_ciaf_%' ORDER BY name";
        var indexes = new List<string>();
        using (var reader = command.ExecuteReader()) while (reader.Read()) indexes.Add(reader.GetString(0));
        Assert.Equal(["ix_ciaf_audit_parent_ts", "ix_ciaf_audit_ts"], indexes);
    }

    [Fact]
    public async Task QueryAudit_PagesThroughManyEntriesInOrder()
    {
        await using var backend = Open();
        var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var entries = Enumerable.Range(0, 1500)
            .Select(i => new AuditEntry(Guid.CreateVersion7(t0.AddSeconds(i)).ToString(), $"r{i % 7}", i % 2 == 0 ? "read" : "query", t0.AddSeconds(i), "u", null))
            .ToList();
        await backend.WriteAuditAsync(entries);
        Assert.Equal(entries.Select(e => e.Id), (await backend.QueryAuditAsync(new AuditQuery { Order = RecordOrder.OldestFirst }).ToListAsync()).Select(e => e.Id));
        Assert.Equal(750, (await backend.QueryAuditAsync(new AuditQuery { Action = "read" }).ToListAsync()).Count);
        var newest = await backend.QueryAuditAsync(new AuditQuery { ParentId = "r3", Limit = 3 }).ToListAsync();
        Assert.Equal(entries.Where(e => e.ParentId == "r3").Reverse().Take(3).Select(e => e.Id), newest.Select(e => e.Id));
    }

    [Fact]
    public async Task State_KeptInOwnTable_PerKey()
    {
        await using var backend = Open();
        await backend.WriteStateAsync("legal_holds", "model:a", "1");
        await backend.WriteStateAsync("legal_holds", "model:b", "2");
        await backend.WriteStateAsync("legal_holds", "model:a", "3");
        await backend.WriteStateAsync("other", "model:a", "x");
        await backend.WriteStateAsync("legal_holds", "model:b", null);
        var state = await backend.ReadStateAsync("legal_holds");
        Assert.Equal(new Dictionary<string, string> { ["model:a"] = "3" }, state);
    }
}
