using Ciaf.Metadata.Configuration;

namespace Ciaf.Metadata.Tests.Configuration;

public class MetadataConfigValidationTests
{
    [Fact]
    public void Validate_ThreeProblems_ReturnsThreeErrors()
    {
        var config = TestConfig.Create();
        config.Set("batch_size", 0);
        config.Set("compliance_score_threshold", 1.5);
        config.Set("storage_backend", "mongodb");

        var errors = config.Validate();

        Assert.Equal(3, errors.Count);
        Assert.Equal("must be at least 1; got 0", errors["batch_size"]);
        Assert.Equal("must be between 0 and 1; got 1.5", errors["compliance_score_threshold"]);
        Assert.StartsWith("must be one of: ", errors["storage_backend"], StringComparison.Ordinal);
        Assert.EndsWith("got \"mongodb\"", errors["storage_backend"], StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ManySources_ReportsEveryErrorAtOnce()
    {
        var config = TestConfig.Create(null, ("CIAF_CACHE_SIZE", "many"), ("CIAF_DB_TIMEOUT", "0"), ("CIAF_METRICS_ENDPOINT", "ftp://x"));
        config.Set("cleanup_schedule", "yearly");
        config.Set("default_export_format", "yaml");
        config.Set("db_journal_mode", "fast");
        config.Set("max_metadata_bytes", 100);

        var errors = config.Validate();

        Assert.Equal(
            ["cache_size", "cleanup_schedule", "db_connection_timeout", "db_journal_mode", "default_export_format", "max_metadata_bytes", "metrics_endpoint"],
            errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("CIAF_CACHE_SIZE='many' is not an integer", errors["cache_size"]);
        Assert.Contains("CIAF_DB_TIMEOUT=0", errors["db_connection_timeout"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("json")]
    [InlineData("sqlite")]
    [InlineData("pickle")]
    [InlineData("SQLite")]
    public void Validate_KnownBackend_NoError(string backend)
    {
        var config = TestConfig.Create();
        config.Set("storage_backend", backend);

        Assert.False(config.Validate().ContainsKey("storage_backend"));
    }

    [Fact]
    public void Validate_PostgresqlWithoutConnectionString_ErrorOnConnectionString()
    {
        var config = TestConfig.Create();
        config.Set("storage_backend", "postgresql");
        if (Ciaf.Metadata.Storage.MetadataBackends.Names.Count > 0 && !Ciaf.Metadata.Storage.MetadataBackends.IsRegistered("postgresql"))
        {
            return; // backends are registered but not PostgreSQL: the backend error is the right one.
        }

        Assert.Contains("required", config.Validate()["postgres_connection_string"], StringComparison.Ordinal);
        config.Set("postgres_connection_string", "Host=localhost");
        Assert.Empty(config.Validate());
    }

    [Fact]
    public void Validate_ComplianceRetentionBelowMetadataRetention_Error()
    {
        var config = TestConfig.Create(null, ("CIAF_RETENTION_DAYS", "400"), ("CIAF_COMPLIANCE_RETENTION", "300"));

        var errors = config.Validate();

        Assert.Equal("must be at least metadata_retention_days (400); got 300 (from CIAF_COMPLIANCE_RETENTION=300)", errors["compliance_retention_days"]);
        Assert.Single(errors);
    }

    [Fact]
    public void Validate_ZeroRetention_Error()
    {
        var config = TestConfig.Create();
        config.Set("metadata_retention_days", 0);

        Assert.Equal("must be at least 1; got 0", config.Validate()["metadata_retention_days"]);
    }

    [Fact]
    public void Validate_NegativeCacheSize_ErrorButZeroIsFine()
    {
        var config = TestConfig.Create();
        config.Set("cache_size", 0);
        Assert.Empty(config.Validate());

        config.Set("cache_size", -1);
        Assert.True(config.Validate().ContainsKey("cache_size"));
    }

    [Fact]
    public void Validate_EncryptionOnWithoutKeyPath_ErrorUntilKeyPathSet()
    {
        var config = TestConfig.Create(null, ("CIAF_ENCRYPT_DATA", "true"));

        Assert.Contains("encrypt_sensitive_data", config.Validate()["encryption_key_path"], StringComparison.Ordinal);

        config.Set("encryption_key_path", "keys/metadata.key");
        Assert.Empty(config.Validate());
    }

    [Theory]
    [InlineData("http://monitoring-system:8080/metrics", true)]
    [InlineData("https://hooks.example.com/x?a=1&b=2", true)]
    [InlineData("ftp://example.com", false)]
    [InlineData("monitoring-system:8080", false)]
    [InlineData("not a url", false)]
    [InlineData("/relative/path", false)]
    public void Validate_Urls_OnlyAbsoluteHttp(string url, bool valid)
    {
        var config = TestConfig.Create();
        config.Set("metrics_endpoint", url);
        config.Set("alert_webhook_url", url);

        var errors = config.Validate();

        Assert.Equal(valid ? 0 : 2, errors.Count);
    }

    [Fact]
    public void Validate_IntegerBeyondInt32_Error()
    {
        var config = TestConfig.Create(null, ("CIAF_BATCH_SIZE", "3000000000"));

        Assert.Equal("must be at most 2147483647; got 3000000000 (from CIAF_BATCH_SIZE=3000000000)", config.Validate()["batch_size"]);
    }

    [Fact]
    public void Validate_EmptyNameInList_Error()
    {
        var config = TestConfig.Create();
        config.Set("compliance_frameworks", new[] { "GDPR", " " });

        Assert.Equal("must not contain empty names", config.Validate()["compliance_frameworks"]);
    }

    [Fact]
    public void Validate_EmptyStoragePath_Error()
    {
        var config = TestConfig.Create(null, ("CIAF_STORAGE_PATH", ""));

        Assert.StartsWith("must not be empty", config.Validate()["storage_path"], StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ReferenceLcmKeys_UseTheReferenceRules()
    {
        var config = TestConfig.Create();
        config.Set("default_lcm_mode", "eventually");
        config.Set("lcm_processing_interval", 0.01);
        config.Set("lcm_cpu_threshold_percent", 120);

        Assert.Equal(["default_lcm_mode", "lcm_cpu_threshold_percent", "lcm_processing_interval"], config.Validate().Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ThrowIfInvalid_Errors_ThrowsListingAll()
    {
        var config = TestConfig.Create(null, ("CIAF_BATCH_SIZE", "abc"));
        config.Set("cache_size", -5);

        var e = Assert.Throws<MetadataConfigException>(config.ThrowIfInvalid);

        Assert.Equal(2, e.Errors.Count);
        Assert.Contains("2 errors", e.Message, StringComparison.Ordinal);
        Assert.Contains("batch_size: CIAF_BATCH_SIZE='abc' is not an integer", e.Message, StringComparison.Ordinal);
        Assert.Contains("cache_size: must be at least 0; got -5", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ThrowIfInvalid_Valid_DoesNotThrow()
    {
        TestConfig.Create().ThrowIfInvalid();
    }
}
