using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Conformance;

/// <summary>
/// The behaviour every backend must show, in both write modes. Each backend subclasses this once per
/// mode; a new backend passes it unchanged.
/// </summary>
public abstract class StorageConformanceTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    /// <summary>The registered backend name under test.</summary>
    protected abstract string BackendName { get; }

    /// <summary>The write mode under test.</summary>
    protected abstract WriteMode Mode { get; }

    /// <summary>The fixture store of the Python reference for this backend (folder under pyciaf-stores), or null.</summary>
    protected abstract string? FixtureStore { get; }

    /// <summary>Puts a corrupt record into the store at <paramref name="root"/> (a garbage file or row).</summary>
    protected abstract void PlantCorruptRecord(string root, string modelName);

    /// <summary>A connection string for server backends (PostgreSQL); null for the file and SQLite backends.</summary>
    protected virtual string? ConnectionString => null;

    /// <summary>Whether the store under test compresses large records (the suite must pass either way).</summary>
    protected virtual bool EnableCompression => false;

    /// <summary>The compression threshold when <see cref="EnableCompression"/> is on.</summary>
    protected virtual long CompressionThresholdBytes => MetadataStorageOptions.DefaultCompressionThresholdBytes;

    protected string Root => _folder.Path;

    /// <summary>
    /// Opens a store with <paramref name="options"/>: by name (<c>new MetadataStorage(options)</c>). A backend that needs
    /// more than the options carry (a server per store, a handler) overrides this.
    /// </summary>
    protected virtual MetadataStorage OpenStorage(MetadataStorageOptions options) => new(options);

    protected MetadataStorage Open(string? path = null, TimeProvider? clock = null, long maxBytes = MetadataStorageOptions.DefaultMaxMetadataBytes) =>
        OpenStorage(new MetadataStorageOptions
        {
            StoragePath = path ?? Root,
            Backend = BackendName,
            ConnectionString = ConnectionString,
            WriteMode = Mode,
            BatchSize = 50,
            MaxMetadataBytes = maxBytes,
            TimeProvider = clock ?? TimeProvider.System,
            EnableCompression = EnableCompression,
            CompressionThresholdBytes = CompressionThresholdBytes,
        });

    public void Dispose()
    {
        _folder.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void SaveMetadata_ThenGet_ReturnsEveryField()
    {
        using var storage = Open();
        var md = new { accuracy = 0.95, training_time = 120, algorithm = "RandomForest", tags = new[] { "ü", "模型" } };
        string id = storage.SaveMetadata("my_classifier", "training", "model_trained", md, "2.1.0", "Model training completed successfully");

        var r = storage.GetMetadata(id)!;
        Assert.Equal(id, r.Id);
        Assert.Equal("my_classifier", r.ModelName);
        Assert.Equal("2.1.0", r.ModelVersion);
        Assert.Equal("training", r.Stage);
        Assert.Equal("model_trained", r.EventType);
        Assert.Equal("Model training completed successfully", r.Details);
        Assert.Equal("{\"accuracy\": 0.95, \"algorithm\": \"RandomForest\", \"tags\": [\"\\u00fc\", \"\\u6a21\\u578b\"], \"training_time\": 120}", PythonJson.Canonical(r.Metadata));
        Assert.Equal(PythonJson.Hash(r.Metadata), r.MetadataHash);
        Assert.True(Math.Abs((DateTimeOffset.UtcNow - r.Timestamp).TotalMinutes) < 5);
        Assert.Equal(0, r.Timestamp.Ticks % 10); // microsecond precision, as Python
    }

    [Fact]
    public async Task SaveMetadata_EmptyDetails_ReadBackEmptyNotNull_AfterReopening()
    {
        // An empty string is a value, not a missing one: the SQL backends bind it from an empty buffer, which a careless
        // binding would turn into NULL.
        string id, none;
        await using (var storage = Open())
        {
            id = storage.SaveMetadata("m", "training", "e", new { a = "" }, details: "");
            none = storage.SaveMetadata("m", "training", "e", new { a = 1 });
        }
        await using var reopened = Open();
        Assert.Equal("", reopened.GetMetadata(id)!.Details);
        Assert.Null(reopened.GetMetadata(none)!.Details);
        Assert.Equal("", reopened.GetMetadata(id)!.Metadata["a"]!.GetValue<string>());
    }

    [Fact]
    public void Webhook_SeesTheStoredHash_OnTheFastLaneAndThroughAValidator()
    {
        // A validator sends the save down the node path, whose hash a buffered store computes on its writer: the record a
        // webhook gets once it is durable must carry that hash all the same.
        using var storage = Open();
        storage.RegisterValidator("validation", _ => []);
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        storage.RegisterWebhook(MetadataStorage.MetadataSavedEvent, r => seen[r.Id] = r.MetadataHash);
        string fast = storage.SaveMetadata("m", "training", "e", new { a = 1 });
        string validated = storage.SaveMetadata("m", "validation", "e", new { a = 2 });
        storage.Flush();
        foreach (string id in new[] { fast, validated })
        {
            Assert.Equal(PythonJson.Hash(storage.GetMetadata(id)!.Metadata), storage.GetMetadata(id)!.MetadataHash);
            Assert.Equal(storage.GetMetadata(id)!.MetadataHash, seen[id]);
        }
    }

    [Fact]
    public void SaveMetadata_NoVersion_StoresDefaultVersion()
    {
        using var storage = Open();
        string id = storage.SaveMetadata("m", "training", "e", new { a = 1 });
        Assert.Equal("1.0.0", storage.GetMetadata(id)!.ModelVersion);
    }

    [Fact]
    public async Task SaveMetadata_ReopenedStore_FindsEveryRecord()
    {
        var ids = new List<string>();
        await using (var storage = Open())
        {
            for (int i = 0; i < 120; i++) ids.Add(await storage.SaveMetadataAsync("persisted", "training", "epoch", new { epoch = i, loss = 1.0 / (i + 1) }));
        }
        await using var reopened = Open();
        foreach (var id in ids) Assert.NotNull(await reopened.GetMetadataAsync(id));
        Assert.Equal(120, (await reopened.GetModelMetadataAsync("persisted", limit: null)).Count);
        Assert.Equal(120, reopened.GetPerformanceMetrics().RecordCount);
    }

    [Fact]
    public void GetMetadata_UnknownId_ReturnsNull()
    {
        using var storage = Open();
        storage.SaveMetadata("m", "training", "e", new { a = 1 });
        Assert.Null(storage.GetMetadata(Guid.NewGuid().ToString()));
        Assert.Null(storage.GetMetadata("not-a-uuid"));
    }

    [Fact]
    public void GetModelMetadata_Stage_IsAnExactMatchNotASubstring()
    {
        using var storage = Open();
        string training = storage.SaveMetadata("m", "training", "e", new { a = 1 });
        string train = storage.SaveMetadata("m", "train", "e", new { a = 2 });
        storage.SaveMetadata("m2", "training", "e", new { a = 3 });

        Assert.Equal([train], storage.GetModelMetadata("m", "train").Select(r => r.Id));
        Assert.Equal([training], storage.GetModelMetadata("m", "training").Select(r => r.Id));
        Assert.Empty(storage.GetModelMetadata("m", "trai"));
        Assert.Empty(storage.GetModelMetadata("unknown_model"));
    }

    [Fact]
    public void GetModelMetadata_ManyRecords_NewestFirstAndLimited()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using var storage = Open(clock: clock);
        var ids = new List<string>();
        for (int i = 0; i < 30; i++)
        {
            clock.Now = clock.Now.AddHours(7); // spans several days: file names carry the date
            ids.Add(storage.SaveMetadata("m", "training", "e", new { i }));
        }
        ids.Reverse();
        Assert.Equal(ids.Take(10), storage.GetModelMetadata("m", "training", 10).Select(r => r.Id));
        Assert.Equal(ids, storage.GetModelMetadata("m", limit: null).Select(r => r.Id));
        Assert.Empty(storage.GetModelMetadata("m", limit: 0));
    }

    [Fact]
    public void SaveMetadata_SameClockReading_ComeBackInSaveOrder()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero)); // a clock that never moves
        using var storage = Open(clock: clock);
        var ids = Enumerable.Range(0, 40).Select(i => storage.SaveMetadata("m", "training", "e", new { i })).ToList();
        var trace = storage.GetPipelineTrace("m");
        Assert.Equal(ids, trace.Stages.Single().Entries.Select(e => e.Id));
        Assert.Equal(Enumerable.Reverse(ids), storage.GetModelMetadata("m", limit: null).Select(r => r.Id));
    }

    [Fact]
    public void QueryMetadata_TimeRange_ReturnsOnlyRecordsInside()
    {
        var t0 = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        var clock = new ManualClock(t0);
        using var storage = Open(clock: clock);
        var ids = new List<string>();
        for (int i = 0; i < 10; i++)
        {
            clock.Now = t0.AddDays(i).AddTicks(i * 10);
            ids.Add(storage.SaveMetadata("m", "monitoring", "drift", new { i }));
        }
        var inside = storage.QueryMetadata(new MetadataQuery { Since = t0.AddDays(3), Until = t0.AddDays(6), Order = RecordOrder.OldestFirst });
        Assert.Equal(ids.Skip(3).Take(3), inside.Select(r => r.Id));
    }

    [Fact]
    public void GetPipelineTrace_MoreThanAHundredRecords_AllStagesInPipelineOrder()
    {
        using var storage = Open();
        storage.SaveMetadata("pipe", "model_lifecycle", "model_initialized", new { v = 1 });
        storage.SaveMetadata("pipe", "custom_stage", "x", new { v = 1 });
        for (int i = 0; i < 150; i++) storage.SaveMetadata("pipe", "inference", "inference_performed", new { i });
        storage.SaveMetadata("pipe", "training", "training_completed", new { accuracy = 0.9 });
        storage.SaveMetadata("pipe", "data_ingestion", "data_loaded", new { rows = 10 });

        var trace = storage.GetPipelineTrace("pipe");
        Assert.Equal(["data_ingestion", "training", "inference", "model_lifecycle", "custom_stage"], trace.Stages.Select(s => s.Stage));
        Assert.Equal(154, trace.EntryCount);
        var inference = trace.Stages.Single(s => s.Stage == "inference").Entries;
        Assert.Equal(Enumerable.Range(0, 150), inference.Select(e => e.Metadata["i"]!.GetValue<int>())); // oldest first
        Assert.Equal("pipe", trace.ModelName);
    }

    [Fact]
    public void AddComplianceEvent_ThenQuery_ByFrameworkAndTime()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using var storage = Open(clock: clock);
        string md = storage.SaveMetadata("m", "compliance", "gdpr_compliance", new { compliance_score = 0.92 });
        string old = storage.AddComplianceEvent(md, "GDPR", 0.5, "failed");
        clock.Now = clock.Now.AddDays(40);
        string gdpr = storage.AddComplianceEvent(md, "GDPR", 0.92, "passed", "all good");
        clock.Now = clock.Now.AddSeconds(1);
        string fda = storage.AddComplianceEvent(null, "FDA", null, "pending");

        Assert.Equal([fda, gdpr, old], storage.GetComplianceEvents().Select(e => e.Id));
        var recent = storage.GetComplianceEvents("GDPR", clock.Now.AddDays(-30));
        var ev = Assert.Single(recent);
        Assert.Equal(gdpr, ev.Id);
        Assert.Equal(md, ev.MetadataId);
        Assert.Equal(0.92, ev.ComplianceScore);
        Assert.Equal("passed", ev.ValidationStatus);
        Assert.Equal("all good", ev.Details);
        Assert.Equal(clock.Now.AddSeconds(-1), ev.Timestamp);
    }

    [Fact]
    public void AddComplianceEvent_BadInput_ThrowsAndWritesNothing()
    {
        using var storage = Open();
        Assert.Throws<ArgumentException>(() => storage.AddComplianceEvent(Guid.NewGuid().ToString(), "GDPR", 0.9, "passed"));
        Assert.Throws<ArgumentOutOfRangeException>(() => storage.AddComplianceEvent(null, "GDPR", 1.5, "passed"));
        Assert.Throws<ArgumentException>(() => storage.AddComplianceEvent(null, "", 0.5, "passed"));
        Assert.Empty(storage.GetComplianceEvents());
    }

    [Fact]
    public void SaveMetadataBatch_ValidEntries_AllPresentInOrder()
    {
        using var storage = Open();
        var entries = Enumerable.Range(0, 250).Select(i => new MetadataEntry("batch", "inference", "inference_performed", new { i }, "3.0", $"#{i}"));
        var ids = storage.SaveMetadataBatch(entries);
        Assert.Equal(250, ids.Count);
        Assert.Equal(250, ids.Distinct().Count());
        for (int i = 0; i < 250; i += 37)
        {
            var r = storage.GetMetadata(ids[i])!;
            Assert.Equal(i, r.Metadata["i"]!.GetValue<int>());
            Assert.Equal("3.0", r.ModelVersion);
        }
        Assert.Equal(250, storage.GetModelMetadata("batch", limit: null).Count);
    }

    [Fact]
    public void SaveMetadataBatch_OneInvalidEntry_WritesNothing()
    {
        using var storage = Open();
        var entries = new[]
        {
            new MetadataEntry("batch", "training", "ok", new { a = 1 }),
            new MetadataEntry("../escape", "training", "bad", new { a = 2 }),
        };
        var ex = Assert.Throws<ArgumentException>(() => storage.SaveMetadataBatch(entries));
        Assert.Contains("Entry 1", ex.Message, StringComparison.Ordinal);
        storage.Flush();
        Assert.Empty(storage.GetModelMetadata("batch"));
    }

    public static TheoryData<string, string, string, string> BadNames() => new()
    {
        { "", "training", "e", "modelName" },
        { "../outside", "training", "e", "modelName" },
        { "a/b", "training", "e", "modelName" },
        { "a\\b", "training", "e", "modelName" },
        { "nul\0byte", "training", "e", "modelName" },
        { "tab\tname", "training", "e", "modelName" },
        { new string('x', 256), "training", "e", "modelName" },
        { "exports", "training", "e", "modelName" },
        { "compliance_events", "training", "e", "modelName" },
        { "m", "..", "e", "stage" },
        { "m", "st/age", "e", "stage" },
        { "m", "training", "", "eventType" },
        { "m", "training", "ev\nent", "eventType" },
    };

    [Theory]
    [MemberData(nameof(BadNames))]
    public void SaveMetadata_InvalidName_ThrowsArgumentExceptionAndWritesNothing(string model, string stage, string eventType, string param)
    {
        using (var storage = Open())
        {
            var ex = Assert.Throws<ArgumentException>(() => storage.SaveMetadata(model, stage, eventType, new { a = 1 }));
            Assert.Equal(param, ex.ParamName);
            storage.Flush();
            Assert.Equal(0, storage.GetPerformanceMetrics().RecordCount);
        }
        Assert.False(Directory.Exists(Path.Combine(Path.GetDirectoryName(Root)!, "outside")));
    }

    [Fact]
    public void SaveMetadata_UnserializableOrTooLarge_ThrowsAndWritesNothing()
    {
        using var storage = Open(maxBytes: 4096);
        var cyclic = new Dictionary<string, object?>();
        cyclic["self"] = cyclic;
        Assert.Throws<ArgumentException>(() => storage.SaveMetadata("m", "training", "e", cyclic));
        Assert.Throws<ArgumentException>(() => storage.SaveMetadata("m", "training", "e", new { callback = (Func<int>)(() => 1) }));
        using var stream = new MemoryStream();
        Assert.Throws<ArgumentException>(() => storage.SaveMetadata("m", "training", "e", new { stream }));
        var big = Assert.Throws<ArgumentException>(() => storage.SaveMetadata("m", "training", "e", new { blob = new string('x', 5000) }));
        Assert.Contains("4096", big.Message, StringComparison.Ordinal);
        storage.Flush();
        Assert.Equal(0, storage.GetPerformanceMetrics().RecordCount);
    }

    [Fact]
    public void RegisterValidator_Errors_RejectTheSaveListingEveryError()
    {
        using var storage = Open();
        storage.RegisterValidator("training", md =>
        {
            var errors = new List<string>();
            if (md["accuracy"]?.GetValue<double>() < 0.8) errors.Add("Accuracy below minimum threshold");
            if (md["cross_validation"] is null) errors.Add("Cross-validation results missing");
            return errors;
        });
        var ex = Assert.Throws<MetadataValidationException>(() => storage.SaveMetadata("m", "training", "e", new { accuracy = 0.5 }));
        Assert.Equal(["Accuracy below minimum threshold", "Cross-validation results missing"], ex.Errors);
        string ok = storage.SaveMetadata("m", "training", "e", new { accuracy = 0.9, cross_validation = new { folds = 5 } });
        storage.SaveMetadata("m", "inference", "e", new { accuracy = 0.1 }); // other stages unaffected
        storage.Flush();
        Assert.Equal([ok], storage.GetModelMetadata("m", "training").Select(r => r.Id));
    }

    [Fact]
    public void RegisterWebhook_RunsAfterTheWrite_AndAThrowingHookLosesNothing()
    {
        using var storage = Open();
        var seen = new ConcurrentBag<string>();
        storage.RegisterWebhook("metadata_saved", _ => throw new InvalidOperationException("hook failure"));
        storage.RegisterWebhook("metadata_saved", r => seen.Add(r.Id));
        var events = new ConcurrentBag<string>();
        storage.RegisterComplianceWebhook(e => events.Add(e.Id));
        string id = storage.SaveMetadata("m", "training", "e", new { a = 1 });
        string ev = storage.AddComplianceEvent(id, "GDPR", 1.0, "passed");
        storage.Flush();
        Assert.Contains(id, seen);
        Assert.Contains(ev, events);
        Assert.NotNull(storage.GetMetadata(id));
        Assert.Throws<ArgumentException>(() => storage.RegisterWebhook("no_such_event", _ => { }));
    }

    [Fact]
    public async Task SaveMetadata_ManyThreadsAtOnce_EveryRecordPresent()
    {
        var ids = new ConcurrentBag<string>();
        await using (var storage = Open())
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, 8), async (t, ct) =>
            {
                for (int i = 0; i < 100; i++) ids.Add(await storage.SaveMetadataAsync($"model_{t % 3}", "training", "e", new { t, i }, cancellationToken: ct));
            });
        }
        await using var reopened = Open();
        Assert.Equal(800, ids.Distinct().Count());
        foreach (var id in ids) Assert.NotNull(await reopened.GetMetadataAsync(id));
        Assert.Equal(800, reopened.GetPerformanceMetrics().RecordCount);
    }

    [Fact]
    public void Queries_CorruptEntry_SkippedCountedAndNeverCrash()
    {
        string id;
        using (var storage = Open())
        {
            id = storage.SaveMetadata("m", "training", "e", new { a = 1 });
        }
        PlantCorruptRecord(Root, "m");
        using var reopened = Open();
        var records = reopened.GetModelMetadata("m", limit: null);
        Assert.Equal([id], records.Select(r => r.Id));
        Assert.Single(reopened.GetPipelineTrace("m").Stages.SelectMany(s => s.Entries));
        Assert.True(reopened.GetPerformanceMetrics().CorruptEntriesSkipped >= 1);
    }

    [Fact]
    public void CleanupOldMetadata_ByRecordTimestamp_KeepsComplianceLonger()
    {
        var clock = new ManualClock(new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using var storage = Open(clock: clock);
        string oldTraining = storage.SaveMetadata("m", "training", "e", new { a = 1 });
        string oldCompliance = storage.SaveMetadata("m", "compliance", "gdpr_compliance", new { compliance_score = 1.0 });
        string oldEvent = storage.AddComplianceEvent(oldCompliance, "GDPR", 1.0, "passed");
        clock.Now = clock.Now.AddDays(400);
        string fresh = storage.SaveMetadata("m", "training", "e", new { a = 2 });

        int removed = storage.CleanupOldMetadata(365);

        Assert.Equal(1, removed);
        Assert.Null(storage.GetMetadata(oldTraining));
        Assert.NotNull(storage.GetMetadata(oldCompliance));
        Assert.NotNull(storage.GetMetadata(fresh));
        Assert.Single(storage.GetComplianceEvents(), e => e.Id == oldEvent);

        clock.Now = clock.Now.AddDays(2555);
        Assert.Equal(3, storage.CleanupOldMetadata());
        Assert.Empty(storage.GetComplianceEvents());
    }

    [Fact]
    public void ExportMetadata_Json_EveryRecordAndNoCollision()
    {
        using var storage = Open();
        var ids = Enumerable.Range(0, 1200).Select(i => new MetadataEntry("exp", "inference", "p", new { i })).ToList();
        var saved = storage.SaveMetadataBatch(ids);
        storage.SaveMetadata("other", "training", "e", new { a = 1 });

        string first = storage.ExportMetadata("exp", "json");
        string second = storage.ExportMetadata("exp", "json");
        string all = storage.ExportMetadata(format: "jsonl");
        string allAgain = storage.ExportMetadata(format: "json");

        Assert.NotEqual(first, second);
        Assert.StartsWith(Path.Combine(storage.StoragePath, "exports"), first, StringComparison.Ordinal);
        var exported = PythonJson.Parse(File.ReadAllText(first))!.AsArray();
        // Exports stream in the backend's storage order (not sorted by time), so compare as sets.
        Assert.Equal(saved.Order(StringComparer.Ordinal), exported.Select(n => n!["id"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Equal(1201, File.ReadAllLines(all).Length);
        Assert.Equal(1201, PythonJson.Parse(File.ReadAllText(allAgain))!.AsArray().Count);
        var record = RecordJson.FromJsonObject(exported[5]!.AsObject());
        Assert.Equal(storage.GetMetadata(record.Id)!.MetadataHash, record.MetadataHash);
        Assert.Throws<ArgumentException>(() => storage.ExportMetadata("exp", "yaml"));
        Assert.Throws<ArgumentException>(() => storage.ExportMetadata("../x", "json"));
    }

    [Fact]
    public void GetPerformanceMetrics_AfterWritesAndReads_CountsThem()
    {
        using var storage = Open();
        for (int i = 0; i < 20; i++) storage.GetMetadata(storage.SaveMetadata("m", "training", "e", new { i }));
        storage.Flush();
        var m = storage.GetPerformanceMetrics();
        Assert.Equal(BackendName, m.Backend);
        Assert.Equal(20, m.Writes);
        Assert.Equal(20, m.RecordCount);
        Assert.True(m.Reads >= 20);
        Assert.True(m.AvgWriteTimeMs > 0);
        Assert.True(m.P95WriteTimeMs >= 0);
        Assert.True(m.TotalSizeBytes > 0);
        Assert.True(m.TotalSizeMb > 0);
    }

    [Fact]
    public void Dispose_Twice_IsHarmless_AndUseAfterDisposeThrows()
    {
        var storage = Open();
        storage.SaveMetadata("m", "training", "e", new { a = 1 });
        storage.Dispose();
        storage.Dispose();
        Assert.Throws<ObjectDisposedException>(() => storage.SaveMetadata("m", "training", "e", new { a = 1 }));
        Assert.Throws<ObjectDisposedException>(() => storage.GetModelMetadata("m"));
    }

    [SkippableFact]
    public void FixtureStore_OpensUnchanged_AndReturnsExactlyTheReferenceRecords()
    {
        Skip.If(FixtureStore is null, $"The Python reference has no {BackendName} store to compare with (no fixture).");
        PyciafFixtures.CopyStore(FixtureStore, Root);
        using var storage = Open();
        foreach (var expected in PyciafFixtures.ExpectedRecords)
        {
            var r = storage.GetMetadata(expected["id"]!.GetValue<string>());
            Assert.NotNull(r);
            AssertRecord(expected, r);
        }
        var expectedEvents = PyciafFixtures.ExpectedComplianceEvents.ToList();
        var events = storage.GetComplianceEvents();
        Assert.Equal(expectedEvents.Count, events.Count);
        foreach (var e in expectedEvents)
        {
            var actual = events.Single(x => x.Id == e["id"]!.GetValue<string>());
            Assert.Equal(PythonJson.Canonical(e), PythonJson.Canonical(RecordJson.ToJsonObject(actual)));
        }
        var queries = PyciafFixtures.ExpectedShared["queries"]!;
        foreach (var (model, ids) in queries["get_model_metadata_default"]!.AsObject())
        {
            Assert.Equal(ids!.AsArray().Select(n => n!.GetValue<string>()), storage.GetModelMetadata(model).Select(r => r.Id));
        }
        foreach (var (model, byStage) in queries["get_model_metadata_stage"]!.AsObject())
        {
            foreach (var (key, ids) in byStage!.AsObject())
            {
                var parts = key.Split(",limit=");
                Assert.Equal(ids!.AsArray().Select(n => n!.GetValue<string>()),
                    storage.GetModelMetadata(model, parts[0], int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)).Select(r => r.Id));
            }
        }
        foreach (var (model, trace) in queries["get_pipeline_trace"]!.AsObject())
        {
            var ours = storage.GetPipelineTrace(model);
            var stages = trace!["stages"]!.AsObject();
            Assert.Equal(stages.Select(s => s.Key).Order(StringComparer.Ordinal), ours.Stages.Select(s => s.Stage).Order(StringComparer.Ordinal));
            foreach (var stage in ours.Stages)
            {
                Assert.Equal(stages[stage.Stage]!.AsArray().Select(n => n!.GetValue<string>()).Order(StringComparer.Ordinal),
                    stage.Entries.Select(e => e.Id).Order(StringComparer.Ordinal));
            }
        }
    }

    [SkippableFact]
    public void FixtureStore_RecordsWeRewrite_KeepTheirHashesAndStayReadable()
    {
        Skip.If(FixtureStore is null, $"The Python reference has no {BackendName} store to compare with (no fixture).");
        PyciafFixtures.CopyStore(FixtureStore, Root);
        using var storage = Open();
        string id = storage.SaveMetadata("credit_scoring", "training", "training_completed", new { accuracy = 0.91 });
        storage.Flush();
        Assert.Equal(15, storage.GetModelMetadata("credit_scoring", limit: null).Count);
        Assert.Equal(id, storage.GetModelMetadata("credit_scoring", "training", 1)[0].Id);
    }

    internal static void AssertRecord(JsonObject expected, MetadataRecord actual)
    {
        Assert.Equal(expected["id"]!.GetValue<string>(), actual.Id);
        Assert.Equal(expected["model_name"]!.GetValue<string>(), actual.ModelName);
        Assert.Equal(expected["model_version"]!.GetValue<string>(), actual.ModelVersion);
        Assert.Equal(expected["stage"]!.GetValue<string>(), actual.Stage);
        Assert.Equal(expected["event_type"]!.GetValue<string>(), actual.EventType);
        Assert.Equal(expected["timestamp"]!.GetValue<string>(), PythonTimestamp.Format(actual.Timestamp));
        Assert.Equal(expected["metadata_hash"]!.GetValue<string>(), actual.MetadataHash);
        Assert.Equal(expected["details"]?.GetValue<string>(), actual.Details);
        Assert.Equal(PythonJson.Canonical(expected["metadata"]), PythonJson.Canonical(actual.Metadata));
    }

    [Fact]
    public async Task GetModelSummaries_CountsEachModelVersionAndStage_AsTheRecordsSay_PendingWritesIncluded()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        await using var storage = Open(clock: clock);
        Assert.Empty(await storage.GetModelSummariesAsync());
        // Versions out of name order (10.0 before 2.0), a custom stage, the default version, a model with a quote.
        (string Model, string? Version, string Stage)[] saves =
        [
            ("fraud", "10.0", "training"), ("fraud", "10.0", "training"), ("fraud", null, "data_ingestion"),
            ("credit's", "1.0", "zz_custom"), ("fraud", "2.0", "deployment"), ("credit's", "1.0", "training"),
            ("fraud", "2.0", "aa_custom"), ("credit's", "1.1", "monitoring"), ("fraud", "10.0", "training"),
        ];
        foreach (var (model, version, stage) in saves)
        {
            clock.Advance(TimeSpan.FromSeconds(7));
            await storage.SaveMetadataAsync(model, stage, "event", new { a = 1 }, version);
        }

        // Read-your-writes: in buffered mode some saves may still be pending.
        AssertSummaries(await ExpectedSummariesAsync(storage), await storage.GetModelSummariesAsync());
        await storage.FlushAsync();
        var summaries = await storage.GetModelSummariesAsync();
        AssertSummaries(await ExpectedSummariesAsync(storage), summaries);

        var fraud = summaries.Single(m => m.ModelName == "fraud");
        Assert.Equal(["credit's", "fraud"], summaries.Select(m => m.ModelName));
        Assert.Equal(6, fraud.RecordCount);
        Assert.Equal(["10.0", "1.0.0", "2.0"], fraud.Versions);
        Assert.Equal(["data_ingestion", "training", "deployment", "aa_custom"], fraud.Stages.Select(s => s.Stage));
        Assert.Equal(3, fraud.Stages.Single(s => s.Stage == "training").RecordCount);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 12, 0, 7, TimeSpan.Zero), fraud.FirstActivity);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 12, 1, 3, TimeSpan.Zero), fraud.LastActivity);
        Assert.Equal(["training", "monitoring", "zz_custom"], summaries[0].Stages.Select(s => s.Stage));

        await using var reopened = Open(clock: clock);
        AssertSummaries(summaries, await reopened.GetModelSummariesAsync());
    }

    [SkippableFact]
    public async Task GetModelSummaries_SqlBackends_AnswerWithOneAggregate_ThatAgreesWithTheRecords()
    {
        Skip.IfNot(BackendName is "sqlite" or "postgresql", $"the {BackendName} backend has no aggregate query: its summaries are read record by record (the test above)");
        await using var storage = Open();
        var backend = Assert.IsAssignableFrom<IModelSummaryBackend>(storage.Core.Backend);
        Assert.Empty(await backend.SummarizeRecordsAsync());
        for (int i = 0; i < 30; i++)
        {
            await storage.SaveMetadataAsync($"m{i % 3}", i % 2 == 0 ? "training" : "validation", "e", new { i }, i % 5 == 0 ? null : $"v{i % 4}");
        }
        await storage.FlushAsync();
        var records = new List<MetadataRecord>();
        await foreach (var r in storage.QueryMetadataAsync(new MetadataQuery())) records.Add(r);
        var expected = records.GroupBy(r => (r.ModelName, r.ModelVersion, r.Stage))
            .Select(g => new RecordGroup(g.Key.ModelName, g.Key.ModelVersion, g.Key.Stage, g.Count(), g.Min(r => r.Timestamp), g.Max(r => r.Timestamp)))
            .OrderBy(g => g.ModelName, StringComparer.Ordinal).ThenBy(g => g.ModelVersion, StringComparer.Ordinal).ThenBy(g => g.Stage, StringComparer.Ordinal);
        var actual = (await backend.SummarizeRecordsAsync())
            .OrderBy(g => g.ModelName, StringComparer.Ordinal).ThenBy(g => g.ModelVersion, StringComparer.Ordinal).ThenBy(g => g.Stage, StringComparer.Ordinal);
        Assert.Equal(expected, actual);
    }

    // The summaries computed here from the records themselves, independently of the store's.
    private static async Task<IReadOnlyList<ModelSummary>> ExpectedSummariesAsync(MetadataStorage storage)
    {
        var records = new List<MetadataRecord>();
        await foreach (var r in storage.QueryMetadataAsync(new MetadataQuery { Order = RecordOrder.OldestFirst })) records.Add(r);
        return [.. records.GroupBy(r => r.ModelName).OrderBy(g => g.Key, StringComparer.Ordinal).Select(model => new ModelSummary(
            model.Key,
            model.Count(),
            [.. model.Select(r => r.ModelVersion).Distinct()],
            [.. model.GroupBy(r => r.Stage)
                .OrderBy(s => PipelineStages.Ordered.Contains(s.Key) ? PipelineStages.Ordered.ToList().IndexOf(s.Key) : int.MaxValue)
                .ThenBy(s => s.Key, StringComparer.Ordinal)
                .Select(s => new StageSummary(s.Key, s.Count(), s.Min(r => r.Timestamp), s.Max(r => r.Timestamp)))],
            model.Min(r => r.Timestamp),
            model.Max(r => r.Timestamp)))];
    }

    private static void AssertSummaries(IReadOnlyList<ModelSummary> expected, IReadOnlyList<ModelSummary> actual)
    {
        Assert.Equal(expected.Select(m => m.ModelName), actual.Select(m => m.ModelName));
        foreach (var (e, a) in expected.Zip(actual))
        {
            Assert.Equal(e.RecordCount, a.RecordCount);
            Assert.Equal(e.Versions, a.Versions);
            Assert.Equal(e.Stages, a.Stages);
            Assert.Equal(e.FirstActivity, a.FirstActivity);
            Assert.Equal(e.LastActivity, a.LastActivity);
        }
    }
}
