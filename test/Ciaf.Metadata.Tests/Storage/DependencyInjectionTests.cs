using Ciaf.Metadata.Configuration;
using Ciaf.Metadata.DependencyInjection;
using Ciaf.Metadata.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Ciaf.Metadata.Tests.Storage;

public class DependencyInjectionTests
{
    [Fact]
    public async Task AddCiafMetadata_ConfigurationSection_RegistersStorageManagerFactoryAndTracker()
    {
        using var folder = new TempDirectory();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ciaf:storage_backend"] = "sqlite",
            ["Ciaf:storage_path"] = folder.Path,
            ["Ciaf:async_writes"] = "false",
            ["Ciaf:compliance_score_threshold"] = "0.9",
        }).Build();
        var services = new ServiceCollection().AddCiafMetadata(configuration.GetSection("Ciaf"));
        await using (var provider = services.BuildServiceProvider())
        {
            var storage = provider.GetRequiredService<MetadataStorage>();
            Assert.Same(storage, provider.GetRequiredService<MetadataStorage>());
            Assert.Equal("sqlite", storage.Backend);
            Assert.Equal(folder.Path, storage.StoragePath);
            Assert.Equal(0.9, provider.GetRequiredService<MetadataConfig>().Get<double>("compliance_score_threshold"));

            var factory = provider.GetRequiredService<ModelMetadataManagerFactory>();
            var manager = factory.Create("di_model", "1.2.0");
            Assert.Equal(0.9, manager.ComplianceScoreThreshold);
            var tracker = factory.CreateComplianceTracker(manager);
            var assessment = tracker.TrackGdprCompliance(
                new { encryption = true, anonymization = true, access_controls = true },
                new { explicit_consent = true, withdrawal_mechanism = true },
                rightToExplanation: false);
            Assert.False(assessment.Passed); // 0.8 < the configured 0.9
            Assert.Equal(2, storage.GetModelMetadata("di_model").Count);
        }
        // Disposing the container disposed (and flushed) the store; it reopens with everything in it.
        using var reopened = new MetadataStorage(folder.Path, "sqlite");
        Assert.Equal(2, reopened.GetModelMetadata("di_model").Count);
    }
}
