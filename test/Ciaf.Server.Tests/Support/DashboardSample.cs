using Ciaf.Metadata;
using Ciaf.Metadata.Compliance;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Integration;
using Microsoft.Extensions.Time.Testing;

namespace Ciaf.Server.Tests.Support;

/// <summary>
/// A small store the dashboard has something to show in: a credit model's pipeline over five weeks (ingestion to
/// monitoring), weekly GDPR and FCRA assessments with falling scores, a weekly drift measure (PSI) that grows, a
/// fairness analysis by gender in validation and in an EEOC assessment (one group under four fifths), and a second model.
/// </summary>
public static class DashboardSample
{
    /// <summary>The model with the whole pipeline.</summary>
    public const string Model = "credit_model";

    /// <summary>A second model with two records.</summary>
    public const string OtherModel = "churn_model";

    /// <summary>The weeks of monitoring and assessments.</summary>
    public const int Weeks = 5;

    /// <summary>A clock for the store: starts <see cref="Weeks"/> weeks ago, so the last week ends about now.</summary>
    public static FakeTimeProvider Clock() => new(DateTimeOffset.UtcNow.AddDays(-7 * Weeks - 1));

    /// <summary>The fairness counts by gender: women are selected at 0.3, men at 0.5 (ratio 0.6, under four fifths).</summary>
    public static FairnessReport Fairness() => FairnessMetrics.FromCounts(
    [
        new GroupOutcomeCounts("female", 400, 120, 200, 100, 20),
        new GroupOutcomeCounts("male", 600, 300, 320, 250, 50),
    ]);

    /// <summary>Writes the sample; returns the id of the deployment record.</summary>
    public static async Task<string> SeedAsync(MetadataStorage storage, FakeTimeProvider clock)
    {
        var manager = new ModelMetadataManager(Model, "1.2.0", storage);
        await manager.LogDataIngestionAsync(new { rows = 10000, columns = 25, source = "applications", quality_score = 0.97 }, "Loaded applications");
        clock.Advance(TimeSpan.FromHours(2));
        await manager.LogDataPreprocessingAsync(new { dropped_rows = 41, imputed = 212, scaling = "standard" });
        clock.Advance(TimeSpan.FromHours(1));
        await manager.LogTrainingStartAsync(new { algorithm = "LogisticRegression", hyperparameters = new { l2 = 0.01, max_iterations = 100 } });
        clock.Advance(TimeSpan.FromMinutes(30));
        await manager.LogTrainingCompleteAsync(new { accuracy = 0.91, auc_roc = 0.94, training_time_s = 1800 }, "Training completed");
        clock.Advance(TimeSpan.FromHours(1));
        await manager.LogValidationAsync(new { accuracy = 0.9, f1_score = 0.86, fairness = new { gender = Fairness().ToJson() } }, "Held-out 20% split");
        clock.Advance(TimeSpan.FromHours(1));
        string deployment = await manager.LogDeploymentAsync(new { environment = "staging", artifact_sha256 = new string('a', 64) }, "Deployed to staging");
        for (int week = 0; week < Weeks; week++)
        {
            clock.Advance(TimeSpan.FromDays(7));
            await manager.LogInferenceAsync(new { batch = week + 1, approval_rate = 0.42 - week * 0.02 });
            await manager.LogMonitoringAsync(new
            {
                metric = "population_stability_index",
                psi = new { income = 0.02 + week * 0.05, age = 0.01 + week * 0.01 },
                max_psi = 0.02 + week * 0.05,
                drift_detected = week >= 2,
            }, $"Week {week + 1}");
            string date = PythonTimestamp.Format(clock.GetUtcNow());
            await manager.LogComplianceCheckAsync("GDPR", new { compliance_score = 0.95 - week * 0.03, assessment_date = date, findings = Array.Empty<object>() });
            await manager.LogComplianceCheckAsync("FCRA", new { compliance_score = 0.88 - week * 0.05, assessment_date = date, findings = Array.Empty<object>() });
        }
        // One assessment through the tracker itself: EEOC from the fairness counts (kept under fairness_analysis).
        var tracker = new ComplianceTracker(manager, new ComplianceTrackerOptions { AlertOnComplianceFailure = false });
        await tracker.TrackEeocComplianceAsync(Fairness(), ["gender"], calibration: 0.9);

        var other = new ModelMetadataManager(OtherModel, "0.1.0", storage);
        await other.LogDataIngestionAsync(new { rows = 500 });
        clock.Advance(TimeSpan.FromMinutes(5));
        await other.LogTrainingCompleteAsync(new { accuracy = 0.7 });
        await storage.FlushAsync();
        return deployment;
    }
}
