using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Backends.Json;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Backends.Json;

public sealed class JsonMetadataBackendTests : IDisposable
{
    private readonly TempDirectory _store = new();
    private readonly ConcurrentBag<(string Path, Exception Error)> _corrupt = [];
    private readonly List<JsonMetadataBackend> _opened = [];

    public void Dispose()
    {
        foreach (var backend in _opened) backend.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _store.Dispose();
    }

    private JsonMetadataBackend Open()
    {
        // The layout of records alone: the ledger's folder has its own tests (FileLedgerStoreTests).
        var backend = new JsonMetadataBackend(new BackendContext
        {
            StoragePath = _store.Path,
            ReportCorrupt = (path, error) => _corrupt.Add((path, error)),
            LedgerEnabled = false,
        });
        _opened.Add(backend);
        return backend;
    }

    // ---------------------------------------------------------------- layout and round trip

    [Fact]
    public async Task WriteAsync_Record_WritesDatedFileWithFullIdAndReferenceBytes()
    {
        var backend = Open();
        var record = SampleRecords.Create(stage: "data_ingestion", timestamp: new DateTimeOffset(2026, 2, 28, 23, 59, 59, 500, TimeSpan.Zero));

        await backend.WriteAsync([record]);

        var path = _store.Combine("credit_scoring", $"2026-02-28_data_ingestion_{record.Id}.json");
        Assert.True(File.Exists(path));
        Assert.Equal(RecordJson.ToFileBytes(record), File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(_store.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task WriteAsync_NonUtcTimestamp_UsesUtcDateInName()
    {
        var backend = Open();
        var record = SampleRecords.Create(timestamp: new DateTimeOffset(2026, 3, 2, 1, 0, 0, TimeSpan.FromHours(5)));

        await backend.WriteAsync([record]);

        Assert.True(File.Exists(_store.Combine("credit_scoring", $"2026-03-01_training_{record.Id}.json")));
    }

    [Fact]
    public async Task GetAsync_AfterWrite_RoundTripsEveryField()
    {
        var backend = Open();
        var metadata = new JsonObject
        {
            ["text"] = "résumé ✓ 🚀 \"q\" \\ \n",
            ["float"] = 1e-05,
            ["integral"] = 100.0,
            ["big"] = JsonNode.Parse("123456789012345678901234567890"),
            ["nested"] = new JsonObject { ["list"] = new JsonArray(1, null, true, "x") },
        };
        var record = SampleRecords.Create(model: "résumé_ranker", metadata: metadata, details: "détails ✓", version: "2.0.0");

        await backend.WriteAsync([record]);
        var read = await backend.GetAsync(record.Id);
        var reopened = await Open().GetAsync(record.Id);

        foreach (var actual in new[] { read, reopened })
        {
            Assert.NotNull(actual);
            Assert.Equal(record.Id, actual.Id);
            Assert.Equal(record.ModelName, actual.ModelName);
            Assert.Equal(record.ModelVersion, actual.ModelVersion);
            Assert.Equal(record.Stage, actual.Stage);
            Assert.Equal(record.EventType, actual.EventType);
            Assert.Equal(record.Timestamp, actual.Timestamp);
            Assert.Equal(record.MetadataHash, actual.MetadataHash);
            Assert.Equal(record.Details, actual.Details);
            Assert.Equal(PythonJson.Canonical(record.Metadata), PythonJson.Canonical(actual.Metadata));
            Assert.Equal(record.MetadataHash, PythonJson.Hash(actual.Metadata));
        }
    }

    [Fact]
    public async Task WriteAsync_IdWithUnderscoreAndSlash_IsEscapedAndFoundAgain()
    {
        var backend = Open();
        var record = SampleRecords.Create(id: "my_id/with%odd:chars");

        await backend.WriteAsync([record]);

        Assert.True(File.Exists(_store.Combine("credit_scoring", "2026-03-01_training_my%5Fid%2Fwith%25odd%3Achars.json")));
        Assert.Equal(record.Id, (await backend.GetAsync(record.Id))?.Id);
        Assert.Equal(record.Id, (await Open().GetAsync(record.Id))?.Id);
    }

    // ---------------------------------------------------------------- idempotence

    [Fact]
    public async Task WriteAsync_SameIdTwice_ReplacesTheFile()
    {
        var backend = Open();
        var first = SampleRecords.Create();
        var metadata = new JsonObject { ["accuracy"] = 0.99 };
        var second = first with { Metadata = metadata, MetadataHash = PythonJson.Hash(metadata) };

        await backend.WriteAsync([first]);
        await backend.WriteAsync([second, second]);

        Assert.Single(Directory.GetFiles(_store.Combine("credit_scoring")));
        Assert.Equal(1, await backend.CountAsync());
        Assert.Equal(second.MetadataHash, (await backend.GetAsync(first.Id))!.MetadataHash);
    }

    [Fact]
    public async Task WriteAsync_SameIdNewModelAndDay_MovesTheRecord()
    {
        var backend = Open();
        var first = SampleRecords.Create();
        var moved = first with { ModelName = "other_model", Timestamp = first.Timestamp.AddDays(3) };

        await backend.WriteAsync([first]);
        await backend.WriteAsync([moved]);

        Assert.Empty(Directory.GetFiles(_store.Combine("credit_scoring")));
        Assert.Equal([_store.Combine("other_model", $"2026-03-04_training_{first.Id}.json")], Directory.GetFiles(_store.Combine("other_model")));
        Assert.Equal("other_model", (await backend.GetAsync(first.Id))!.ModelName);
        Assert.Equal(1, await backend.CountAsync());
    }

    [Fact]
    public async Task WriteAsync_IdWrittenByAnotherInstance_StillOneFile()
    {
        var a = Open();
        var record = SampleRecords.Create();
        await a.WriteAsync([record]);
        var b = Open();

        await b.WriteAsync([record with { Stage = "validation" }]);

        Assert.Single(Directory.GetFiles(_store.Combine("credit_scoring")));
        Assert.Equal("validation", (await a.GetAsync(record.Id))!.Stage);
    }

    // ---------------------------------------------------------------- queries

    [Fact]
    public async Task QueryAsync_StagePrefixOfAnother_MatchesExactStageOnly()
    {
        var backend = Open();
        var train = SampleRecords.Create(stage: "train");
        var training = SampleRecords.Create(stage: "training");
        var pretrain = SampleRecords.Create(stage: "pre_train");
        await backend.WriteAsync([train, training, pretrain]);

        var result = await backend.QueryAsync(new MetadataQuery { ModelName = "credit_scoring", Stage = "train" }).ToListAsync();

        Assert.Equal([train.Id], result.Select(r => r.Id));
    }

    [Fact]
    public async Task QueryAsync_ModelNamePrefixOfAnother_MatchesExactModelOnly()
    {
        var backend = Open();
        var a = SampleRecords.Create(model: "credit");
        var b = SampleRecords.Create(model: "credit_scoring");
        await backend.WriteAsync([a, b]);

        var result = await backend.QueryAsync(new MetadataQuery { ModelName = "credit" }).ToListAsync();

        Assert.Equal([a.Id], result.Select(r => r.Id));
        Assert.Empty(await backend.QueryAsync(new MetadataQuery { ModelName = "no_such_model" }).ToListAsync());
    }

    [Fact]
    public async Task QueryAsync_NoModel_ListsEveryModelButNotExportsOrEvents()
    {
        var backend = Open();
        var a = SampleRecords.Create(model: "m1");
        var b = SampleRecords.Create(model: "m2");
        await backend.WriteAsync([a, b]);
        Directory.CreateDirectory(_store.Combine("exports"));
        File.WriteAllBytes(_store.Combine("exports", $"2026-03-01_training_{Guid.NewGuid()}.json"), RecordJson.ToFileBytes(SampleRecords.Create(model: "exports")));
        await backend.WriteComplianceEventsAsync([new ComplianceEvent(Guid.NewGuid().ToString(), a.Id, "GDPR", 1.0, "passed", SampleRecords.BaseTime, null)]);

        var result = await backend.QueryAsync(new MetadataQuery()).ToListAsync();

        Assert.Equal(new[] { a.Id, b.Id }.Order(StringComparer.Ordinal), result.Select(r => r.Id).Order(StringComparer.Ordinal));
        Assert.Equal(2, await backend.CountAsync());
        Assert.Empty(_corrupt);
    }

    [Fact]
    public async Task QueryAsync_OrderAndLimit_TimestampThenIdAcrossDays()
    {
        var backend = Open();
        var t = SampleRecords.BaseTime;
        var records = new List<MetadataRecord>();
        for (int day = 0; day < 5; day++)
        {
            for (int i = 0; i < 3; i++)
            {
                records.Add(SampleRecords.Create(timestamp: t.AddDays(day).AddMinutes(i), id: $"id-{day}-{i}"));
            }
        }
        // Same timestamp as id-4-2: the id breaks the tie.
        records.Add(SampleRecords.Create(timestamp: t.AddDays(4).AddMinutes(2), id: "id-4-2b"));
        await backend.WriteAsync(records.OrderBy(_ => Guid.NewGuid()).ToList());

        var newest = await backend.QueryAsync(new MetadataQuery { Limit = 4 }).ToListAsync();
        var oldest = await backend.QueryAsync(new MetadataQuery { Limit = 4, Order = RecordOrder.OldestFirst }).ToListAsync();
        var all = await backend.QueryAsync(new MetadataQuery { Order = RecordOrder.OldestFirst }).ToListAsync();

        Assert.Equal(["id-4-2b", "id-4-2", "id-4-1", "id-4-0"], newest.Select(r => r.Id));
        Assert.Equal(["id-0-0", "id-0-1", "id-0-2", "id-1-0"], oldest.Select(r => r.Id));
        Assert.Equal(16, all.Count);
        Assert.Equal(all.OrderBy(r => r.Timestamp).ThenBy(r => r.Id, StringComparer.Ordinal).Select(r => r.Id), all.Select(r => r.Id));
    }

    [Fact]
    public async Task QueryAsync_SinceUntil_InclusiveSinceExclusiveUntil()
    {
        var backend = Open();
        var t = SampleRecords.BaseTime;
        var records = Enumerable.Range(0, 6).Select(i => SampleRecords.Create(timestamp: t.AddHours(12 * i), id: $"r{i}")).ToList();
        await backend.WriteAsync(records);

        var result = await backend.QueryAsync(new MetadataQuery
        {
            Since = t.AddHours(12), Until = t.AddHours(48), Order = RecordOrder.OldestFirst,
        }).ToListAsync();

        Assert.Equal(["r1", "r2", "r3"], result.Select(r => r.Id));
    }

    [Fact]
    public async Task QueryAsync_LimitWithRecordInUndatedFile_StillFindsIt()
    {
        var backend = Open();
        var old = SampleRecords.Create(timestamp: SampleRecords.BaseTime, id: "old");
        var newest = SampleRecords.Create(timestamp: SampleRecords.BaseTime.AddDays(10), id: "newest");
        await backend.WriteAsync([old]);
        // A record in a file whose name cannot be parsed: judged by its content.
        File.WriteAllBytes(_store.Combine("credit_scoring", "copied by hand.json"), RecordJson.ToFileBytes(newest));

        var result = await backend.QueryAsync(new MetadataQuery { Limit = 1 }).ToListAsync();

        Assert.Equal(["newest"], result.Select(r => r.Id));
    }

    [Fact]
    public async Task QueryAsync_LimitZero_ReturnsNothing()
    {
        var backend = Open();
        await backend.WriteAsync([SampleRecords.Create()]);

        Assert.Empty(await backend.QueryAsync(new MetadataQuery { Limit = 0 }).ToListAsync());
    }

    // ---------------------------------------------------------------- concurrency

    [Fact]
    public async Task WriteAsync_EightThreadsTwoHundredRecordsEach_AllPresent()
    {
        var backend = Open();
        var batches = Enumerable.Range(0, 8)
            .Select(t => Enumerable.Range(0, 200)
                .Select(i => SampleRecords.Create(model: $"model{t % 3}", stage: i % 2 == 0 ? "training" : "inference",
                    timestamp: SampleRecords.BaseTime.AddSeconds(i).AddDays(t % 2)))
                .ToList())
            .ToList();
        using var start = new ManualResetEventSlim();

        var threads = batches.Select(batch => Task.Factory.StartNew(async () =>
        {
            start.Wait();
            foreach (var record in batch)
            {
                await backend.WriteAsync([record]);
                Assert.NotNull(await backend.GetAsync(record.Id));
            }
        }, TaskCreationOptions.LongRunning).Unwrap()).ToList();
        start.Set();
        await Task.WhenAll(threads);

        Assert.Equal(1600, await backend.CountAsync());
        var all = await backend.QueryAsync(new MetadataQuery()).ToListAsync();
        Assert.Equal(1600, all.Select(r => r.Id).Distinct().Count());
        var reopened = Open();
        foreach (var record in batches.SelectMany(b => b))
        {
            Assert.Equal(record.MetadataHash, (await reopened.GetAsync(record.Id))?.MetadataHash);
        }
        Assert.Empty(Directory.GetFiles(_store.Path, ".tmp-*", SearchOption.AllDirectories));
        Assert.Empty(_corrupt);
    }

    [Fact]
    public async Task WriteAsync_ConcurrentRewritesOfOneId_LeaveOneFile()
    {
        var backend = Open();
        var record = SampleRecords.Create();
        var stages = new[] { "training", "validation", "inference", "deployment" };

        await Parallel.ForEachAsync(Enumerable.Range(0, 200), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, _) => await backend.WriteAsync([record with { Stage = stages[i % stages.Length] }]));

        Assert.Single(Directory.GetFiles(_store.Combine("credit_scoring")));
        Assert.NotNull(await backend.GetAsync(record.Id));
    }

    // ---------------------------------------------------------------- damage and strays

    [Fact]
    public async Task QueryAsync_CorruptAndTruncatedFiles_SkippedAndReported()
    {
        var backend = Open();
        var good = SampleRecords.Create();
        await backend.WriteAsync([good]);
        var bytes = RecordJson.ToFileBytes(SampleRecords.Create());
        var truncated = _store.Combine("credit_scoring", $"2026-03-01_training_{Guid.NewGuid()}.json");
        var garbage = _store.Combine("credit_scoring", $"2026-03-01_training_{Guid.NewGuid()}.json");
        var notARecord = _store.Combine("credit_scoring", $"2026-03-01_training_{Guid.NewGuid()}.json");
        File.WriteAllBytes(truncated, bytes.AsSpan(0, bytes.Length / 2).ToArray());
        File.WriteAllBytes(garbage, [0xff, 0xfe, 0x00, 0x01]);
        File.WriteAllText(notARecord, "[1, 2, 3]");

        var result = await backend.QueryAsync(new MetadataQuery { ModelName = "credit_scoring" }).ToListAsync();

        Assert.Equal([good.Id], result.Select(r => r.Id));
        Assert.Equal(new[] { truncated, garbage, notARecord }.Order(StringComparer.Ordinal),
            _corrupt.Select(c => c.Path).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task GetAsync_CorruptFileForThatId_ReturnsNullAndReports()
    {
        var backend = Open();
        var id = Guid.NewGuid().ToString();
        var path = _store.Combine("credit_scoring", $"2026-03-01_training_{id}.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "{\"id\": \"" + id + "\", ");

        Assert.Null(await backend.GetAsync(id));
        Assert.Contains(_corrupt, c => c.Path == path && c.Error is FormatException);
    }

    [Fact]
    public async Task GetAsync_ContentIdDisagreesWithName_TrustsContent()
    {
        var backend = Open();
        var record = SampleRecords.Create();
        var wrongName = Guid.NewGuid().ToString();
        Directory.CreateDirectory(_store.Combine("credit_scoring"));
        File.WriteAllBytes(_store.Combine("credit_scoring", $"2026-03-01_training_{wrongName}.json"), RecordJson.ToFileBytes(record));

        Assert.Null(await backend.GetAsync(wrongName));
        Assert.Equal([record.Id], (await backend.QueryAsync(new MetadataQuery()).ToListAsync()).Select(r => r.Id));
        Assert.Empty(_corrupt);
    }

    [Fact]
    public async Task QueryAsync_StrayTempFile_Ignored()
    {
        var backend = Open();
        var record = SampleRecords.Create();
        await backend.WriteAsync([record]);
        var temp = _store.Combine("credit_scoring", ".tmp-0123456789abcdef.tmp");
        File.WriteAllText(temp, "{ half a reco");
        File.WriteAllBytes(_store.Combine("credit_scoring", ".tmp-looks-like.json"), RecordJson.ToFileBytes(SampleRecords.Create()));

        var result = await backend.QueryAsync(new MetadataQuery()).ToListAsync();

        Assert.Equal([record.Id], result.Select(r => r.Id));
        Assert.Equal(1, await backend.CountAsync());
        Assert.Empty(_corrupt);
    }

    [Fact]
    public async Task Open_StaleTempFiles_DeletedButFreshOnesKept()
    {
        var folder = _store.Combine("credit_scoring");
        Directory.CreateDirectory(folder);
        Directory.CreateDirectory(_store.Combine("compliance_events"));
        var stale = Path.Combine(folder, ".tmp-stale.tmp");
        var staleEvent = _store.Combine("compliance_events", ".tmp-stale.tmp");
        var fresh = Path.Combine(folder, ".tmp-fresh.tmp");
        foreach (var path in new[] { stale, staleEvent, fresh }) File.WriteAllText(path, "x");
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddHours(-1));
        File.SetLastWriteTimeUtc(staleEvent, DateTime.UtcNow.AddHours(-1));

        var backend = Open();
        await backend.CountAsync();

        Assert.False(File.Exists(stale));
        Assert.False(File.Exists(staleEvent));
        Assert.True(File.Exists(fresh));
    }

    // ---------------------------------------------------------------- other processes

    [Fact]
    public async Task GetAsync_FileAddedAfterOpen_FoundByRefreshingTheListing()
    {
        var backend = Open();
        await backend.WriteAsync([SampleRecords.Create()]);
        var record = SampleRecords.Create(model: "new_model");
        // What a Python pipeline writes: the reference's name, id[:8].
        Directory.CreateDirectory(_store.Combine("new_model"));
        File.WriteAllBytes(_store.Combine("new_model", $"2026-03-01_training_{record.Id[..8]}.json"), RecordJson.ToFileBytes(record));

        var found = await backend.GetAsync(record.Id);

        Assert.Equal(record.Id, found?.Id);
    }

    [Fact]
    public async Task GetKnownAsync_FileAddedAfterOpen_NotListedUntilAGetLooksAgain()
    {
        var backend = Open();
        var mine = SampleRecords.Create();
        await backend.WriteAsync([mine]);
        var record = SampleRecords.Create(model: "new_model");
        Directory.CreateDirectory(_store.Combine("new_model"));
        File.WriteAllBytes(_store.Combine("new_model", $"2026-03-01_training_{record.Id}.json"), RecordJson.ToFileBytes(record));

        Assert.Equal(mine.Id, (await backend.GetKnownAsync(mine.Id))?.Id); // what it wrote itself: known
        Assert.Null(await backend.GetKnownAsync(record.Id));                // a miss does not re-list the folders
        Assert.Equal(record.Id, (await backend.GetAsync(record.Id))?.Id);   // a get does, and then it is known
        Assert.Equal(record.Id, (await backend.GetKnownAsync(record.Id))?.Id);
    }

    [Fact]
    public async Task GetAsync_TwoReferenceFilesSharingAPrefix_OpensCandidatesAndPicksByContent()
    {
        var backend = Open();
        var a = SampleRecords.Create(id: "abcdef01-0000-4000-8000-000000000001");
        var b = SampleRecords.Create(id: "abcdef01-0000-4000-8000-000000000002", stage: "inference");
        Directory.CreateDirectory(_store.Combine("credit_scoring"));
        File.WriteAllBytes(_store.Combine("credit_scoring", "2026-03-01_training_abcdef01.json"), RecordJson.ToFileBytes(a));
        File.WriteAllBytes(_store.Combine("credit_scoring", "2026-03-01_inference_abcdef01.json"), RecordJson.ToFileBytes(b));

        Assert.Equal("training", (await backend.GetAsync(a.Id))?.Stage);
        Assert.Equal("inference", (await backend.GetAsync(b.Id))?.Stage);
        Assert.Null(await backend.GetAsync("abcdef01-0000-4000-8000-000000000003"));
    }

    // ---------------------------------------------------------------- deletes, counts, size

    [Fact]
    public async Task DeleteAsync_ExistingAndMissingIds_CountsExisting()
    {
        var backend = Open();
        var a = SampleRecords.Create();
        var b = SampleRecords.Create();
        await backend.WriteAsync([a, b]);

        Assert.Equal(1, await backend.DeleteAsync([a.Id, "missing", a.Id]));

        Assert.Null(await backend.GetAsync(a.Id));
        Assert.NotNull(await backend.GetAsync(b.Id));
        Assert.Equal(1, await backend.CountAsync());
        Assert.Equal(0, await backend.DeleteAsync([a.Id]));
    }

    [Fact]
    public async Task SizeOnDisk_SumsEveryFileUnderRoot()
    {
        var backend = Open();
        var record = SampleRecords.Create();
        var ev = new ComplianceEvent(Guid.NewGuid().ToString(), record.Id, "GDPR", 0.9, "passed", SampleRecords.BaseTime, null);
        await backend.WriteAsync([record]);
        await backend.WriteComplianceEventsAsync([ev]);

        Assert.Equal(RecordJson.ToFileBytes(record).Length + RecordJson.ToFileBytes(ev).Length, backend.SizeOnDisk());
    }

    // ---------------------------------------------------------------- compliance events

    [Fact]
    public async Task ComplianceEvents_WriteQueryDelete_RoundTrip()
    {
        var backend = Open();
        var t = SampleRecords.BaseTime;
        var e1 = new ComplianceEvent(Guid.NewGuid().ToString(), "m1", "GDPR", 1.0, "passed", t, null);
        var e2 = new ComplianceEvent(Guid.NewGuid().ToString(), "m2", "FDA", 0.7500000000000001, "failed", t.AddSeconds(1), "Manual review – pending ✓");
        var e3 = new ComplianceEvent(Guid.NewGuid().ToString(), null, "GDPR", null, null, t.AddSeconds(2), null);

        await backend.WriteComplianceEventsAsync([e1, e2, e3]);
        await backend.WriteComplianceEventsAsync([e1]);

        Assert.Equal(RecordJson.ToFileBytes(e2), File.ReadAllBytes(_store.Combine("compliance_events", e2.Id + ".json")));
        Assert.Equal([e3, e2, e1], await backend.QueryComplianceEventsAsync(new ComplianceEventQuery()).ToListAsync());
        Assert.Equal([e3], await backend.QueryComplianceEventsAsync(new ComplianceEventQuery { Framework = "GDPR", Limit = 1 }).ToListAsync());
        Assert.Equal([e2], await backend.QueryComplianceEventsAsync(new ComplianceEventQuery { MetadataId = "m2" }).ToListAsync());
        Assert.Equal(2, await backend.DeleteComplianceEventsAsync([e1.Id, e3.Id, "missing"]));
        Assert.Equal([e2], await backend.QueryComplianceEventsAsync(new ComplianceEventQuery()).ToListAsync());
        Assert.Equal(0, await backend.CountAsync());
    }

    [Fact]
    public async Task QueryComplianceEventsAsync_CorruptEvent_SkippedAndReported()
    {
        var backend = Open();
        var ev = new ComplianceEvent(Guid.NewGuid().ToString(), null, "GDPR", 1.0, "passed", SampleRecords.BaseTime, null);
        await backend.WriteComplianceEventsAsync([ev]);
        var bad = _store.Combine("compliance_events", "broken.json");
        File.WriteAllText(bad, "{\"id\": 1}");

        Assert.Equal([ev], await backend.QueryComplianceEventsAsync(new ComplianceEventQuery()).ToListAsync());
        Assert.Equal([bad], _corrupt.Select(c => c.Path));
    }

    // ---------------------------------------------------------------- names

    [Theory]
    [InlineData("../outside")]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("a/b")]
    [InlineData("/abs")]
    [InlineData("exports")]
    [InlineData("Compliance_Events")]
    [InlineData("")]
    public async Task WriteAsync_UnsafeModelName_ThrowsAndWritesNothing(string model)
    {
        var backend = Open();

        var ex = await Assert.ThrowsAsync<MetadataStorageException>(async () =>
            await backend.WriteAsync([SampleRecords.Create(), SampleRecords.Create(model: model)]));

        Assert.Equal("json", ex.Backend);
        Assert.False(Directory.Exists(Path.Combine(Path.GetDirectoryName(_store.Path)!, "outside")));
        Assert.Empty(Directory.GetFiles(_store.Path, "*", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    public async Task WriteAsync_UnsafeStage_ThrowsAndWritesNothing(string stage)
    {
        var backend = Open();

        await Assert.ThrowsAsync<MetadataStorageException>(async () => await backend.WriteAsync([SampleRecords.Create(stage: stage)]));

        Assert.Empty(Directory.GetFiles(_store.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task WriteAsync_FileNameOver255Bytes_ThrowsNamingModelAndStage()
    {
        var backend = Open();
        var stage = new string('é', 110); // 220 UTF-8 bytes, plus 53 for the date, id and extension

        var ex = await Assert.ThrowsAsync<MetadataStorageException>(async () =>
            await backend.WriteAsync([SampleRecords.Create(stage: stage)]));

        Assert.Contains("credit_scoring", ex.Message, StringComparison.Ordinal);
        Assert.Contains(stage, ex.Message, StringComparison.Ordinal);
        Assert.Contains("255", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_store.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task QueryAsync_TraversalModelName_Throws()
    {
        var backend = Open();

        await Assert.ThrowsAsync<MetadataStorageException>(async () =>
            await backend.QueryAsync(new MetadataQuery { ModelName = "../elsewhere" }).ToListAsync());
    }

    [Fact]
    public async Task WriteAsync_IoFailure_ThrowsStorageExceptionWithPathAndId()
    {
        var backend = Open();
        var record = SampleRecords.Create();
        // A file where the model folder should be.
        File.WriteAllText(_store.Combine("credit_scoring"), "not a folder");

        var ex = await Assert.ThrowsAsync<MetadataStorageException>(async () => await backend.WriteAsync([record]));

        Assert.Equal(record.Id, ex.RecordId);
        Assert.Equal("json", ex.Backend);
        Assert.NotNull(ex.Path);
        Assert.Contains(record.Id, ex.Message, StringComparison.Ordinal);
        Assert.NotNull(ex.InnerException);
    }

    // ---------------------------------------------------------------- lifecycle and registry

    [Fact]
    public async Task DisposeAsync_Twice_ThenUseThrowsObjectDisposed()
    {
        var backend = Open();
        await backend.DisposeAsync();
        await backend.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await backend.GetAsync("x"));
        Assert.Throws<ObjectDisposedException>(() => backend.SizeOnDisk());
    }

    [Fact]
    public async Task MetadataBackends_Json_CreatesJsonBackend()
    {
        await using var backend = MetadataBackends.Create("JSON", new BackendContext { StoragePath = _store.Path });

        Assert.IsType<JsonMetadataBackend>(backend);
        Assert.Equal("json", backend.Name);
        Assert.Equal(Path.GetFullPath(_store.Path), backend.StoragePath);
        Assert.Null(backend.DbPath);
    }
}
