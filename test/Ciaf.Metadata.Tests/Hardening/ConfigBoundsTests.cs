using Ciaf.Metadata.Configuration;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Hardening;

/// <summary>Day and duration settings are bounded at validation, so a valid configuration never overflows a date later.</summary>
public sealed class ConfigBoundsTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private MetadataConfig ConfigFile(string json)
    {
        string file = _folder.Combine("ciaf_config.json");
        File.WriteAllText(file, json);
        return new MetadataConfig(file, new Dictionary<string, string?>());
    }

    [Theory]
    [InlineData("metadata_retention_days")]
    [InlineData("compliance_retention_days")]
    public void Validate_RetentionBeyondMaximum_NamesTheKeyAndTheLimit(string key)
    {
        var config = ConfigFile($$"""{ "{{key}}": 3000000 }""");

        var errors = config.Validate();

        Assert.True(errors.ContainsKey(key), string.Join("; ", errors));
        Assert.Contains("at most 365000 days", errors[key], StringComparison.Ordinal);
        Assert.Contains("3000000", errors[key], StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_RetentionAtMaximum_IsValidAndCleanupRuns()
    {
        var config = ConfigFile($$"""
            { "storage_backend": "json", "storage_path": "{{_folder.Combine("store").Replace("\\", "\\\\", StringComparison.Ordinal)}}",
              "metadata_retention_days": 365000, "compliance_retention_days": 365000 }
            """);
        Assert.Empty(config.Validate());

        using var storage = new MetadataStorage(MetadataStorageOptions.FromConfig(config));
        storage.SaveMetadata("m", "training", "t", new { a = 1 });

        Assert.Equal(0, storage.PreviewCleanup().RemovedCount);
    }

    [Fact]
    public void Validate_DurationTooLongForATimeSpan_IsAnError()
    {
        var config = ConfigFile("""{ "lcm_processing_interval": 1e300 }""");

        var errors = config.Validate();

        Assert.Contains("too long for a duration", errors["lcm_processing_interval"], StringComparison.Ordinal);
    }

    [Fact]
    public void Options_RetentionBeyondMaximum_ThrowsArgumentException()
    {
        var options = new MetadataStorageOptions { StoragePath = _folder.Combine("store"), MetadataRetentionDays = 3_000_000, ComplianceRetentionDays = 3_000_000 };

        var e = Assert.Throws<ArgumentException>(() => new MetadataStorage(options));

        Assert.Contains("MetadataRetentionDays", e.Message, StringComparison.Ordinal);
        Assert.Contains("ComplianceRetentionDays", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CleanupOldMetadata_AgeBeyondMaximum_ThrowsArgumentOutOfRange()
    {
        using var storage = new MetadataStorage(new MetadataStorageOptions { StoragePath = _folder.Combine("store") });

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => storage.CleanupOldMetadata(99_999_999));

        Assert.Equal("daysOld", e.ParamName);
    }
}
