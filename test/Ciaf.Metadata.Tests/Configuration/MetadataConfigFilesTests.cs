using System.Text.Json.Nodes;
using Ciaf.Metadata.Configuration;

namespace Ciaf.Metadata.Tests.Configuration;

public sealed class MetadataConfigFilesTests : IDisposable
{
    private readonly TemporaryConfigFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void SaveToFile_Loaded_RoundTripsEveryValue()
    {
        var config = TestConfig.Create();
        config.Set("storage_backend", "sqlite");
        config.Set("batch_size", 250);
        config.Set("compliance_score_threshold", 0.75);
        config.Set("metrics_endpoint", "https://m.example.com/x?a=1&b=2");
        config.Set("compliance_frameworks", new[] { "GDPR", "ISO_13485" });
        config.Set("storage_path", "données/métadonnées");
        config.Set("team", new JsonObject { ["name"] = "risk", ["size"] = 3 });
        string file = _folder.PathOf("sub/dir/config.json");

        config.SaveToFile(file);
        var loaded = TestConfig.Create(file);

        Assert.Equal(config.ToJsonObject().ToJsonString(), loaded.ToJsonObject().ToJsonString());
        Assert.Equal(config.Keys, loaded.Keys);
        Assert.Empty(loaded.Validate());
    }

    [Fact]
    public void SaveToFile_Output_IsIndentedSnakeCaseJsonReadableByPython()
    {
        string file = _folder.PathOf("config.json");

        TestConfig.Create().SaveToFile(file);
        string text = File.ReadAllText(file);

        Assert.StartsWith("{\n  \"storage_backend\": \"json\",\n  \"storage_path\": \"ciaf_metadata\",", text.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("\"encryption_key_path\": null", text, StringComparison.Ordinal);
        var root = JsonNode.Parse(text)!.AsObject();
        Assert.Equal(MetadataConfig.KnownKeys, root.Select(p => p.Key));
    }

    [Fact]
    public void SaveToFile_ExistingFile_IsReplacedAndNoTemporaryFileIsLeft()
    {
        string file = _folder.Write("config.json", "old");
        var config = TestConfig.Create();
        config.Set("batch_size", 7);

        config.SaveToFile(file);

        Assert.Equal(7, TestConfig.Create(file).Get<int>("batch_size"));
        Assert.Equal(["config.json"], Directory.GetFiles(_folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void SaveToFile_EmptyPath_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => TestConfig.Create().SaveToFile(""));
    }

    public static TheoryData<string> Templates => [.. MetadataConfig.TemplateNames];

    [Theory]
    [MemberData(nameof(Templates))]
    public void CreateConfigTemplate_EveryTemplate_ValidatesAndLoadsBack(string template)
    {
        string file = _folder.PathOf($"{template}.json");

        var config = MetadataConfig.CreateConfigTemplate(template, file);
        var loaded = TestConfig.Create(file);

        Assert.Empty(config.Validate());
        Assert.Empty(loaded.Validate());
        Assert.Equal(config.ToJsonObject().ToJsonString(), loaded.ToJsonObject().ToJsonString());
    }

    [Fact]
    public void TemplateNames_ListsTheDocumentedTemplates()
    {
        Assert.Equal(
            ["development", "production", "testing", "high_performance", "ultra_fast", "inference_optimized", "compliance_first"],
            MetadataConfig.TemplateNames);
    }

    [Fact]
    public void FromTemplate_Production_HasReferenceValuesAndAKeyPath()
    {
        var config = MetadataConfig.FromTemplate("production");

        Assert.Equal("sqlite", config.Get<string>("storage_backend"));
        Assert.Equal(365, config.Get<int>("metadata_retention_days"));
        Assert.Equal(2555, config.Get<int>("compliance_retention_days"));
        Assert.True(config.Get<bool>("encrypt_sensitive_data"));
        Assert.Equal("keys/metadata.key", config.Get<string>("encryption_key_path"));
        Assert.Equal("daily", config.Get<string>("cleanup_schedule"));
        Assert.True(config.Get<bool>("auto_cleanup_enabled"));
    }

    [Fact]
    public void FromTemplate_Others_HaveTheirDistinguishingValues()
    {
        Assert.Equal(30, MetadataConfig.FromTemplate("development").Get<int>("metadata_retention_days"));
        var testing = MetadataConfig.FromTemplate("testing");
        Assert.Equal(7, testing.Get<int>("metadata_retention_days"));
        Assert.False(testing.Get<bool>("async_writes"));
        var hp = MetadataConfig.FromTemplate("high_performance");
        Assert.Equal((500, true, 50000), (hp.Get<int>("batch_size"), hp.Get<bool>("enable_compression"), hp.Get<int>("cache_size")));
        var fast = MetadataConfig.FromTemplate("ultra_fast");
        Assert.Equal((1000, false, false), (fast.Get<int>("batch_size"), fast.Get<bool>("audit_all_access"), fast.Get<bool>("enable_metrics")));
        Assert.Equal(200, MetadataConfig.FromTemplate("inference_optimized").Get<int>("batch_size"));
        var compliance = MetadataConfig.FromTemplate("compliance_first");
        Assert.False(compliance.Get<bool>("async_writes"));
        Assert.True(compliance.Get<bool>("encrypt_sensitive_data"));
        Assert.Equal((2555, 3650), (compliance.Get<int>("metadata_retention_days"), compliance.Get<int>("compliance_retention_days")));
        Assert.Equal(6, compliance.Get<string[]>("compliance_frameworks").Length);
    }

    [Fact]
    public void FromTemplate_IgnoresEnvironment()
    {
        // Templates are the same on every machine: built from defaults, never from CIAF_* variables.
        Assert.Equal("dev_metadata", MetadataConfig.FromTemplate("DEVELOPMENT").Get<string>("storage_path"));
    }

    [Fact]
    public void CreateConfigTemplate_UnknownTemplate_ThrowsListingValidNames()
    {
        var e = Assert.Throws<ArgumentException>(() => MetadataConfig.CreateConfigTemplate("staging", _folder.PathOf("x.json")));

        Assert.Equal("template", e.ParamName);
        Assert.Contains("'staging'", e.Message, StringComparison.Ordinal);
        Assert.All(MetadataConfig.TemplateNames, name => Assert.Contains(name, e.Message, StringComparison.Ordinal));
        Assert.False(File.Exists(_folder.PathOf("x.json")));
    }
}
