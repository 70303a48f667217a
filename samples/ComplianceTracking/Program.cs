using Ciaf.Metadata;
using Ciaf.Metadata.Compliance;
using Ciaf.Metadata.Integration;

// A credit model's decisions on 400 applicants: who was approved, and who later repaid.
using var storage = new MetadataStorage("compliance_metadata", "sqlite");
var manager = new ModelMetadataManager("credit_model", "1.4.0", storage);
var random = new Random(7);
var predictions = Enumerable.Range(0, 400).Select(i =>
{
    string gender = i % 2 == 0 ? "female" : "male";
    bool repaid = random.NextDouble() < 0.7;
    // The model approves repayers more often than not, and men a little more often than women.
    bool approved = random.NextDouble() < (repaid ? 0.75 : 0.25) + (gender == "male" ? 0.05 : 0);
    return new Prediction(gender, approved, repaid);
}).ToList();
manager.LogInference(new { predictions = predictions.Count, approved = predictions.Count(p => p.Approved) });

var tracker = new ComplianceTracker(manager);
ComplianceAssessment gdpr = tracker.TrackGdprCompliance(
    dataProtectionMeasures: new { encryption = true, anonymization = true, access_controls = true },
    consentManagement: new { explicit_consent = true, withdrawal_mechanism = true },
    rightToExplanation: true);
FairnessReport fairness = FairnessMetrics.Compute(predictions, p => p.Gender, p => p.Approved, p => p.Repaid);
tracker.TrackEeocCompliance(fairness, protectedClasses: new[] { "race", "gender", "age" });
double overall = tracker.GetOverallComplianceScore();
Console.WriteLine(tracker.GenerateComplianceReport().ToMarkdown());

// The same metrics with 95 % confidence intervals: 1,000 bootstrap resamples, reproducible from the seed.
FairnessReport withIntervals = FairnessMetrics.Compute(
    predictions.Select(p => new FairnessObservation(p.Gender, p.Approved, p.Repaid)),
    new FairnessOptions { BootstrapSamples = 1000, ConfidenceLevel = 0.95, Seed = 1 });
ConfidenceInterval dpd = withIntervals.Intervals!.DemographicParityDifference!.Value;
Console.WriteLine($"demographic parity difference {withIntervals.DemographicParityDifference:0.000}, 95 % interval [{dpd.Low:0.000}, {dpd.High:0.000}]");

foreach (var group in fairness.Groups)
{
    Console.WriteLine($"{group.Group}: selection rate {group.SelectionRate:P1}, adverse impact ratio {fairness.AdverseImpactRatios.GetValueOrDefault(group.Group, 1):0.000}");
}
Console.WriteLine($"GDPR {gdpr.Score:0.00} ({(gdpr.Passed ? "passed" : "failed")}), overall {overall:0.00}");

public sealed record Prediction(string Gender, bool Approved, bool Repaid);
