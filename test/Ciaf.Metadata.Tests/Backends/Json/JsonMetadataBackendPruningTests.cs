using Ciaf.Metadata.Backends.Json;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Backends.Json;

/// <summary>
/// Files the name rules out are never opened. A corrupt file is reported only when it is opened, so
/// "not reported" proves "not opened".
/// </summary>
public sealed class JsonMetadataBackendPruningTests : IDisposable
{
    private readonly TempDirectory _store = new();
    private readonly List<string> _corrupt = [];
    private readonly JsonMetadataBackend _backend;

    public JsonMetadataBackendPruningTests()
    {
        _backend = new JsonMetadataBackend(new BackendContext
        {
            StoragePath = _store.Path,
            ReportCorrupt = (path, _) => { lock (_corrupt) _corrupt.Add(path); },
        });
        Directory.CreateDirectory(_store.Combine("credit_scoring"));
    }

    public void Dispose()
    {
        _backend.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _store.Dispose();
    }

    private string Corrupt(string fileName)
    {
        var path = _store.Combine("credit_scoring", fileName);
        File.WriteAllText(path, "{ not json");
        return path;
    }

    [Fact]
    public async Task QueryAsync_OtherStage_NotOpened()
    {
        var record = SampleRecords.Create(stage: "training");
        await _backend.WriteAsync([record]);
        Corrupt($"2026-03-01_inference_{Guid.NewGuid()}.json");
        Corrupt($"2026-03-01_trainingx_{Guid.NewGuid()}.json");

        var result = await _backend.QueryAsync(new MetadataQuery { ModelName = "credit_scoring", Stage = "training" }).ToListAsync();

        Assert.Equal([record.Id], result.Select(r => r.Id));
        Assert.Empty(_corrupt);
    }

    [Fact]
    public async Task QueryAsync_LimitMetByNewerDays_OlderDaysNotOpened()
    {
        var t = new DateTimeOffset(2026, 3, 5, 10, 0, 0, TimeSpan.Zero);
        var records = Enumerable.Range(0, 3).Select(i => SampleRecords.Create(timestamp: t.AddMinutes(i))).ToList();
        await _backend.WriteAsync(records);
        var older = Corrupt($"2026-03-01_training_{Guid.NewGuid()}.json");

        var top = await _backend.QueryAsync(new MetadataQuery { Limit = 3 }).ToListAsync();
        Assert.Equal(records.Select(r => r.Id).Reverse(), top.Select(r => r.Id));
        Assert.Empty(_corrupt);

        var all = await _backend.QueryAsync(new MetadataQuery { Limit = 4 }).ToListAsync();
        Assert.Equal(3, all.Count);
        Assert.Equal([older], _corrupt);
    }

    [Fact]
    public async Task QueryAsync_SinceAfterAFilesDay_FileNotOpened()
    {
        var record = SampleRecords.Create(timestamp: new DateTimeOffset(2026, 3, 5, 0, 0, 0, TimeSpan.Zero));
        await _backend.WriteAsync([record]);
        Corrupt($"2026-03-04_training_{Guid.NewGuid()}.json");
        Corrupt($"2026-03-06_training_{Guid.NewGuid()}.json");

        var result = await _backend.QueryAsync(new MetadataQuery
        {
            Since = new DateTimeOffset(2026, 3, 5, 0, 0, 0, TimeSpan.Zero),
            Until = new DateTimeOffset(2026, 3, 6, 0, 0, 0, TimeSpan.Zero),
        }).ToListAsync();

        Assert.Equal([record.Id], result.Select(r => r.Id));
        Assert.Empty(_corrupt);
    }

    [Fact]
    public async Task GetAsync_OtherIds_NotOpened()
    {
        var record = SampleRecords.Create();
        await _backend.WriteAsync([record]);
        for (int i = 0; i < 20; i++) Corrupt($"2026-03-01_training_{Guid.NewGuid()}.json");

        Assert.Equal(record.Id, (await _backend.GetAsync(record.Id))?.Id);
        Assert.Null(await _backend.GetAsync(Guid.NewGuid().ToString()));
        Assert.Empty(_corrupt);
    }

    [Fact]
    public async Task CountAsync_ListsWithoutOpening()
    {
        await _backend.WriteAsync([SampleRecords.Create()]);
        Corrupt($"2026-03-01_training_{Guid.NewGuid()}.json");

        Assert.Equal(2, await _backend.CountAsync());
        Assert.Empty(_corrupt);
    }
}
