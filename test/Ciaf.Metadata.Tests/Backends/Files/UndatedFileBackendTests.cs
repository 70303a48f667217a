using System.Text.Json.Nodes;
using Ciaf.Metadata.Backends.Files;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Backends.Files;

/// <summary>
/// The engine with an undated layout shaped like the Pickle backend's (<c>&lt;stage&gt;_&lt;id&gt;.rec</c>, the reference
/// writing <c>&lt;stage&gt;_&lt;id[:8]&gt;.rec</c>), to hold the abstract surface to what that backend needs.
/// </summary>
public sealed class UndatedFileBackendTests : IDisposable
{
    private readonly TempDirectory _store = new();
    private readonly List<string> _corrupt = [];
    private readonly StageIdBackend _backend;

    public UndatedFileBackendTests()
    {
        _backend = new StageIdBackend(new BackendContext
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

    [Fact]
    public async Task WriteAsync_UndatedLayout_NamesStageAndFullId()
    {
        var record = SampleRecords.Create(stage: "data_ingestion");

        await _backend.WriteAsync([record]);

        Assert.True(File.Exists(_store.Combine("credit_scoring", $"data_ingestion_{record.Id}.rec")));
        Assert.Equal(record.MetadataHash, (await _backend.GetAsync(record.Id))?.MetadataHash);
    }

    [Fact]
    public async Task GetAsync_ReferencePrefixName_Found()
    {
        var record = SampleRecords.Create(stage: "model_lifecycle");
        Directory.CreateDirectory(_store.Combine("credit_scoring"));
        File.WriteAllBytes(_store.Combine("credit_scoring", $"model_lifecycle_{record.Id[..8]}.rec"), RecordJson.ToFileBytes(record));

        Assert.Equal(record.Id, (await _backend.GetAsync(record.Id))?.Id);
    }

    [Fact]
    public async Task WriteAsync_RewriteOfReferencePrefixName_ReplacedInPlace()
    {
        var record = SampleRecords.Create();
        var referenceName = _store.Combine("credit_scoring", $"training_{record.Id[..8]}.rec");
        Directory.CreateDirectory(_store.Combine("credit_scoring"));
        File.WriteAllBytes(referenceName, RecordJson.ToFileBytes(record));
        var metadata = new JsonObject { ["loss"] = 0.1 };

        await _backend.WriteAsync([record with { Metadata = metadata, MetadataHash = PythonJson.Hash(metadata) }]);

        Assert.Equal([referenceName], Directory.GetFiles(_store.Combine("credit_scoring")));
        Assert.Equal(PythonJson.Hash(metadata), (await _backend.GetAsync(record.Id))?.MetadataHash);
    }

    [Fact]
    public async Task QueryAsync_UndatedLayoutWithLimit_OrdersByContentTimestamp()
    {
        var records = Enumerable.Range(0, 10)
            .Select(i => SampleRecords.Create(timestamp: SampleRecords.BaseTime.AddDays(i), id: $"r{i}", stage: i % 2 == 0 ? "training" : "train"))
            .ToList();
        await _backend.WriteAsync(records);

        var newest = await _backend.QueryAsync(new MetadataQuery { Stage = "train", Limit = 2 }).ToListAsync();
        var since = await _backend.QueryAsync(new MetadataQuery { Since = SampleRecords.BaseTime.AddDays(7), Order = RecordOrder.OldestFirst }).ToListAsync();

        Assert.Equal(["r9", "r7"], newest.Select(r => r.Id));
        Assert.Equal(["r7", "r8", "r9"], since.Select(r => r.Id));
        Assert.Empty(_corrupt);
    }

    private sealed class StageIdBackend(BackendContext context) : FileMetadataBackend(context)
    {
        public override string Name => "stage-id-test";

        protected override string FileExtension => ".rec";

        protected override string GetFileName(MetadataRecord record, string idToken) => $"{record.Stage}_{idToken}.rec";

        protected override bool TryParseFileName(string fileName, out RecordFileName parsed)
        {
            parsed = default;
            if (!fileName.EndsWith(".rec", StringComparison.Ordinal)) return false;
            if (!TrySplitStageAndIdToken(fileName.AsSpan(0, fileName.Length - 4), out var stage, out var token)) return false;
            parsed = new RecordFileName(stage, token, Date: null);
            return true;
        }

        protected override byte[] Serialize(MetadataRecord record) => RecordJson.ToFileBytes(record);

        protected override MetadataRecord Deserialize(ReadOnlySpan<byte> content) => RecordJson.FromFileBytes(content);
    }
}
