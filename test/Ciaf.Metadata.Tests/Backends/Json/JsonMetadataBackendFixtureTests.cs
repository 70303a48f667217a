using System.Text.Json.Nodes;
using Ciaf.Metadata.Backends.Json;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Backends.Json;

/// <summary>Reads a copy of the store the Python reference wrote and compares it with EXPECTED.json.</summary>
public sealed class JsonMetadataBackendFixtureTests : IDisposable
{
    private readonly TempDirectory _store = TempDirectory.CopyOf(PyciafFixtures.Store("json"));
    private readonly List<string> _corrupt = [];
    private readonly JsonMetadataBackend _backend;

    public JsonMetadataBackendFixtureTests()
    {
        _backend = new JsonMetadataBackend(new BackendContext
        {
            StoragePath = _store.Path,
            ReportCorrupt = (path, _) => { lock (_corrupt) _corrupt.Add(path); },
        });
    }

    public void Dispose()
    {
        _backend.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _store.Dispose();
    }

    public static TheoryData<string> ExpectedIds()
    {
        var data = new TheoryData<string>();
        foreach (var record in PyciafFixtures.Expected["records"]!.AsArray()) data.Add((string)record!["id"]!);
        return data;
    }

    [Theory]
    [MemberData(nameof(ExpectedIds))]
    public async Task GetAsync_ReferenceRecord_MatchesExpectedFieldByField(string id)
    {
        var expected = PyciafFixtures.Expected["records"]!.AsArray().Single(r => (string)r!["id"]! == id)!.AsObject();

        var actual = await _backend.GetAsync(id);

        Assert.NotNull(actual);
        AssertRecord(expected, actual);
        Assert.Empty(_corrupt);
    }

    [Fact]
    public async Task QueryAsync_AllModels_ReturnsEveryExpectedRecord()
    {
        var expected = PyciafFixtures.Expected["records"]!.AsArray().Select(r => r!.AsObject()).ToDictionary(r => (string)r["id"]!);

        var all = await _backend.QueryAsync(new MetadataQuery()).ToListAsync();

        Assert.Equal(41, all.Count);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), all.Select(r => r.Id).Order(StringComparer.Ordinal));
        foreach (var record in all) AssertRecord(expected[record.Id], record);
        Assert.Empty(_corrupt);
    }

    [Fact]
    public async Task QueryAsync_PerModelDefault_MatchesReferenceOrder()
    {
        var queries = PyciafFixtures.Expected["queries"]!["get_model_metadata_default"]!.AsObject();
        foreach (var (model, ids) in queries)
        {
            var actual = await _backend.QueryAsync(new MetadataQuery { ModelName = model }).ToListAsync();
            Assert.Equal(ids!.AsArray().Select(i => (string)i!), actual.Select(r => r.Id));
        }
    }

    [Fact]
    public async Task QueryAsync_PerModelStageWithLimit_MatchesReference()
    {
        var queries = PyciafFixtures.Expected["queries"]!["get_model_metadata_stage"]!.AsObject();
        foreach (var (model, byStage) in queries)
        {
            foreach (var (key, ids) in byStage!.AsObject())
            {
                var parts = key.Split(",limit=");
                var actual = await _backend.QueryAsync(new MetadataQuery
                {
                    ModelName = model, Stage = parts[0], Limit = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture),
                }).ToListAsync();
                Assert.Equal(ids!.AsArray().Select(i => (string)i!), actual.Select(r => r.Id));
            }
        }
    }

    [Fact]
    public async Task GetAsync_UnknownId_ReturnsNull()
    {
        Assert.Null(await _backend.GetAsync("00000000-0000-4000-8000-000000000000"));
        // A compliance event id is not a record id (the reference returned the event here).
        Assert.Null(await _backend.GetAsync("21bc9e8b-c442-4120-9673-d9990bfe5c9c"));
    }

    [Fact]
    public async Task QueryComplianceEventsAsync_ReferenceStore_EqualsExpectedEvents()
    {
        var expected = PyciafFixtures.Expected["compliance_events"]!.AsArray().Select(e => e!.AsObject()).ToList();

        var actual = await _backend.QueryComplianceEventsAsync(new ComplianceEventQuery()).ToListAsync();

        Assert.Equal(expected.Count, actual.Count);
        var byId = actual.ToDictionary(e => e.Id);
        foreach (var e in expected)
        {
            var a = byId[(string)e["id"]!];
            Assert.Equal((string?)e["metadata_id"], a.MetadataId);
            Assert.Equal((string)e["framework"]!, a.Framework);
            Assert.Equal((double?)e["compliance_score"], a.ComplianceScore);
            Assert.Equal((string?)e["validation_status"], a.ValidationStatus);
            Assert.Equal((string)e["timestamp"]!, PythonTimestamp.Format(a.Timestamp));
            Assert.Equal((string?)e["details"], a.Details);
        }
        // Newest first.
        Assert.Equal(actual.OrderByDescending(e => e.Timestamp).Select(e => e.Id), actual.Select(e => e.Id));
    }

    [Fact]
    public async Task CountAsync_ReferenceStore_CountsRecordFilesOnly()
    {
        Assert.Equal(41, await _backend.CountAsync());
    }

    [Fact]
    public async Task WriteAsync_RewriteOfReferenceNamedRecord_ReplacesThatFileInPlace()
    {
        const string id = "b28c5072-8716-4592-aa4b-6c7abf7340c3";
        var original = (await _backend.GetAsync(id))!;
        var metadata = new JsonObject { ["accuracy"] = 0.5 };
        var updated = original with { Metadata = metadata, MetadataHash = PythonJson.Hash(metadata) };

        await _backend.WriteAsync([updated]);

        var folder = _store.Combine("résumé_ranker");
        var files = Directory.GetFiles(folder).Where(f => Path.GetFileName(f).Contains("b28c5072", StringComparison.Ordinal)).ToList();
        Assert.Equal([Path.Combine(folder, "2026-03-01_training_b28c5072.json")], files);
        Assert.Equal(RecordJson.ToFileBytes(updated), File.ReadAllBytes(files[0]));
        Assert.Equal(41, await _backend.CountAsync());
    }

    [Fact]
    public async Task WriteAsync_ReferenceRecordMovedToAnotherStage_LeavesOneFile()
    {
        const string id = "b28c5072-8716-4592-aa4b-6c7abf7340c3";
        var moved = (await _backend.GetAsync(id))! with { Stage = "validation" };

        await _backend.WriteAsync([moved]);

        var folder = _store.Combine("résumé_ranker");
        var files = Directory.GetFiles(folder).Select(Path.GetFileName).Where(f => f!.Contains("b28c5072", StringComparison.Ordinal)).ToList();
        Assert.Equal([$"2026-03-01_validation_{id}.json"], files);
        Assert.Equal("validation", (await _backend.GetAsync(id))!.Stage);
        Assert.Equal(41, await _backend.CountAsync());
    }

    [Fact]
    public async Task DeleteAsync_ReferenceNamedRecord_RemovesItsFile()
    {
        const string id = "b28c5072-8716-4592-aa4b-6c7abf7340c3";

        Assert.Equal(1, await _backend.DeleteAsync([id, "no-such-id"]));

        Assert.False(File.Exists(_store.Combine("résumé_ranker", "2026-03-01_training_b28c5072.json")));
        Assert.Null(await _backend.GetAsync(id));
        Assert.Equal(40, await _backend.CountAsync());
    }

    internal static void AssertRecord(JsonObject expected, MetadataRecord actual)
    {
        Assert.Equal((string)expected["id"]!, actual.Id);
        Assert.Equal((string)expected["model_name"]!, actual.ModelName);
        Assert.Equal((string)expected["model_version"]!, actual.ModelVersion);
        Assert.Equal((string)expected["stage"]!, actual.Stage);
        Assert.Equal((string)expected["event_type"]!, actual.EventType);
        Assert.Equal((string)expected["timestamp"]!, PythonTimestamp.Format(actual.Timestamp));
        Assert.Equal((string)expected["metadata_hash"]!, actual.MetadataHash);
        Assert.Equal((string?)expected["details"], actual.Details);
        Assert.Equal(PythonJson.Canonical(expected["metadata"]), PythonJson.Canonical(actual.Metadata));
    }
}
