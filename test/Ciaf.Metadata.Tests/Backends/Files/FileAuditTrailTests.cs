using System.Text;
using System.Text.Json;
using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Backends.Json;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Backends.Files;

/// <summary>The file backends' audit trail and state layout (shared by json and pickle through FileMetadataBackend).</summary>
public sealed class FileAuditTrailTests : IDisposable
{
    private static readonly DateTimeOffset Day1 = new(2026, 3, 1, 23, 59, 59, TimeSpan.Zero);
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private JsonMetadataBackend Open() => new(new BackendContext { StoragePath = _folder.Path });

    private static AuditEntry Entry(DateTimeOffset at, string action = "read", string? parent = "r1") =>
        new(Guid.CreateVersion7(at).ToString(), parent, action, at, "alice", "{\"found\":true}");

    [Fact]
    public async Task WriteAudit_OneJsonLinePerEntry_InTheFileOfItsUtcDate()
    {
        await using var backend = Open();
        var a = Entry(Day1);
        var b = Entry(Day1.AddSeconds(2), "save", null);
        await backend.WriteAuditAsync([a, b]);

        string day1 = _folder.Combine("audit", "2026-03-01.jsonl");
        string day2 = _folder.Combine("audit", "2026-03-02.jsonl");
        var line = Assert.Single(File.ReadAllLines(day1));
        using var doc = JsonDocument.Parse(line);
        Assert.Equal(["id", "parent_id", "action", "timestamp", "user_id", "details"], doc.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("2026-03-01T23:59:59+00:00", doc.RootElement.GetProperty("timestamp").GetString());
        Assert.Equal("{\"found\":true}", doc.RootElement.GetProperty("details").GetString());
        Assert.Single(File.ReadAllLines(day2));

        var all = await backend.QueryAuditAsync(new AuditQuery { Order = RecordOrder.OldestFirst }).ToListAsync();
        Assert.Equal([a, b], all);
        // Audit folder is never taken for a model folder.
        Assert.Empty(await backend.QueryAsync(new MetadataQuery()).ToListAsync());
    }

    [Fact]
    public async Task QueryAudit_TruncatedLastLineAndGarbage_SkippedAndReported_NextAppendStartsClean()
    {
        var reported = new List<string>();
        await using var backend = new JsonMetadataBackend(new BackendContext { StoragePath = _folder.Path, ReportCorrupt = (where, _) => reported.Add(where) });
        var a = Entry(Day1);
        await backend.WriteAuditAsync([a]);
        string path = _folder.Combine("audit", "2026-03-01.jsonl");
        File.AppendAllText(path, "not json\n{\"id\": \"half");   // a garbage line, then a writer killed mid-line

        Assert.Equal([a], await backend.QueryAuditAsync(new AuditQuery()).ToListAsync());
        Assert.Single(reported);
        Assert.EndsWith(":2", reported[0], StringComparison.Ordinal);

        var b = Entry(Day1.AddMilliseconds(1));
        await backend.WriteAuditAsync([b]);
        Assert.Equal([b, a], await backend.QueryAuditAsync(new AuditQuery()).ToListAsync());
    }

    [Fact]
    public async Task WriteAudit_RetriedEntry_ReadOnce()
    {
        await using var backend = Open();
        var a = Entry(Day1);
        await backend.WriteAuditAsync([a]);
        await backend.WriteAuditAsync([a]);
        Assert.Single(await backend.QueryAuditAsync(new AuditQuery()).ToListAsync());
    }

    [Fact]
    public async Task WriteAudit_SeveralWritersAtOnce_EveryLineWhole()
    {
        // Separate backend instances stand for separate processes: they share only the file lock.
        var backends = Enumerable.Range(0, 4).Select(_ => Open()).ToList();
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, 200), async (i, ct) =>
                await backends[i % backends.Count].WriteAuditAsync([Entry(Day1, "read", $"r{i}"), Entry(Day1, "query", null)], ct));
            var lines = File.ReadAllLines(_folder.Combine("audit", "2026-03-01.jsonl"));
            Assert.Equal(400, lines.Length);
            Assert.All(lines, l => JsonDocument.Parse(l).Dispose());
            Assert.Equal(400, (await backends[0].QueryAuditAsync(new AuditQuery()).ToListAsync()).Count);
        }
        finally
        {
            foreach (var b in backends) await b.DisposeAsync();
        }
    }

    [Fact]
    public async Task State_OneFilePerKey_UnderTheAuditFolder()
    {
        await using var backend = Open();
        await backend.WriteStateAsync("legal_holds", "model:m", "{\"reason\":\"x\"}");
        await backend.WriteStateAsync("legal_holds", "record:r/1", "{}");
        // *.json: the folder also holds the scope's lock file, .lock.
        var files = Directory.GetFiles(_folder.Combine("audit", "legal_holds"), "*.json");
        Assert.Equal(2, files.Length);
        Assert.Contains(files, f => File.ReadAllText(f, Encoding.UTF8).Contains("model:m", StringComparison.Ordinal));

        await using (var other = Open())
        {
            var state = await other.ReadStateAsync("legal_holds");
            Assert.Equal("{\"reason\":\"x\"}", state["model:m"]);
            Assert.Equal(2, state.Count);
        }
        await backend.WriteStateAsync("legal_holds", "model:m", null);
        Assert.Equal(["record:r/1"], (await backend.ReadStateAsync("legal_holds")).Keys);
        await Assert.ThrowsAsync<ArgumentException>(async () => await backend.ReadStateAsync("../x"));
    }
}
