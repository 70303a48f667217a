using Ciaf.Metadata.Compliance;
using Ciaf.Metadata.Integration;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Compliance;

public class StoredComplianceReportTests
{
    [Fact]
    public void Build_AssessmentsFromEarlierTrackers_ReportsLatestScoreAndWholeHistory()
    {
        using var folder = new TempDirectory();
        using (var storage = new MetadataStorage(folder.Path, "sqlite"))
        {
            var tracker = new ComplianceTracker(new ModelMetadataManager("m<&>", "1.0.0", storage));
            tracker.TrackGdprCompliance(new { encryption = false }, new { explicit_consent = true }, rightToExplanation: false);
            tracker.TrackGdprCompliance(new { encryption = true, anonymization = true, access_controls = true },
                new { explicit_consent = true, withdrawal_mechanism = true }, rightToExplanation: true);
            tracker.TrackFcraCompliance(new { precision = 0.9, recall = 0.85 }, new { notice_system = true, dispute_process = true },
                new { completeness = 0.95, accuracy = 0.95 });
        }

        using var reopened = new MetadataStorage(folder.Path, "sqlite");
        var report = StoredComplianceReport.Build(reopened, "m<&>")!;

        var gdpr = report.Frameworks.Single(f => f.Framework == "GDPR");
        Assert.Equal(2, gdpr.History.Count);
        Assert.Equal(1.0, gdpr.LatestScore);
        Assert.True(gdpr.Passed);
        Assert.Equal(0.2, gdpr.History[0].Score);
        Assert.Equal(1.0, report.Frameworks.Single(f => f.Framework == "FCRA").LatestScore);
        Assert.Equal(1.0, report.OverallScore);
        string html = StoredComplianceReport.ToHtml(report);
        Assert.Contains("m&lt;&amp;&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("m<&>", html, StringComparison.Ordinal);
        Assert.Null(StoredComplianceReport.Build(reopened, "unknown"));
    }
}
