using Ciaf.Metadata.Configuration;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Storage;

public class MetadataStorageConfigTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private static MetadataConfig Config(params (string Key, object? Value)[] settings)
    {
        var config = new MetadataConfig(null, new Dictionary<string, string?>());
        foreach (var (key, value) in settings) config.Set(key, value);
        return config;
    }

    [Fact]
    public void Constructor_Config_HonoursBackendPathWriteModeAndLimits()
    {
        var config = Config(("storage_backend", "sqlite"), ("storage_path", _folder.Path), ("async_writes", true),
            ("batch_size", 7), ("max_metadata_bytes", 2048));
        using var storage = new MetadataStorage(config);
        Assert.Equal("sqlite", storage.Backend);
        Assert.Equal(_folder.Path, storage.StoragePath);
        Assert.Equal(Path.Combine(_folder.Path, "ciaf_metadata.db"), storage.DbPath);
        Assert.Equal(WriteMode.Buffered, storage.WriteMode);
        Assert.Throws<ArgumentException>(() => storage.SaveMetadata("m", "training", "e", new { blob = new string('x', 3000) }));
        string id = storage.SaveMetadata("m", "training", "e", new { a = 1 });
        Assert.NotNull(storage.GetMetadata(id));
    }

    [Fact]
    public void Constructor_ConfigAiActHighRisk_CleanupRefusesFreshLogs()
    {
        using var storage = new MetadataStorage(Config(("storage_path", _folder.Path), ("async_writes", false), ("ai_act_high_risk", true)));
        string id = storage.SaveMetadata("m", "inference", "batch_scored", new { rows = 10 });

        var report = storage.CleanupOldMetadata(0, dryRun: false);

        Assert.True(report.AiActHighRisk);
        Assert.Empty(report.Removed);
        Assert.Equal(id, Assert.Single(report.Protected).Id);
        Assert.NotNull(storage.GetMetadata(id));
    }

    [Fact]
    public void Constructor_ConfigWithSyncWrites_IsImmediate()
    {
        using var storage = new MetadataStorage(Config(("storage_path", _folder.Path), ("async_writes", false)));
        Assert.Equal(WriteMode.Immediate, storage.WriteMode);
        Assert.Equal("json", storage.Backend);
    }

    [Fact]
    public void Constructor_InvalidConfig_ThrowsListingEveryError()
    {
        var config = Config(("storage_path", _folder.Path), ("batch_size", 0), ("metadata_retention_days", 0));
        var ex = Assert.Throws<MetadataConfigException>(() => new MetadataStorage(config));
        Assert.Contains("batch_size", ex.Message, StringComparison.Ordinal);
        Assert.Contains("metadata_retention_days", ex.Message, StringComparison.Ordinal);
    }
}
