using Ciaf.Metadata.Configuration;

namespace Ciaf.Metadata.Tests.Configuration;

public class MetadataConfigDefaultsTests
{
    public static TheoryData<string, object?> ReferenceDefaults => new()
    {
        { "storage_backend", "json" },
        { "storage_path", "ciaf_metadata" },
        { "enable_compression", false },
        { "batch_size", 100L },
        { "async_writes", true },
        { "cache_size", 10000L },
        { "db_connection_timeout", 30L },
        { "db_journal_mode", "WAL" },
        { "metadata_retention_days", 365L },
        { "compliance_retention_days", 2555L },
        { "auto_cleanup_enabled", false },
        { "cleanup_schedule", "weekly" },
        { "default_export_format", "json" },
        { "export_batch_size", 1000L },
        { "include_metadata_hash", true },
        { "encrypt_sensitive_data", false },
        { "encryption_key_path", null },
        { "audit_all_access", true },
        { "compliance_score_threshold", 0.8 },
        { "enable_metrics", true },
        { "metrics_endpoint", null },
        { "alert_on_compliance_failure", true },
        { "alert_webhook_url", null },
        { "max_file_size_mb", 100L },
        { "default_lcm_mode", "adaptive" },
        { "lcm_processing_interval", 2.0 },
        { "db_cache_size", 10000L },
        { "db_connection_pool_size", 5L },
        // Ours.
        { "max_metadata_bytes", 16777216L },
        { "compression_threshold_bytes", 65536L },
        { "user_id", null },
        { "postgres_connection_string", null },
        { "flush_interval_ms", 200L },
    };

    [Theory]
    [MemberData(nameof(ReferenceDefaults))]
    public void Constructor_NoFileNoEnvironment_HasDefault(string key, object? expected)
    {
        var config = TestConfig.Create();

        Assert.Equal(expected, config.Get<object>(key));
    }

    [Fact]
    public void Constructor_Defaults_ListsMatchReference()
    {
        var config = TestConfig.Create();

        Assert.Equal(["GDPR", "FDA", "EEOC", "FCRA", "HIPAA", "ISO_13485"], config.Get<string[]>("compliance_frameworks"));
        Assert.Equal(["model_name", "stage", "event_type", "timestamp"], config.Get<string[]>("required_metadata_fields"));
        var sensitive = config.Get<IReadOnlyList<string>>("sensitive_fields");
        Assert.Contains("ssn", sensitive);
        Assert.Contains("email", sensitive);
        Assert.Contains("credit_card", sensitive);
        Assert.DoesNotContain("name", sensitive);
    }

    [Fact]
    public void Validate_Defaults_NoErrors()
    {
        Assert.Empty(TestConfig.Create().Validate());
    }

    [Fact]
    public void KnownKeys_EveryKey_HasADefaultInEveryNewConfig()
    {
        var config = TestConfig.Create();

        Assert.Equal(MetadataConfig.KnownKeys, config.Keys);
        Assert.All(MetadataConfig.KnownKeys, key => Assert.True(config.ContainsKey(key)));
    }

    [Fact]
    public void KnownKeys_MetadataConfigKeysConstants_MatchTheTable()
    {
        var constants = typeof(MetadataConfigKeys).GetFields()
            .Where(f => f.IsLiteral)
            .Select(f => (string)f.GetRawConstantValue()!)
            .Order(StringComparer.Ordinal);

        Assert.Equal(MetadataConfig.KnownKeys.Order(StringComparer.Ordinal), constants);
    }

    [Fact]
    public void Default_TwoAccesses_SameInstanceUntilReset()
    {
        var first = MetadataConfig.Default;
        Assert.Same(first, MetadataConfig.Default);

        MetadataConfig.ResetDefault();

        Assert.NotSame(first, MetadataConfig.Default);
    }

    [Fact]
    public void DocsConfiguration_EveryKeyAndVariable_IsDocumented()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "CiafMetadata.slnx")))
        {
            dir = Path.GetDirectoryName(dir);
        }
        Assert.NotNull(dir);
        string docs = File.ReadAllText(Path.Combine(dir, "docs", "configuration.md"));

        Assert.All(MetadataConfig.KnownKeys, key => Assert.Contains($"`{key}`", docs, StringComparison.Ordinal));
        Assert.All(MetadataConfig.EnvironmentVariables.Keys, name => Assert.Contains($"`{name}`", docs, StringComparison.Ordinal));
    }
}
