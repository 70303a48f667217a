using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Capture;
using Ciaf.Metadata.Configuration;
using Ciaf.Metadata.Integration;
using Ciaf.Metadata.Interop.OpenLineage;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Interop;

public sealed class OpenLineageEmitterTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private MetadataStorage Open(OpenLineageOptions lineage, WriteMode mode = WriteMode.Immediate, string backend = "sqlite") =>
        new(new MetadataStorageOptions { StoragePath = _temp.Combine("store"), Backend = backend, WriteMode = mode, OpenLineage = lineage });

    [Theory]
    [InlineData(WriteMode.Immediate)]
    [InlineData(WriteMode.Buffered)]
    public void FileTransport_Pipeline_EventsValidatePairAndMatchTheExport(WriteMode mode)
    {
        string file = _temp.Combine("lineage", "events.jsonl");
        string export;
        using (var storage = Open(new OpenLineageOptions { FilePath = file }, mode))
        {
            OpenLineagePipelines.WriteDemoLike(storage);
            storage.Flush();
            storage.OpenLineage!.Flush();
            Assert.Equal(0, storage.OpenLineage.EventsFailed);
            Assert.Equal(0, storage.OpenLineage.EventsDropped);
            export = storage.ExportMetadata(null, "openlineage", _temp.Combine("export.jsonl"));
        }

        var live = OpenLineagePipelines.ReadLines(file);
        OpenLineagePipelines.AssertValid(live);
        var runs = OpenLineagePipelines.AssertPaired(live);
        var exported = OpenLineagePipelines.AssertPaired(OpenLineagePipelines.ReadLines(export));
        Assert.Equal(exported.Keys.Order(), runs.Keys.Order());
        foreach (var (runId, (start, end)) in runs)
        {
            // The terminal event is the export's, byte for byte; so is the START, except a capture's is sent when its scope opens.
            Assert.Equal(exported[runId].End.ToJsonString(), end.ToJsonString());
            var expectedStart = exported[runId].Start.DeepClone().AsObject();
            expectedStart["eventTime"] = start["eventTime"]!.DeepClone();
            Assert.Equal(expectedStart.ToJsonString(), start.ToJsonString());
        }
        // A capture scope's START went out before anything of the steps it encloses.
        var cleaning = live.FindIndex(e => (string)e["job"]!["name"]! == "credit_scoring.data_preprocessing.data_cleaning");
        var impute = live.FindIndex(e => (string)e["job"]!["name"]! == "credit_scoring.data_preprocessing.impute");
        Assert.Equal("START", (string)live[cleaning]["eventType"]!);
        Assert.True(cleaning < impute);
    }

    [Fact]
    public void Buffered_RecordHashedOnTheWriter_ItsEventCarriesTheStoredHash()
    {
        // A validator sends the save down the node path, hashed on the buffered writer: the event for it, sent once the
        // record is durable, must name the hash the store holds, not the empty one the save returned with.
        string file = _temp.Combine("events.jsonl");
        string id, hash;
        using (var storage = Open(new OpenLineageOptions { FilePath = file }, WriteMode.Buffered))
        {
            storage.RegisterValidator("validation", _ => []);
            id = storage.SaveMetadata("m", "validation", "checked", new { auc = 0.9 });
            storage.Flush();
            storage.OpenLineage!.Flush();
            hash = storage.GetMetadata(id)!.MetadataHash;
        }
        Assert.Matches("^[0-9a-f]{64}$", hash);
        var facets = OpenLineagePipelines.ReadLines(file)
            .Select(e => e["run"]?["facets"]?[OpenLineageSpec.RecordFacetName])
            .Where(f => f is not null)
            .ToList();
        Assert.NotEmpty(facets);
        Assert.All(facets, f => Assert.Equal(hash, (string)f!["metadataHash"]!));
    }

    [Fact]
    public void Capture_SaveRefused_RunStillEndsWithoutARecord()
    {
        string file = _temp.Combine("events.jsonl");
        using (var storage = Open(new OpenLineageOptions { FilePath = file }))
        {
            storage.RegisterValidator("training", _ => ["refused"]);
            Assert.Throws<InvalidOperationException>(() =>
                MetadataCapture.Run<int>("m", "training", "fit", () => throw new InvalidOperationException("bad"), storage: storage));
        }

        var events = OpenLineagePipelines.ReadLines(file);
        OpenLineagePipelines.AssertValid(events);
        OpenLineagePipelines.AssertPaired(events);
        Assert.Equal(["START", "FAIL"], events.Select(e => (string)e["eventType"]!));
        Assert.Null(events[1]["run"]!["facets"]![OpenLineageSpec.RecordFacetName]);
        Assert.Equal("bad", (string)events[1]["run"]!["facets"]!["errorMessage"]!["message"]!);
    }

    [Fact]
    public async Task Http_ListenerStoppedAndRestartedMidRun_ReceivesEverythingAndSavesNeverWait()
    {
        using var listener = new LineageListener();
        listener.Start();
        var lineage = new OpenLineageOptions { Url = listener.Url, ApiKey = "k-123", RetryBudget = TimeSpan.FromSeconds(60) };
        await using var storage = Open(lineage, WriteMode.Buffered);
        var manager = new ModelMetadataManager("m", "1.0", storage);
        for (int i = 0; i < 5; i++) manager.LogTrainingComplete(new { epoch = i });
        await storage.FlushAsync();
        await storage.OpenLineage!.FlushAsync();
        Assert.Equal(12, listener.Events.Count);

        listener.Stop();
        // Every save returns while nobody listens: delivery is the emitter's, in the background.
        for (int i = 0; i < 20; i++) manager.LogInference(new { batch = i });
        using (var capture = new MetadataCapture("m", "inference", "batch", storage)) capture.AddMetadata("n", 1);
        await storage.FlushAsync();
        Assert.Equal(21, storage.GetModelMetadata("m", "inference", limit: null).Count);
        await Task.Delay(300);
        listener.Start();
        await storage.OpenLineage.FlushAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(120)); // hang guard only

        var events = listener.Events.ToList();
        Assert.Equal(12 + 42, events.Count);
        Assert.Equal(0, storage.OpenLineage.EventsFailed);
        Assert.Equal(events.Count, storage.OpenLineage.EventsSent);
        OpenLineagePipelines.AssertValid(events);
        OpenLineagePipelines.AssertPaired(events);
        Assert.All(listener.Authorizations, a => Assert.Equal("Bearer k-123", a));
    }

    [Fact]
    public async Task Http_Refusal_CountedAndNotRetried()
    {
        using var listener = new LineageListener { Status = 400 };
        listener.Start();
        await using var storage = Open(new OpenLineageOptions { Url = listener.Url, RetryBudget = TimeSpan.FromSeconds(60) });
        storage.SaveMetadata("m", "training", "fit", new { a = 1 });
        await storage.OpenLineage!.FlushAsync();

        Assert.Equal(2, listener.Requests);
        Assert.Equal(2, storage.OpenLineage.EventsFailed);
        Assert.Equal(0, storage.OpenLineage.EventsSent);
    }

    [Fact]
    public async Task Http_NobodyListening_BoundedRetriesThenCounted()
    {
        using var listener = new LineageListener(); // never started
        await using var storage = Open(new OpenLineageOptions { Url = listener.Url, RetryBudget = TimeSpan.FromMilliseconds(300) });
        storage.SaveMetadata("m", "training", "fit", new { a = 1 });
        await storage.OpenLineage!.FlushAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60)); // hang guard only

        Assert.Equal(2, storage.OpenLineage.EventsFailed);
    }

    [Fact]
    public async Task FullQueue_DropsAndCountsWithoutBlockingSaves()
    {
        var gate = new BlockingTransport();
        var lineage = new OpenLineageOptions { QueueCapacity = 1 };
        lineage.Transports.Add(gate);
        await using var storage = Open(lineage);
        for (int i = 0; i < 10; i++) storage.SaveMetadata("m", "training", "fit", new { i });

        Assert.True(storage.OpenLineage!.EventsDropped >= 8, $"dropped {storage.OpenLineage.EventsDropped}");
        gate.Release.Set();
        await storage.OpenLineage.FlushAsync();
        Assert.Equal(10 - storage.OpenLineage.EventsDropped, gate.Received.Count / 2);
    }

    [Fact]
    public void Config_OpenLineageKeys_BuildTheEmitterAndBadValuesNameTheKey()
    {
        var config = new MetadataConfig();
        config.Set(MetadataConfigKeys.StorageBackend, "sqlite");
        config.Set(MetadataConfigKeys.StoragePath, _temp.Combine("cfg"));
        config.Set(MetadataConfigKeys.AsyncWrites, false);
        config.Set(MetadataConfigKeys.OpenLineageFile, _temp.Combine("cfg-events.jsonl"));
        config.Set(MetadataConfigKeys.OpenLineageNamespace, "team-a");
        using (var storage = new MetadataStorage(config))
        {
            Assert.Equal("team-a", storage.OpenLineage!.Namespace);
            storage.SaveMetadata("m", "training", "fit", new { a = 1 });
        }
        Assert.All(OpenLineagePipelines.ReadLines(_temp.Combine("cfg-events.jsonl")), e => Assert.Equal("team-a", (string)e["job"]!["namespace"]!));

        config.Set(MetadataConfigKeys.OpenLineageUrl, "ftp://example.org/x");
        config.Set(MetadataConfigKeys.OpenLineageNamespace, " ");
        var errors = config.Validate();
        Assert.Contains("http", errors[MetadataConfigKeys.OpenLineageUrl], StringComparison.Ordinal);
        Assert.Contains("empty", errors[MetadataConfigKeys.OpenLineageNamespace], StringComparison.Ordinal);
        var ex = Assert.Throws<MetadataConfigException>(() => new MetadataStorage(config));
        Assert.Contains("openlineage_url", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_Invalid_EveryProblemNamedAtBuild()
    {
        var ex = Assert.Throws<ArgumentException>(() => Open(new OpenLineageOptions
        {
            Url = new Uri("ftp://example.org/"),
            Namespace = "",
            QueueCapacity = 0,
        }));
        Assert.Contains("OpenLineage.Url", ex.Message, StringComparison.Ordinal);
        Assert.Contains("OpenLineage.Namespace", ex.Message, StringComparison.Ordinal);
        Assert.Contains("OpenLineage.QueueCapacity", ex.Message, StringComparison.Ordinal);
    }

    private sealed class BlockingTransport : IOpenLineageTransport
    {
        public ManualResetEventSlim Release { get; } = new();

        public ConcurrentQueue<string> Received { get; } = new();

        public string Description => "blocking test transport";

        public async ValueTask SendAsync(string runEvent, CancellationToken cancellationToken)
        {
            await Task.Run(() => Release.Wait(cancellationToken), cancellationToken);
            Received.Enqueue(runEvent);
        }
    }
}
