using Ciaf.Metadata.Capture;
using Ciaf.Metadata.Compliance;
using Ciaf.Metadata.Integration;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Integration;

/// <summary>The seed document's manager, capture and compliance examples, written in C# against API.md.</summary>
public sealed class SeedExamplesTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly MetadataStorage _storage;

    public SeedExamplesTests() => _storage = new MetadataStorage(_temp.Path, "json");

    public void Dispose()
    {
        _storage.Dispose();
        _temp.Dispose();
    }

    public interface IDataLoader
    {
        [CaptureMetadata("integrated_model", "data_loading", "data_loaded")]
        string[] LoadData(string path);
    }

    private sealed class DataLoader : IDataLoader
    {
        public string[] LoadData(string path) => ["row1", "row2"];
    }

    private static string[] CleanData(string path) => [path];

    [Fact]
    public void SeedExamples_ManagerCaptureAndCompliance_RunEndToEnd()
    {
        // 2. Using ModelMetadataManager
        var manager = new ModelMetadataManager("customer_classifier", "2.1.0", _storage);
        manager.LogDataIngestion(new { rows = 10000, columns = 25, quality_score = 0.92, source = "customer_database" });
        manager.LogTrainingStart(new { algorithm = "XGBoost", hyperparameters = new { n_estimators = 100, max_depth = 6 } });
        manager.LogTrainingComplete(new { accuracy = 0.94, precision = 0.92, recall = 0.96, training_time_minutes = 15 });
        PipelineTrace trace = manager.GetPipelineTrace();
        Assert.Equal(4, trace.EntryCount);

        // 3. Automatic metadata capture
        string path = "data.csv";
        string[] cleaned = MetadataCapture.Run("my_model", "preprocessing", "data_cleaning", () => CleanData(path),
            parameters: new { data_path = path, remove_outliers = true }, storage: _storage);
        Assert.Equal([path], cleaned);
        using (var capture = new MetadataCapture("my_model", "inference", "batch_prediction", storage: _storage))
        {
            capture.AddMetadata("batch_size", 1000);
            capture.AddMetadata("predictions_made", 1000);
        }
        IDataLoader loader = MetadataCapture.Intercept<IDataLoader>(new DataLoader(), _storage);
        Assert.Equal(2, loader.LoadData("in.csv").Length);

        // 4. Compliance tracking
        var tracker = new ComplianceTracker(manager, new ComplianceTrackerOptions { AlertOnComplianceFailure = false });
        var gdpr = tracker.TrackGdprCompliance(
            dataProtectionMeasures: new { encryption = true, anonymization = true, access_controls = true },
            consentManagement: new { explicit_consent = true, withdrawal_mechanism = true },
            rightToExplanation: true);
        var fda = tracker.TrackFdaCompliance(
            new { clinical_studies = true, performance_validation = true },
            new { risk_assessment = true, monitoring_plan = true },
            new { iso_13485 = true, documentation = true });
        tracker.TrackEeocCompliance(
            biasAssessment: new { disparate_impact = 0.1, statistical_parity = 0.9 },
            fairnessMetrics: new { equalized_odds = 0.85, calibration = 0.82 },
            protectedClasses: new[] { "race", "gender", "age" });
        Assert.Equal(1.0, gdpr.Score);
        Assert.Equal(1.0, fda.Score);
        Assert.Equal((1.0 + 1.0 + 0.95) / 3, tracker.GetOverallComplianceScore(), 12);

        // Compliance report (the seed's generate_compliance_report)
        var compliance = manager.GetStageMetadata("compliance");
        Assert.Equal(["gdpr_compliance", "fda_compliance", "eeoc_compliance"], compliance.OrderBy(r => r.Timestamp).ThenBy(r => r.Id, StringComparer.Ordinal).Select(r => r.EventType));
        var report = tracker.GenerateComplianceReport();
        Assert.Equal(3, report.Frameworks.Count);
        Assert.Contains("# Compliance report: customer_classifier 2.1.0", report.ToMarkdown(), StringComparison.Ordinal);

        Assert.Equal(3, _storage.GetComplianceEvents().Count);
    }
}
