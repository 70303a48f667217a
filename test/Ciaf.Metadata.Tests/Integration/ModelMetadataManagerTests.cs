using Ciaf.Metadata.Integration;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Integration;

public sealed class ModelMetadataManagerTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly MetadataStorage _storage;

    public ModelMetadataManagerTests() => _storage = new MetadataStorage(_temp.Path, "json");

    public void Dispose()
    {
        _storage.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public void LogMethods_EveryCall_UsesTheReferenceStageAndEventNames()
    {
        var m = new ModelMetadataManager("customer_classifier", "2.1.0", _storage);
        var expected = new List<(string Id, string Stage, string Event)>
        {
            (m.InitializationId, "model_lifecycle", "model_initialized"),
            (m.LogDataIngestion(new { rows = 1 }), "data_ingestion", "data_loaded"),
            (m.LogDataPreprocessing(new { step = "impute" }), "data_preprocessing", "data_preprocessed"),
            (m.LogTrainingStart(new { algorithm = "XGBoost" }), "training", "training_started"),
            (m.LogTrainingComplete(new { accuracy = 0.94 }), "training", "training_completed"),
            (m.LogValidation(new { auc = 0.9 }), "validation", "model_validated"),
            (m.LogDeployment(new { env = "prod" }), "deployment", "model_deployed"),
            (m.LogInference(new { n = 1 }), "inference", "inference_performed"),
            (m.LogMonitoring(new { drift = 0.01 }), "monitoring", "monitoring_data"),
            (m.LogComplianceCheck("GDPR", new { note = "no score" }), "compliance", "gdpr_compliance"),
            (m.LogComplianceCheck("ISO_13485", new { documentation = true }), "compliance", "iso_13485_compliance"),
        };

        foreach (var (id, stage, ev) in expected)
        {
            var r = _storage.GetMetadata(id)!;
            Assert.Equal((stage, ev), (r.Stage, r.EventType));
            Assert.Equal("2.1.0", r.ModelVersion);
            Assert.Equal("customer_classifier", r.ModelName);
        }
    }

    [Fact]
    public void Constructor_LogsModelInitializedWithTheReferenceFields()
    {
        var m = new ModelMetadataManager("m1", "0.9.0-rc1", _storage);

        var md = _storage.GetMetadata(m.InitializationId)!.Metadata;
        Assert.Equal(["model_name", "model_version", "initialized_at"], md.Select(kv => kv.Key));
        Assert.Equal("m1", (string?)md["model_name"]);
        Assert.EndsWith("+00:00", (string?)md["initialized_at"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.8, "passed")]
    [InlineData(0.79, "failed")]
    public void LogComplianceCheck_WithScore_AddsEventPassedAtOrAboveThreshold(double score, string status)
    {
        var m = new ModelMetadataManager("m2", "1.0.0", _storage);

        var id = m.LogComplianceCheck("FCRA", new { compliance_score = score }, details: "quarterly");

        var ev = Assert.Single(_storage.GetComplianceEvents(framework: "FCRA"));
        Assert.Equal(id, ev.MetadataId);
        Assert.Equal(status, ev.ValidationStatus);
        Assert.Equal(score, ev.ComplianceScore);
        Assert.Equal("quarterly", ev.Details);
    }

    [Fact]
    public void LogComplianceCheck_WithoutScore_NoEvent()
    {
        var m = new ModelMetadataManager("m3", "1.0.0", _storage);

        m.LogComplianceCheck("HIPAA", new Dictionary<string, object?> { ["phi_encrypted"] = true, ["baa_signed"] = null });

        Assert.Empty(_storage.GetComplianceEvents());
    }

    [Fact]
    public void ComplianceScoreThreshold_Custom_DecidesStatus()
    {
        var m = new ModelMetadataManager("m4", "1.0.0", _storage) { ComplianceScoreThreshold = 0.95 };

        m.LogComplianceCheck("GDPR", new { compliance_score = 0.9 });

        Assert.Equal("failed", Assert.Single(_storage.GetComplianceEvents()).ValidationStatus);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.ComplianceScoreThreshold = 1.5);
    }

    [Fact]
    public async Task AsyncForms_WriteTheSameEvents()
    {
        var m = new ModelMetadataManager("m5", "1.0.0", _storage);

        var id = await m.LogTrainingCompleteAsync(new { accuracy = 0.9 });
        var cid = await m.LogComplianceCheckAsync("EEOC", new { compliance_score = 0.5 });

        Assert.Equal("training_completed", (await _storage.GetMetadataAsync(id))!.EventType);
        Assert.Equal("failed", Assert.Single(_storage.GetComplianceEvents(framework: "EEOC")).ValidationStatus);
        Assert.Single(await m.GetStageMetadataAsync("compliance"));
        Assert.Equal(cid, (await m.GetStageMetadataAsync("compliance"))[0].Id);
    }

    [Fact]
    public void GetPipelineTrace_StagesInPipelineOrder()
    {
        var m = new ModelMetadataManager("m6", "1.0.0", _storage);
        m.LogTrainingStart(new { a = 1 });
        m.LogDataIngestion(new { rows = 1 });

        var trace = m.GetPipelineTrace();

        Assert.Equal(["data_ingestion", "training", "model_lifecycle"], trace.Stages.Select(s => s.Stage));
    }
}
