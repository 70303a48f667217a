using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Storage;

public class MetadataStorageTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private MetadataStorage OpenBuffered(string backend, int batchSize = 10, int? queue = null, int retries = 1) => new(new MetadataStorageOptions
    {
        StoragePath = _folder.Path,
        Backend = backend,
        WriteMode = WriteMode.Buffered,
        BatchSize = batchSize,
        QueueCapacity = queue,
        WriteRetries = retries,
    });

    [Fact]
    public void Constructor_UnknownBackend_ThrowsListingTheValidOnes()
    {
        var ex = Assert.Throws<ArgumentException>(() => new MetadataStorage(_folder.Path, "mongodb"));
        Assert.Contains("mongodb", ex.Message, StringComparison.Ordinal);
        foreach (var name in MetadataBackends.Names) Assert.Contains(name, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_PathIsAFile_ThrowsMetadataStorageException()
    {
        string file = _folder.Combine("a_file");
        File.WriteAllText(file, "x");
        var (name, _) = InMemoryBackend.RegisterNew(file);
        var ex = Assert.Throws<MetadataStorageException>(() => new MetadataStorage(file, name));
        Assert.Contains("is a file", ex.Message, StringComparison.Ordinal);
        Assert.Throws<MetadataStorageException>(() => new MetadataStorage(Path.Combine(file, "below"), name));
    }

    [Fact]
    public void Buffered_SaveThenRead_ReadsItsOwnWritesBeforeTheyAreDurable()
    {
        var (name, backend) = InMemoryBackend.RegisterNew(_folder.Path);
        backend.Gate.Reset(); // the background writer cannot write yet
        using var storage = OpenBuffered(name);
        string id = storage.SaveMetadata("m", "training", "e", new { a = 1 });
        Assert.Empty(backend.Records);
        Assert.Equal(id, storage.GetMetadata(id)!.Id);
        Assert.Equal([id], storage.GetModelMetadata("m").Select(r => r.Id));
        Assert.Single(storage.GetPipelineTrace("m").Stages);
        Assert.Equal(1, storage.GetPerformanceMetrics().PendingWrites);
        backend.Gate.Set();
        storage.Flush();
        Assert.True(backend.Records.ContainsKey(id));
        Assert.Equal(0, storage.GetPerformanceMetrics().PendingWrites);
    }

    [Fact]
    public async Task Buffered_QueueFull_CallerWaitsAndNothingIsDropped()
    {
        var (name, backend) = InMemoryBackend.RegisterNew(_folder.Path);
        backend.Gate.Reset();
        await using var storage = OpenBuffered(name, batchSize: 5, queue: 10);
        var writer = Task.Run(() =>
        {
            for (int i = 0; i < 100; i++) storage.SaveMetadata("m", "training", "e", new { i });
        });
        await Task.Delay(300);
        Assert.False(writer.IsCompleted); // backpressure: the queue holds 10 batches, the writer is blocked
        backend.Gate.Set();
        await writer.WaitAsync(TimeSpan.FromSeconds(30));
        await storage.FlushAsync();
        Assert.Equal(100, backend.Records.Count);
        Assert.All(backend.BatchSizes, size => Assert.InRange(size, 1, 5 * BackgroundBatcher<WriteBatch>.GroupCommitBatches)); // hashed records commit in groups
    }

    [Fact]
    public async Task Buffered_Backlog_HashedRecordsCommitTogether_OthersInBatches()
    {
        var (name, backend) = InMemoryBackend.RegisterNew(_folder.Path);
        backend.Gate.Reset();
        await using var storage = OpenBuffered(name, batchSize: 5, queue: 200);
        for (int i = 0; i < 100; i++) storage.SaveMetadata("m", "training", "e", new { i }); // hashed on the caller (fast lane)
        backend.Gate.Set();
        await storage.FlushAsync();

        Assert.Equal(100, backend.Records.Count);
        Assert.Contains(backend.BatchSizes, size => size > 5); // queued batches went in one call
        Assert.All(backend.BatchSizes, size => Assert.InRange(size, 1, 5 * BackgroundBatcher<WriteBatch>.GroupCommitBatches));

        backend.Gate.Reset();
        lock (backend.BatchSizes) backend.BatchSizes.Clear();
        for (int i = 0; i < 100; i++) storage.SaveMetadata("m", "training", "e", new System.Text.Json.Nodes.JsonObject { ["i"] = i }); // hashed by the writer
        backend.Gate.Set();
        await storage.FlushAsync();

        Assert.Equal(200, backend.Records.Count);
        Assert.All(backend.BatchSizes, size => Assert.InRange(size, 1, 5));
    }

    [Fact]
    public void Buffered_TransientFailure_RetriedAndNothingLost()
    {
        var (name, backend) = InMemoryBackend.RegisterNew(_folder.Path);
        backend.FailNextWrites = 1;
        using var storage = OpenBuffered(name, retries: 2);
        var ids = Enumerable.Range(0, 30).Select(i => storage.SaveMetadata("m", "training", "e", new { i })).ToList();
        storage.Flush();
        Assert.All(ids, id => Assert.True(backend.Records.ContainsKey(id)));
        Assert.Equal(1, storage.GetPerformanceMetrics().WriteFailures);
    }

    [Fact]
    public void Buffered_PersistentFailure_SurfacesOnFlushAndKeepsRecordsReadable()
    {
        var (name, backend) = InMemoryBackend.RegisterNew(_folder.Path);
        backend.FailNextWrites = 1000;
        var storage = OpenBuffered(name, retries: 0);
        string id = storage.SaveMetadata("m", "training", "e", new { a = 1 }); // never throws into the caller
        var ex = Assert.Throws<MetadataStorageException>(() => storage.Flush());
        Assert.Contains("injected failure", ex.Message, StringComparison.Ordinal);
        Assert.Equal(id, ex.RecordId);
        Assert.NotNull(storage.GetMetadata(id)); // still readable from memory

        backend.FailNextWrites = 0; // the disk recovers: the next flush writes it
        storage.Flush();
        Assert.True(backend.Records.ContainsKey(id));
        storage.Dispose();
    }

    [Fact]
    public void Buffered_DisposeWithUnwritableRecords_Throws()
    {
        var (name, backend) = InMemoryBackend.RegisterNew(_folder.Path);
        backend.FailNextWrites = 1000;
        var storage = OpenBuffered(name, retries: 0);
        storage.SaveMetadata("m", "training", "e", new { a = 1 });
        Assert.Throws<MetadataStorageException>(() => storage.Dispose());
    }

    [Fact]
    public void Buffered_BatchSaves_AreWrittenTogether()
    {
        var (name, backend) = InMemoryBackend.RegisterNew(_folder.Path);
        backend.Gate.Reset();
        using var storage = OpenBuffered(name, batchSize: 10);
        storage.SaveMetadataBatch(Enumerable.Range(0, 25).Select(i => new MetadataEntry("m", "training", "e", new { i })));
        backend.Gate.Set();
        storage.Flush();
        Assert.Contains(25, backend.BatchSizes); // one batch call, never split
    }

    [Fact]
    public void Immediate_BackendFailure_ThrowsMetadataStorageExceptionNamingTheBackend()
    {
        var (name, backend) = InMemoryBackend.RegisterNew(_folder.Path);
        backend.FailNextWrites = 1;
        using var storage = new MetadataStorage(_folder.Path, name);
        var ex = Assert.Throws<MetadataStorageException>(() => storage.SaveMetadata("m", "training", "e", new { a = 1 }));
        Assert.Equal("memory", ex.Backend);
        Assert.NotNull(ex.RecordId);
        Assert.Empty(backend.Records);
    }
}
