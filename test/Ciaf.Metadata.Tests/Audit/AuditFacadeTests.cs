using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Configuration;
using Ciaf.Metadata.Retention;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Ciaf.Metadata.Tests.Audit;

/// <summary>The facade's audit batching, failures and options, against an in-memory backend.</summary>
public sealed class AuditFacadeTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private (MetadataStorage Storage, InMemoryBackend Backend) Open(Action<MetadataStorageOptions>? configure = null)
    {
        var (name, backend) = InMemoryBackend.RegisterNew(_folder.Path);
        var options = new MetadataStorageOptions { StoragePath = _folder.Path, Backend = name, AuditAllAccess = true, UserId = "carol" };
        configure?.Invoke(options);
        return (new MetadataStorage(options), backend);
    }

    [Fact]
    public async Task AuditWriteFailure_NeverThrowsIntoReads_ReportedOnFlush_ThenRetried()
    {
        var (storage, backend) = Open();
        await using var _ = storage;
        string id = storage.SaveMetadata("m", "training", "e", new { a = 1 });
        storage.Flush();
        backend.FailNextAuditWrites = 100;
        for (int i = 0; i < 10; i++) Assert.NotNull(storage.GetMetadata(id)); // reads unaffected

        var ex = await Assert.ThrowsAsync<MetadataStorageException>(async () => await storage.FlushAsync());
        Assert.Contains("audit", ex.Message, StringComparison.Ordinal);

        backend.FailNextAuditWrites = 0;
        storage.Flush();
        Assert.Equal(10, backend.Audit.Values.Count(e => e.Action == AuditActions.Read));
    }

    [Fact]
    public async Task AuditEntries_WrittenInBatches_NotOnePerCall()
    {
        var (storage, backend) = Open();
        await using var _ = storage;
        string id = storage.SaveMetadata("m", "training", "e", new { a = 1 });
        storage.Flush();
        int before = backend.AuditWriteCalls;
        backend.AuditGate.Reset(); // the audit store is stuck: reads must not wait for it
        var reads = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < 1000; i++) storage.GetMetadata(id);
        Assert.True(reads.Elapsed < TimeSpan.FromSeconds(5));
        backend.AuditGate.Set();
        storage.Flush();
        Assert.Equal(1000, backend.Audit.Values.Count(e => e.Action == AuditActions.Read));
        Assert.InRange(backend.AuditWriteCalls - before, 1, 5); // batched: at most 500 entries per write
        Assert.All(backend.Audit.Values, e => Assert.Equal("carol", e.UserId));
    }

    [Fact]
    public async Task UserId_NotConfigured_FallsBackToEnvironmentOrOsUser()
    {
        var (storage, _) = Open(o => o.UserId = null);
        await using var __ = storage;
        string expected = Environment.GetEnvironmentVariable("CIAF_USER") is { Length: > 0 } env ? env : Environment.UserName;
        Assert.Equal(expected, storage.UserId);
    }

    [Fact]
    public async Task AutoCleanup_Failure_LoggedAndCountedNeverThrown()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var (storage, backend) = Open(o =>
        {
            o.TimeProvider = clock;
            o.AutoCleanup = true;
            o.CleanupSchedule = CleanupSchedule.Hourly;
        });
        await using var _ = storage;
        backend.State[("legal_holds", "model:m")] = "not json"; // an unreadable hold: cleanup must refuse to run
        Assert.Throws<MetadataStorageException>(() => storage.CleanupOldMetadata());

        clock.Advance(TimeSpan.FromHours(1));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (storage.AutoCleanupFailures == 0 && DateTime.UtcNow < deadline) await Task.Delay(10);
        Assert.Equal(1, storage.AutoCleanupFailures);
        Assert.Null(storage.LastAutoCleanup);
    }

    [Fact]
    public void FromConfig_MapsSecurityAndRetentionKeys()
    {
        string keyPath = Path.Combine(_folder.Path, "k.key");
        var config = new MetadataConfig(null, new Dictionary<string, string?>());
        config.Set(MetadataConfigKeys.EncryptSensitiveData, true);
        config.Set(MetadataConfigKeys.EncryptionKeyPath, keyPath);
        config.Set(MetadataConfigKeys.SensitiveFields, new[] { "ssn", "mrn" });
        config.Set(MetadataConfigKeys.UserId, "dave");
        config.Set(MetadataConfigKeys.AutoCleanupEnabled, true);
        config.Set(MetadataConfigKeys.CleanupSchedule, "daily");

        var options = MetadataStorageOptions.FromConfig(config);
        Assert.True(options.AuditAllAccess); // the reference's default
        Assert.True(options.EncryptSensitiveData);
        Assert.Equal(keyPath, options.EncryptionKeyPath);
        Assert.Equal(["ssn", "mrn"], options.SensitiveFields);
        Assert.Equal("dave", options.UserId);
        Assert.True(options.AutoCleanup);
        Assert.Equal(CleanupSchedule.Daily, options.CleanupSchedule);

        var defaults = MetadataStorageOptions.FromConfig(new MetadataConfig(null, new Dictionary<string, string?>()));
        Assert.False(defaults.EncryptSensitiveData);
        Assert.Contains("email", defaults.SensitiveFields);
        Assert.Equal(CleanupSchedule.Weekly, defaults.CleanupSchedule);
        Assert.False(new MetadataStorageOptions().AuditAllAccess);
    }

    [Fact]
    public void Options_BadEncryptionKey_ListedByValidate()
    {
        var errors = new MetadataStorageOptions { EncryptionKey = new byte[16], EncryptSensitiveData = true }.Validate();
        Assert.Contains(nameof(MetadataStorageOptions.EncryptionKey), errors.Keys);
        errors = new MetadataStorageOptions { EncryptSensitiveData = true }.Validate();
        Assert.Contains(nameof(MetadataStorageOptions.EncryptionKeyPath), errors.Keys);
    }
}
