using System.Text.Json.Nodes;
using Ciaf.Metadata.Backends.Pickle;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Backends;

/// <summary>The Pickle backend over a copy of the store the Python reference wrote, and over new stores.</summary>
public sealed class PickleMetadataBackendTests : IDisposable
{
    // A record of the fixture store, and the reference's file for it.
    private const string TrainingId = "285409d4-a654-4d79-b6a8-a8ce388b94fe";

    private readonly TempDirectory _store = TempDirectory.CopyOf(PickleFixtures.PickleStore);
    private readonly List<(string Path, Exception Error)> _corrupt = [];
    private readonly PickleMetadataBackend _backend;

    public PickleMetadataBackendTests()
    {
        _backend = new PickleMetadataBackend(new BackendContext
        {
            StoragePath = _store.Path,
            ReportCorrupt = (path, ex) => { lock (_corrupt) _corrupt.Add((path, ex)); },
        });
    }

    public void Dispose()
    {
        _backend.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _store.Dispose();
    }

    public static TheoryData<string> FixtureIds => PickleFixtures.RecordIds();

    [Fact]
    public async Task Create_Pickle_IsRegistered()
    {
        Assert.Contains("pickle", MetadataBackends.Names);
        using var folder = new TempDirectory();
        await using var backend = MetadataBackends.Create("Pickle", new BackendContext { StoragePath = folder.Path });

        Assert.IsType<PickleMetadataBackend>(backend);
        Assert.Equal("pickle", backend.Name);
        Assert.Null(backend.DbPath);
    }

    [Theory]
    [MemberData(nameof(FixtureIds))]
    public async Task GetAsync_ReferenceRecord_MatchesExpected(string id)
    {
        var record = await _backend.GetAsync(id);

        Assert.NotNull(record);
        PickleFixtures.AssertRecordEquals(PickleFixtures.ExpectedRecord(id), record);
        Assert.Empty(_corrupt);
    }

    [Fact]
    public async Task QueryAsync_AllModels_ReturnsExactlyExpectedRecords()
    {
        var expected = PickleFixtures.ExpectedRecords.ToDictionary(r => (string)r["id"]!);

        var all = await _backend.QueryAsync(new MetadataQuery()).ToListAsync();

        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), all.Select(r => r.Id).Order(StringComparer.Ordinal));
        foreach (var record in all) PickleFixtures.AssertRecordEquals(expected[record.Id], record);
        Assert.Equal(41, await _backend.CountAsync());
        Assert.Empty(_corrupt);
    }

    [Fact]
    public async Task QueryAsync_PerModelDefault_MatchesReferenceOrder()
    {
        foreach (var (model, ids) in PickleFixtures.Expected["queries"]!["get_model_metadata_default"]!.AsObject())
        {
            var actual = await _backend.QueryAsync(new MetadataQuery { ModelName = model }).ToListAsync();
            Assert.Equal(ids!.AsArray().Select(i => (string)i!), actual.Select(r => r.Id));
        }
    }

    [Fact]
    public async Task QueryAsync_PerModelStageWithLimit_MatchesReference()
    {
        foreach (var (model, byStage) in PickleFixtures.Expected["queries"]!["get_model_metadata_stage"]!.AsObject())
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
    public async Task QueryComplianceEventsAsync_ReferenceStore_EqualsExpectedEvents()
    {
        var expected = PickleFixtures.Expected["compliance_events"]!.AsArray().Select(e => e!.AsObject()).ToList();

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
        Assert.Empty(_corrupt);
    }

    [Fact]
    public async Task GetAsync_ComplianceEventId_ReturnsNull()
    {
        // The reference returned the compliance event for this id; it is not a record.
        Assert.Null(await _backend.GetAsync("21bc9e8b-c442-4120-9673-d9990bfe5c9c"));
        Assert.Null(await _backend.GetAsync("00000000-0000-4000-8000-000000000000"));
    }

    [Fact]
    public async Task WriteAsync_NewRecord_WritesStageAndFullIdFilePythonCanLoad()
    {
        var record = PickleSamples.EdgeRecord();

        await _backend.WriteAsync([record]);

        string path = _store.Combine(record.ModelName, $"{record.Stage}_{record.Id}.pkl");
        Assert.True(File.Exists(path));
        Assert.Equal(PickleRecordCodec.Serialize(record), File.ReadAllBytes(path));
        PickleSamples.AssertSame(record, (await _backend.GetAsync(record.Id))!);
        string loaded = Python.Run("""
            import sys, pickle, json, hashlib
            rec = pickle.load(open(sys.argv[1], 'rb'))
            assert hashlib.sha256(json.dumps(rec['metadata'], sort_keys=True).encode()).hexdigest() == rec['metadata_hash']
            print(rec['id'])
            """, path);
        Assert.Equal(record.Id, loaded.Trim());
    }

    [Fact]
    public async Task WriteAsync_RewriteOfReferenceRecord_ReplacesItsFileInPlace()
    {
        var original = (await _backend.GetAsync(TrainingId))!;
        var metadata = new JsonObject { ["accuracy"] = 0.5 };
        var updated = original with { Metadata = metadata, MetadataHash = PythonJson.Hash(metadata) };

        await _backend.WriteAsync([updated]);

        var files = Directory.GetFiles(_store.Combine("credit_scoring")).Where(f => Path.GetFileName(f).Contains("285409d4", StringComparison.Ordinal)).ToList();
        Assert.Equal([_store.Combine("credit_scoring", "training_285409d4.pkl")], files);
        Assert.Equal(PickleRecordCodec.Serialize(updated), File.ReadAllBytes(files[0]));
        Assert.Equal(41, await _backend.CountAsync());
    }

    [Fact]
    public async Task DeleteAsync_ReferenceRecord_RemovesItsFile()
    {
        Assert.Equal(1, await _backend.DeleteAsync([TrainingId, "no-such-id"]));

        Assert.False(File.Exists(_store.Combine("credit_scoring", "training_285409d4.pkl")));
        Assert.Null(await _backend.GetAsync(TrainingId));
        Assert.Equal(40, await _backend.CountAsync());
    }

    [Fact]
    public async Task MaliciousPickleInModelFolder_SkippedAndReportedNotExecuted()
    {
        string marker = _store.Combine("pwned");
        // Named like the reference's file for TrainingId (same prefix) in another stage, so that both
        // queries and a get by that id open it; and under a full id of its own, so a get of that id opens it.
        string evilPrefix = _store.Combine("credit_scoring", "validation_285409d4.pkl");
        const string evilId = "66666666-7777-4888-8999-000000000000";
        string evilFull = _store.Combine("diagnosis-net", $"training_{evilId}.pkl");
        Python.Run("""
            import sys, os, pickle
            class Evil:
                def __reduce__(self): return (os.system, ('touch ' + sys.argv[1],))
            for path in sys.argv[2:]:
                pickle.dump({'id': 'x', 'metadata': Evil()}, open(path, 'wb'))
            """, marker, evilPrefix, evilFull);
        await using var backend = new PickleMetadataBackend(new BackendContext
        {
            StoragePath = _store.Path,
            ReportCorrupt = (path, ex) => { lock (_corrupt) _corrupt.Add((path, ex)); },
        });

        var all = await backend.QueryAsync(new MetadataQuery()).ToListAsync();
        var validation = await backend.QueryAsync(new MetadataQuery { ModelName = "credit_scoring", Stage = "validation" }).ToListAsync();
        var training = await backend.GetAsync(TrainingId);
        var evil = await backend.GetAsync(evilId);

        Assert.Equal(41, all.Count);
        Assert.Equal(["ee847ecb-2f15-4f15-9228-bc1f965cbb09"], validation.Select(r => r.Id));
        PickleFixtures.AssertRecordEquals(PickleFixtures.ExpectedRecord(TrainingId), training!);
        Assert.Null(evil);
        Assert.False(File.Exists(marker));
        Assert.Contains(_corrupt, c => c.Path == evilPrefix);
        Assert.Contains(_corrupt, c => c.Path == evilFull);
        Assert.All(_corrupt, c => Assert.Contains(".system'", Assert.IsType<UnsafePickleException>(c.Error).Message, StringComparison.Ordinal));
        Assert.True(File.Exists(evilPrefix), "the malicious file is left for an operator to inspect");
    }
}
