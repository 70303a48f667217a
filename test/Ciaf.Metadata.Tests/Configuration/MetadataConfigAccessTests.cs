using System.Text.Json.Nodes;
using Ciaf.Metadata.Configuration;
using Microsoft.Extensions.Configuration;

namespace Ciaf.Metadata.Tests.Configuration;

public class MetadataConfigAccessTests
{
    [Fact]
    public void Get_Conversions_ReturnTypedValues()
    {
        var config = TestConfig.Create();

        Assert.Equal(100, config.Get<int>("batch_size"));
        Assert.Equal(100L, config.Get<long>("batch_size"));
        Assert.Equal(100.0, config.Get<double>("batch_size"));
        Assert.Equal(0.8, config.Get<double>("compliance_score_threshold"));
        Assert.Equal(TimeSpan.FromSeconds(30), config.Get<TimeSpan>("db_connection_timeout"));
        Assert.Equal(TimeSpan.FromDays(365), config.Get<TimeSpan>("metadata_retention_days"));
        Assert.Equal(TimeSpan.FromMilliseconds(200), config.Get<TimeSpan>("flush_interval_ms"));
        Assert.Equal(6, config.Get<string[]>("compliance_frameworks").Length);
        Assert.Equal(6, config.Get<IReadOnlyList<string>>("compliance_frameworks").Count);
        Assert.Equal(6, config.Get<List<string>>("compliance_frameworks").Count);
        Assert.Equal(6, config.Get<IEnumerable<string>>("compliance_frameworks").Count());
        Assert.Null(config.Get<string?>("metrics_endpoint"));
        Assert.Null(config.Get<int?>("metrics_endpoint"));
        Assert.True(config.Get<bool?>("async_writes"));
        Assert.Equal(100, config.Get<int?>("batch_size"));
    }

    [Fact]
    public void Get_ReturnedList_IsACopy()
    {
        var config = TestConfig.Create();

        config.Get<string[]>("compliance_frameworks")[0] = "CHANGED";
        config.Get<List<string>>("compliance_frameworks").Clear();

        Assert.Equal("GDPR", config.Get<string[]>("compliance_frameworks")[0]);
        Assert.Throws<NotSupportedException>(() => ((IList<string>)config.Get<IReadOnlyList<string>>("compliance_frameworks")).Clear());
    }

    [Fact]
    public void Get_UrlAsUri_ReturnsUri()
    {
        var config = TestConfig.Create(null, ("CIAF_ALERT_WEBHOOK", "https://hooks.example.com/ciaf"));

        Assert.Equal(new Uri("https://hooks.example.com/ciaf"), config.Get<Uri>("alert_webhook_url"));
    }

    [Fact]
    public void Get_UnknownKey_ThrowsKeyNotFoundWithHint()
    {
        var config = TestConfig.Create();

        var e = Assert.Throws<KeyNotFoundException>(() => config.Get<int>("batchSize"));

        Assert.Contains("'batchSize'", e.Message, StringComparison.Ordinal);
        Assert.Contains("did you mean 'batch_size'", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("batch_size", typeof(bool))]
    [InlineData("storage_backend", typeof(int))]
    [InlineData("compliance_score_threshold", typeof(int))]
    [InlineData("storage_backend", typeof(TimeSpan))]
    [InlineData("compliance_frameworks", typeof(string))]
    public void Get_Unconvertible_ThrowsMetadataConfigException(string key, Type type)
    {
        var config = TestConfig.Create();
        var get = typeof(MetadataConfig).GetMethod(nameof(MetadataConfig.Get), 1, [typeof(string)])!.MakeGenericMethod(type);

        var e = Assert.Throws<System.Reflection.TargetInvocationException>(() => get.Invoke(config, [key]));

        var inner = Assert.IsType<MetadataConfigException>(e.InnerException);
        Assert.Contains(key, inner.Message, StringComparison.Ordinal);
        Assert.Equal(key, inner.Key);
    }

    [Fact]
    public void Get_NullIntoValueType_Throws()
    {
        var config = TestConfig.Create();

        Assert.Throws<MetadataConfigException>(() => config.Get<int>("metrics_endpoint"));
    }

    [Fact]
    public void Get_WithFallback_ReturnsFallbackForMissingOrNull()
    {
        var config = TestConfig.Create();

        Assert.Equal("none", config.Get("metrics_endpoint", "none"));
        Assert.Equal(7, config.Get("not_a_setting", 7));
        Assert.Equal(100, config.Get("batch_size", 7));
    }

    [Fact]
    public void Set_KnownKeyRightType_IsRead()
    {
        var config = TestConfig.Create();

        config.Set("enable_metrics", false);
        config.Set("metrics_endpoint", "http://monitoring-system:8080/metrics");
        config.Set("batch_size", 42);
        config.Set("compliance_score_threshold", 1);
        config.Set("db_connection_timeout", TimeSpan.FromMinutes(2));
        config.Set("compliance_frameworks", new List<string> { "GDPR" });
        config.Set("cache_size", JsonValue.Create(12));

        Assert.False(config.Get<bool>("enable_metrics"));
        Assert.Equal("http://monitoring-system:8080/metrics", config.Get<string>("metrics_endpoint"));
        Assert.Equal(42, config.Get<int>("batch_size"));
        Assert.Equal(1.0, config.Get<double>("compliance_score_threshold"));
        Assert.Equal(120, config.Get<int>("db_connection_timeout"));
        Assert.Equal(["GDPR"], config.Get<string[]>("compliance_frameworks"));
        Assert.Equal(12, config.Get<int>("cache_size"));
        Assert.Empty(config.Validate());
    }

    [Theory]
    [InlineData("batch_size", "100")]
    [InlineData("batch_size", 1.5)]
    [InlineData("enable_metrics", "true")]
    [InlineData("storage_backend", null)]
    [InlineData("storage_backend", 3)]
    [InlineData("compliance_frameworks", "GDPR")]
    public void Set_KnownKeyWrongType_ThrowsArgumentException(string key, object? value)
    {
        var config = TestConfig.Create();

        var e = Assert.Throws<ArgumentException>(() => config.Set(key, value));

        Assert.Equal("value", e.ParamName);
        Assert.Contains(key, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Set_UnknownKey_IsKeptAndSaved()
    {
        var config = TestConfig.Create();

        config.Set("team", "risk");
        config.Set("owners", new[] { "a", "b" });

        Assert.Equal("risk", config.Get<string>("team"));
        Assert.Equal(["a", "b"], config.Get<string[]>("owners"));
        Assert.Equal("risk", config.ToJsonObject()["team"]!.GetValue<string>());
        Assert.Empty(config.Validate());
    }

    [Fact]
    public void Set_AfterBadEnvironmentValue_ClearsTheError()
    {
        var config = TestConfig.Create(null, ("CIAF_BATCH_SIZE", "abc"));

        config.Set("batch_size", 10);

        Assert.Empty(config.Validate());
    }

    [Fact]
    public void Clone_Changed_OriginalUnchanged()
    {
        var config = TestConfig.Create();
        config.Set("extra", new JsonObject { ["a"] = 1 });

        var copy = config.Clone();
        copy.Set("batch_size", 5);
        copy.Get<JsonObject>("extra")["a"] = 2;

        Assert.Equal(100, config.Get<int>("batch_size"));
        Assert.Equal(5, copy.Get<int>("batch_size"));
        Assert.Equal(1, config.Get<JsonObject>("extra")["a"]!.GetValue<int>());
    }

    [Fact]
    public void ReferenceHelpers_BehaveLikeTheReference()
    {
        var config = TestConfig.Create(null, ("CIAF_STORAGE_PATH", "store"));

        Assert.Equal(Path.GetFullPath("store"), config.GetStoragePath());
        Assert.True(config.IsComplianceFrameworkEnabled("HIPAA"));
        Assert.True(config.IsComplianceFrameworkEnabled("gdpr"));
        Assert.False(config.IsComplianceFrameworkEnabled("SOX"));
        Assert.Equal(365, config.GetRetentionDays());
        Assert.Equal(2555, config.GetRetentionDays("compliance"));
    }

    [Fact]
    public void FromConfiguration_Section_AppliesSnakeAndPascalKeysAndArrays()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ciaf:storage_backend"] = "sqlite",
            ["Ciaf:BatchSize"] = "250",
            ["Ciaf:AsyncWrites"] = "off",
            ["Ciaf:compliance_frameworks:0"] = "GDPR",
            ["Ciaf:compliance_frameworks:1"] = "HIPAA",
            ["Ciaf:team"] = "risk",
        }).Build();

        var config = MetadataConfig.FromConfiguration(configuration.GetSection("Ciaf"), environment: null);

        Assert.Equal("sqlite", config.Get<string>("storage_backend"));
        Assert.Equal(250, config.Get<int>("batch_size"));
        Assert.False(config.Get<bool>("async_writes"));
        Assert.Equal(["GDPR", "HIPAA"], config.Get<string[]>("compliance_frameworks"));
        Assert.Equal("risk", config.Get<string>("team"));
        Assert.Empty(config.Validate());
    }

    [Fact]
    public void FromConfiguration_BadValue_ValidateNamesTheConfigurationPath()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ciaf:cache_size"] = "lots",
        }).Build();

        var config = MetadataConfig.FromConfiguration(configuration.GetSection("Ciaf"), environment: null);

        Assert.Equal("Ciaf:cache_size='lots' is not an integer", config.Validate()["cache_size"]);
    }

    [Fact]
    public void FromConfiguration_WithEnvironment_EnvironmentWins()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ciaf:batch_size"] = "250",
        }).Build();

        var config = MetadataConfig.FromConfiguration(configuration.GetSection("Ciaf"), name => name == "CIAF_BATCH_SIZE" ? "9" : null);

        Assert.Equal(9, config.Get<int>("batch_size"));
    }
}
