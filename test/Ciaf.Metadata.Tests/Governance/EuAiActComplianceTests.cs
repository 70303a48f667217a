using Ciaf.Metadata.Compliance;
using Ciaf.Metadata.Governance;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Governance;

public sealed class EuAiActComplianceTests
{
    private static readonly object Declared = new
    {
        quality_management_system = true,
        performance_thresholds = new { accuracy = 0.75, auc_roc = 0.8 },
    };

    private static ComplianceTracker Tracker(GovernedPipeline p) => new(p.Manager, new ComplianceTrackerOptions { AlertOnComplianceFailure = false });

    private static ComplianceFinding Finding(ComplianceAssessment a, string requirement) => a.Findings.Single(f => f.Requirement == requirement);

    [Fact]
    public async Task Track_FromAFullyRecordedStore_JudgesFromTheRecords_AndSaysWhichIsWhich()
    {
        await using var p = await GovernedPipeline.CreateAsync();
        var m = p.Manager;
        string use = m.LogUseStarted();
        m.LogUseEnded(use);
        m.LogHumanOversight("alice", "overridden", use);
        m.LogDeclaredFacts(new { declaration_of_conformity = "Signed 2026-03-01, kept by the compliance office" });
        var monitor = new PostMarketMonitor(p.Storage);
        await monitor.SetPlanAsync(GovernedPipeline.Model, new MonitoringPlan([new MonitoringCondition("drift", "metadata.max_psi > 0.5", "7d")]));
        await monitor.CheckAsync(GovernedPipeline.Model);

        var a = await Tracker(p).TrackEuAiActComplianceAsync(Declared);
        Assert.Equal(ComplianceFrameworkNames.EuAiAct, a.Framework);
        Assert.Equal(16, a.Findings.Count);
        Assert.All(a.Findings, f => Assert.True(f.Met, $"{f.Requirement}: {f.Reason}"));
        Assert.Equal(1.0, a.Score, 12);
        Assert.Equal("evidenced", Finding(a, "logging.ledger").Basis);
        Assert.Equal("evidenced", Finding(a, "human_oversight.events_in_period").Basis);
        Assert.Equal("evidenced", Finding(a, "accuracy.declared_levels_met").Basis);
        Assert.Contains("accuracy = 0.8 >= 0.75", Finding(a, "accuracy.declared_levels_met").Reason);
        Assert.Contains("23 of 23 Annex IV items evidenced", Finding(a, "technical_documentation.annex_iv").Reason);
        Assert.Equal("declared", Finding(a, "quality_management.system").Basis);
        Assert.Contains("declared fact 'instructions_for_use'", Finding(a, "transparency.instructions_for_use").Reason);   // from the store's declarations
        Assert.Equal(["A.6.2.8"], Finding(a, "logging.ledger").Crosswalk!.Iso42001);
        Assert.All(a.Findings, f => Assert.NotEmpty(f.Crosswalk!.NistAiRmf));

        // The stored record keeps what it was judged on, and the report rebuilt from the store shows basis and crosswalk.
        var record = p.Storage.GetMetadata(a.MetadataId)!;
        Assert.Equal(1, (int)record.Metadata["store_evidence"]!["article_12"]!["use_periods"]!);
        var report = (await StoredComplianceReport.BuildAsync(p.Storage, GovernedPipeline.Model))!;
        string md = report.ToMarkdown();
        Assert.Contains("| Requirement | Met | Basis | Earned / weight |", md);
        Assert.Contains("| logging.ledger | yes | A.6.2.8 | Manage |", md);
        Assert.Contains("Govern: 5 of 5 met", md);
        Assert.Contains("<th>ISO/IEC 42001 Annex A</th>", StoredComplianceReport.ToHtml(report));
        Assert.Equal("evidenced", (string?)report.ToJsonObject()["frameworks"]![0]!["findings"]![5]!["basis"]);
    }

    [Fact]
    public async Task Track_WhatTheStoreLacks_IsNotMet_WithTheReasonAndHowToRecordIt()
    {
        await using var p = await GovernedPipeline.CreateAsync(declareFacts: false);
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var incident = await new IncidentRegister(p.Storage, clock).OpenAsync(GovernedPipeline.Model, IncidentKind.Widespread, clock.Now.AddDays(-3), "Unreported");
        var a = await Tracker(p).TrackEuAiActComplianceAsync(new { performance_thresholds = new { accuracy = 0.9, f1 = 0.5 } },
            new EuAiActAssessmentOptions { TimeProvider = clock });

        Assert.False(a.Passed);
        Assert.Contains("no period of use is recorded", Finding(a, "logging.use_periods").Reason);
        Assert.Contains("no human oversight event in the last 90 days", Finding(a, "human_oversight.events_in_period").Reason);
        var accuracy = Finding(a, "accuracy.declared_levels_met");
        Assert.Contains("accuracy = 0.8 < 0.9", accuracy.Reason);
        Assert.Contains("f1: not recorded in validation", accuracy.Reason);
        Assert.Contains("no post-market monitoring plan", Finding(a, "post_market.plan").Reason);
        var incidents = Finding(a, "incidents.reported_on_time");
        Assert.False(incidents.Met);
        Assert.Contains("1 overdue", incidents.Reason);
        var docs = Finding(a, "technical_documentation.annex_iv");
        Assert.False(docs.Met);
        Assert.InRange(docs.Earned, 0.01, 0.099);   // partial: the share of items the records evidence
        Assert.Equal("declared", Finding(a, "risk_management.system").Basis);
        Assert.Contains("declared.risk_management_system not provided", Finding(a, "risk_management.system").Reason);
        Assert.NotNull(incident);
    }

    [Fact]
    public async Task TrackCompliance_WithDeclaredFactsOnly_JudgesEverythingAsDeclared_AndSaysTheStoreWasNotRead()
    {
        await using var p = await GovernedPipeline.CreateAsync(declareFacts: false);
        var a = Tracker(p).TrackCompliance(ComplianceFrameworkNames.EuAiAct, new { declared = new { automatic_logging = true, risk_management_system = "documented" } });
        Assert.All(a.Findings, f => Assert.Equal("declared", f.Basis));
        var logging = Finding(a, "logging.ledger");
        Assert.True(logging.Met);
        Assert.Contains("no store evidence", logging.Reason);
        Assert.True(Finding(a, "risk_management.system").Met);
        Assert.Equal(0.15, a.Score, 12);
    }
}
