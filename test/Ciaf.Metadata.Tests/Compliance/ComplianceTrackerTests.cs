using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Compliance;
using Ciaf.Metadata.Integration;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Compliance;

public sealed class ComplianceTrackerTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly MetadataStorage _storage;
    private readonly ModelMetadataManager _manager;

    public ComplianceTrackerTests()
    {
        _storage = new MetadataStorage(_temp.Path, "json");
        _manager = new ModelMetadataManager("credit_scoring", "2.1.0", _storage);
    }

    public void Dispose()
    {
        _storage.Dispose();
        _temp.Dispose();
    }

    private ComplianceTracker Tracker(ComplianceTrackerOptions? options = null)
        => new(_manager, options ?? new ComplianceTrackerOptions { AlertOnComplianceFailure = false });

    [Fact]
    public void TrackGdprCompliance_SeedExample_StoresScoreInputsFindingsAndPassedEvent()
    {
        var a = Tracker().TrackGdprCompliance(
            dataProtectionMeasures: new { encryption = true, anonymization = true, access_controls = true },
            consentManagement: new { explicit_consent = true, withdrawal_mechanism = true },
            rightToExplanation: true);

        Assert.Equal("GDPR", a.Framework);
        Assert.Equal(1.0, a.Score);
        Assert.True(a.Passed);
        var record = _storage.GetMetadata(a.MetadataId)!;
        Assert.Equal("compliance", record.Stage);
        Assert.Equal("gdpr_compliance", record.EventType);
        Assert.Equal(["compliance_score", "data_protection_measures", "consent_management", "right_to_explanation", "assessment_date", "findings"],
            record.Metadata.Select(kv => kv.Key));
        Assert.Equal(6, record.Metadata["findings"]!.AsArray().Count);
        var ev = Assert.Single(_storage.GetComplianceEvents(framework: "GDPR"));
        Assert.Equal(a.MetadataId, ev.MetadataId);
        Assert.Equal("passed", ev.ValidationStatus);
        Assert.Equal(1.0, ev.ComplianceScore);
    }

    [Fact]
    public void TrackFcraCompliance_BelowThreshold_FailsAndRaisesComplianceFailed()
    {
        var tracker = Tracker(new ComplianceTrackerOptions { AlertOnComplianceFailure = true });
        ComplianceAssessment? alerted = null;
        tracker.ComplianceFailed += (_, e) => alerted = e.Assessment;

        var a = tracker.TrackFcraCompliance(new { precision = 0.91, recall = 0.78 }, new { notice_system = true, dispute_process = false },
            new { completeness = 0.95, accuracy = 0.85 });

        Assert.Equal(0.5, a.Score);
        Assert.False(a.Passed);
        Assert.Same(a, alerted);
        Assert.Equal("failed", Assert.Single(_storage.GetComplianceEvents(framework: "FCRA")).ValidationStatus);
    }

    [Fact]
    public void ComplianceFailed_HandlerThrows_TrackingStillReturns()
    {
        var tracker = Tracker(new ComplianceTrackerOptions { AlertOnComplianceFailure = true });
        tracker.ComplianceFailed += (_, _) => throw new InvalidOperationException("boom");

        var a = tracker.TrackFdaCompliance(new { }, new { }, new { });

        Assert.Equal(0.0, a.Score);
    }

    [Fact]
    public void TrackFdaCompliance_AlertsOff_NoEvent()
    {
        var tracker = Tracker(new ComplianceTrackerOptions { AlertOnComplianceFailure = false });
        bool raised = false;
        tracker.ComplianceFailed += (_, _) => raised = true;

        tracker.TrackFdaCompliance(new { clinical_studies = true }, null, null);

        Assert.False(raised);
    }

    [Fact]
    public void TrackEeocCompliance_FairnessReport_StoresCountsAndScoresFromMetrics()
    {
        var obs = Enumerable.Range(0, 100).SelectMany(i => new[]
        {
            new FairnessObservation("a", i < 50, i < 50),
            new FairnessObservation("b", i < 30, i < 30),
        });
        var fairness = FairnessMetrics.Compute(obs);

        var a = Tracker().TrackEeocCompliance(fairness, ["race", "gender", "age", "disability"], calibration: 0.9);

        // AIR 0.6 → disparate_impact 0.4 fails; statistical parity 1 − 0.2 = 0.8 is not > 0.8; equalized odds 1 − 0 passes; calibration passes.
        Assert.Equal(0.6, a.Score, 12);
        var md = _storage.GetMetadata(a.MetadataId)!.Metadata;
        var recomputed = FairnessMetrics.FromJson(md["fairness_analysis"]!.AsObject());
        Assert.Equal(0.6, recomputed.AdverseImpactRatio, 12);
        Assert.Equal(100, md["fairness_analysis"]!["groups"]![0]!["total"]!.GetValue<int>());
    }

    [Fact]
    public void RegisterFramework_Custom_TrackComplianceUsesIt()
    {
        var tracker = Tracker();
        tracker.RegisterFramework(new ModelCardFramework());

        var a = tracker.TrackCompliance("model_card", new { intended_use = "credit triage" });

        Assert.Equal("MODEL_CARD", a.Framework);
        Assert.Equal(1.0, a.Score);
        Assert.Equal("model_card_compliance", _storage.GetMetadata(a.MetadataId)!.EventType);
        Assert.Throws<ArgumentException>(() => tracker.RegisterFramework(new ModelCardFramework()));
        Assert.Throws<ArgumentException>(() => tracker.TrackCompliance("NOPE", new { }));
    }

    [Fact]
    public void TrackCompliance_BuiltInByName_SameAsSpecificMethod()
    {
        var a = Tracker().TrackCompliance("hipaa", new { technical_safeguards = new { encryption = true } });

        Assert.Equal("HIPAA", a.Framework);
        Assert.Equal(0.1, a.Score, 12);
    }

    [Fact]
    public void GenerateComplianceReport_TwoFrameworks_LatestScoresHistoryJsonAndMarkdown()
    {
        var tracker = Tracker();
        tracker.TrackGdprCompliance(new { encryption = true }, new { }, true);
        tracker.TrackGdprCompliance(new { encryption = true, anonymization = true, access_controls = true },
            new { explicit_consent = true, withdrawal_mechanism = true }, true);
        tracker.TrackHipaaCompliance(new { risk_analysis = true }, new { }, new { retention_years = 7 });

        var report = tracker.GenerateComplianceReport();

        Assert.Equal(["GDPR", "HIPAA"], report.Frameworks.Select(f => f.Framework));
        Assert.Equal(2, report.Frameworks[0].History.Count);
        Assert.Equal(1.0, report.Frameworks[0].LatestScore);
        Assert.True(report.Frameworks[0].Passed);
        Assert.False(report.Frameworks[1].Passed);
        Assert.Equal((1.0 + 0.25) / 2, report.OverallScore, 12);
        var json = JsonNode.Parse(report.ToJson())!;
        Assert.Equal("credit_scoring", (string?)json["model_name"]);
        Assert.Equal(2, json["frameworks"]![0]!["history"]!.AsArray().Count);
        var md = report.ToMarkdown();
        Assert.Contains("| GDPR | 1 | passed | 2 |", md, StringComparison.Ordinal);
        Assert.Contains("| HIPAA | 0.25 | **failed** | 1 |", md, StringComparison.Ordinal);
        Assert.Contains("documentation.retention_years", md, StringComparison.Ordinal);
    }

    [Fact]
    public void GetOverallComplianceScore_NothingTracked_IsZero()
    {
        Assert.Equal(0.0, Tracker().GetOverallComplianceScore());
    }

    [Fact]
    public async Task TrackAsync_Webhook_PostsFailedAssessmentInBackground()
    {
        int port = FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/alerts/");
        listener.Start();
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        int calls = 0;
        _ = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext ctx;
                try
                {
                    ctx = await listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
                using var reader = new StreamReader(ctx.Request.InputStream);
                string body = await reader.ReadToEndAsync();
                // The first attempt fails with 503: the pipeline retries.
                ctx.Response.StatusCode = Interlocked.Increment(ref calls) == 1 ? 503 : 200;
                ctx.Response.Close();
                if (ctx.Response.StatusCode == 200)
                {
                    received.TrySetResult(body);
                }
            }
        });
        var tracker = Tracker(new ComplianceTrackerOptions
        {
            AlertOnComplianceFailure = true,
            AlertWebhookUrl = new Uri($"http://127.0.0.1:{port}/alerts/"),
            WebhookRetryDelay = TimeSpan.FromMilliseconds(10),
        });

        var a = await tracker.TrackFcraComplianceAsync(new { precision = 0.5 }, null, null);
        await tracker.FlushAlertsAsync().WaitAsync(TimeSpan.FromSeconds(20));

        var body = JsonNode.Parse(await received.Task.WaitAsync(TimeSpan.FromSeconds(5)))!;
        Assert.Equal("FCRA", (string?)body["framework"]);
        Assert.Equal(a.MetadataId, (string?)body["metadata_id"]);
        Assert.False((bool)body["passed"]!);
        Assert.Equal(2, calls);
    }

    [Fact]
    public void Track_WebhookUnreachable_NeverBlocksOrThrows()
    {
        int port = FreePort(); // nothing listens there
        var tracker = Tracker(new ComplianceTrackerOptions
        {
            AlertOnComplianceFailure = true,
            AlertWebhookUrl = new Uri($"http://127.0.0.1:{port}/"),
            WebhookRetryDelay = TimeSpan.FromSeconds(5),
        });
        var sw = System.Diagnostics.Stopwatch.StartNew();

        var a = tracker.TrackGdprCompliance(null, null, false);

        Assert.False(a.Passed);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(3), $"tracking took {sw.Elapsed}");
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    private sealed class ModelCardFramework() : ComplianceFramework("MODEL_CARD")
    {
        public override ComplianceEvaluation Assess(JsonObject evidence)
        {
            bool met = evidence["intended_use"] is not null;
            return new(met ? 1.0 : 0.0, [new("intended_use", met, 1.0, met ? 1.0 : 0.0, met ? "documented" : "missing")]);
        }
    }
}
