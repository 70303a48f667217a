using System.Text.Json;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Integration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ciaf.Metadata.Compliance;

/// <summary>
/// Tracks a model's compliance: scores evidence with a framework, stores the score, the evidence and the
/// findings as a <c>compliance</c> record (through <see cref="ModelMetadataManager.LogComplianceCheck"/>, which
/// also writes the compliance event), and keeps the history for <see cref="GenerateComplianceReport"/>.
/// GDPR, FDA, EEOC and FCRA use the reference's weights (the same complete inputs give the same score);
/// HIPAA and ISO 13485 are designed from the regulations (docs/compliance.md). A failed assessment raises
/// <see cref="ComplianceFailed"/> and, when a webhook is configured, is POSTed in the background.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class ComplianceTracker
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ComplianceFramework> _frameworks = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _order = [];
    private readonly Dictionary<string, List<ComplianceAssessment>> _history = new(StringComparer.OrdinalIgnoreCase);
    private readonly ILogger _logger;
    private readonly bool _alertOnFailure;
    private readonly ComplianceAlertWebhook? _webhook;

    /// <summary>Creates a tracker for the manager's model.</summary>
    /// <param name="manager">The model's manager; its <see cref="ModelMetadataManager.ComplianceScoreThreshold"/> is the pass mark.</param>
    /// <param name="options">Alerting options; unset values come from the configuration.</param>
    public ComplianceTracker(ModelMetadataManager manager, ComplianceTrackerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(manager);
        Manager = manager;
        options ??= new ComplianceTrackerOptions();
        _logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<ComplianceTracker>();
        _alertOnFailure = options.AlertOnComplianceFailure ?? IntegrationSettings.AlertOnComplianceFailure;
        var url = options.AlertWebhookUrl ?? IntegrationSettings.AlertWebhookUrl;
        if (url is not null)
        {
            if (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https"))
            {
                throw new ArgumentException($"The alert webhook URL '{url}' must be an absolute http or https URL.", nameof(options));
            }
            _webhook = new ComplianceAlertWebhook(url, options, _logger);
        }
        foreach (var f in new ComplianceFramework[]
                 {
                     new GdprComplianceFramework(), new FdaComplianceFramework(), new EeocComplianceFramework(),
                     new FcraComplianceFramework(), new HipaaComplianceFramework(), new Iso13485ComplianceFramework(),
                     new EuAiActComplianceFramework(),
                 })
        {
            _frameworks[f.Name] = f;
        }
    }

    /// <summary>Raised (synchronously, on the tracking thread) when an assessment fails and alerting is on. Handler exceptions are logged, not thrown.</summary>
    public event EventHandler<ComplianceFailedEventArgs>? ComplianceFailed;

    /// <summary>The manager the tracker writes through.</summary>
    public ModelMetadataManager Manager { get; }

    /// <summary>The registered frameworks (built-in and custom), by name.</summary>
    public IReadOnlyCollection<string> Frameworks
    {
        get
        {
            lock (_lock)
            {
                return [.. _frameworks.Keys];
            }
        }
    }

    /// <summary>The latest score of each framework tracked so far (the reference's <c>compliance_scores</c>).</summary>
    public IReadOnlyDictionary<string, double> ComplianceScores
    {
        get
        {
            lock (_lock)
            {
                return _order.ToDictionary(n => n, n => _history[n][^1].Score, StringComparer.OrdinalIgnoreCase);
            }
        }
    }

    /// <summary>Registers a custom framework, assessed with <see cref="TrackCompliance"/>.</summary>
    /// <param name="framework">The framework.</param>
    /// <exception cref="ArgumentException">A framework of that name (case-insensitive) is already registered.</exception>
    public void RegisterFramework(ComplianceFramework framework)
    {
        ArgumentNullException.ThrowIfNull(framework);
        lock (_lock)
        {
            if (!_frameworks.TryAdd(framework.Name, framework))
            {
                throw new ArgumentException($"A compliance framework named '{framework.Name}' is already registered.", nameof(framework));
            }
        }
    }

    /// <summary>Assesses GDPR (reference weights; see <see cref="GdprComplianceFramework"/>).</summary>
    /// <param name="dataProtectionMeasures">encryption, anonymization, access_controls.</param>
    /// <param name="consentManagement">explicit_consent, withdrawal_mechanism.</param>
    /// <param name="rightToExplanation">Whether decisions can be explained to data subjects.</param>
    public ComplianceAssessment TrackGdprCompliance(object? dataProtectionMeasures, object? consentManagement, bool rightToExplanation = true)
        => Track(ComplianceFrameworkNames.Gdpr, GdprEvidence(dataProtectionMeasures, consentManagement, rightToExplanation));

    /// <inheritdoc cref="TrackGdprCompliance"/>
    /// <param name="dataProtectionMeasures">encryption, anonymization, access_controls.</param>
    /// <param name="consentManagement">explicit_consent, withdrawal_mechanism.</param>
    /// <param name="rightToExplanation">Whether decisions can be explained.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    public ValueTask<ComplianceAssessment> TrackGdprComplianceAsync(object? dataProtectionMeasures, object? consentManagement, bool rightToExplanation = true,
        CancellationToken cancellationToken = default)
        => TrackAsync(ComplianceFrameworkNames.Gdpr, GdprEvidence(dataProtectionMeasures, consentManagement, rightToExplanation), cancellationToken);

    /// <summary>Assesses FDA medical-device AI (reference weights; see <see cref="FdaComplianceFramework"/>).</summary>
    /// <param name="clinicalValidation">clinical_studies, performance_validation.</param>
    /// <param name="safetyMeasures">risk_assessment, monitoring_plan.</param>
    /// <param name="qualityManagement">iso_13485, documentation.</param>
    public ComplianceAssessment TrackFdaCompliance(object? clinicalValidation, object? safetyMeasures, object? qualityManagement)
        => Track(ComplianceFrameworkNames.Fda, Evidence(("clinical_validation", clinicalValidation), ("safety_measures", safetyMeasures), ("quality_management", qualityManagement)));

    /// <inheritdoc cref="TrackFdaCompliance"/>
    /// <param name="clinicalValidation">clinical_studies, performance_validation.</param>
    /// <param name="safetyMeasures">risk_assessment, monitoring_plan.</param>
    /// <param name="qualityManagement">iso_13485, documentation.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    public ValueTask<ComplianceAssessment> TrackFdaComplianceAsync(object? clinicalValidation, object? safetyMeasures, object? qualityManagement,
        CancellationToken cancellationToken = default)
        => TrackAsync(ComplianceFrameworkNames.Fda, Evidence(("clinical_validation", clinicalValidation), ("safety_measures", safetyMeasures), ("quality_management", qualityManagement)), cancellationToken);

    /// <summary>Assesses EEOC hiring fairness from supplied measures (reference weights; see <see cref="EeocComplianceFramework"/>).</summary>
    /// <param name="biasAssessment">disparate_impact (&lt; .2 passes), statistical_parity (&gt; .8 passes).</param>
    /// <param name="fairnessMetrics">equalized_odds (&gt; .8), calibration (&gt; .8).</param>
    /// <param name="protectedClasses">The protected classes assessed (race, gender, age, disability each earn 5 %).</param>
    public ComplianceAssessment TrackEeocCompliance(object? biasAssessment, object? fairnessMetrics, IEnumerable<string>? protectedClasses)
        => Track(ComplianceFrameworkNames.Eeoc, EeocEvidence(biasAssessment, fairnessMetrics, protectedClasses, null));

    /// <summary>
    /// Assesses EEOC hiring fairness from computed <see cref="FairnessMetrics"/>: disparate_impact = 1 − adverse impact ratio,
    /// statistical_parity = 1 − demographic parity difference, equalized_odds = 1 − equalized odds difference (labels needed),
    /// calibration as given (it cannot be computed from hard decisions). The record keeps the whole report, with its per-group
    /// counts, under <c>fairness_analysis</c>.
    /// </summary>
    /// <param name="fairness">The computed metrics.</param>
    /// <param name="protectedClasses">The protected classes assessed.</param>
    /// <param name="calibration">A calibration measure in [0, 1], if you have one (e.g. from scores); otherwise it earns nothing.</param>
    public ComplianceAssessment TrackEeocCompliance(FairnessReport fairness, IEnumerable<string>? protectedClasses, double? calibration = null)
    {
        var (bias, fm) = FromFairness(fairness, calibration);
        return Track(ComplianceFrameworkNames.Eeoc, EeocEvidence(bias, fm, protectedClasses, fairness));
    }

    /// <inheritdoc cref="TrackEeocCompliance(object, object, IEnumerable{string})"/>
    /// <param name="biasAssessment">disparate_impact, statistical_parity.</param>
    /// <param name="fairnessMetrics">equalized_odds, calibration.</param>
    /// <param name="protectedClasses">The protected classes assessed.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    public ValueTask<ComplianceAssessment> TrackEeocComplianceAsync(object? biasAssessment, object? fairnessMetrics, IEnumerable<string>? protectedClasses,
        CancellationToken cancellationToken = default)
        => TrackAsync(ComplianceFrameworkNames.Eeoc, EeocEvidence(biasAssessment, fairnessMetrics, protectedClasses, null), cancellationToken);

    /// <inheritdoc cref="TrackEeocCompliance(FairnessReport, IEnumerable{string}, double?)"/>
    /// <param name="fairness">The computed metrics.</param>
    /// <param name="protectedClasses">The protected classes assessed.</param>
    /// <param name="calibration">A calibration measure, if any.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    public ValueTask<ComplianceAssessment> TrackEeocComplianceAsync(FairnessReport fairness, IEnumerable<string>? protectedClasses, double? calibration = null,
        CancellationToken cancellationToken = default)
    {
        var (bias, fm) = FromFairness(fairness, calibration);
        return TrackAsync(ComplianceFrameworkNames.Eeoc, EeocEvidence(bias, fm, protectedClasses, fairness), cancellationToken);
    }

    /// <summary>Assesses FCRA credit decisions (reference weights; see <see cref="FcraComplianceFramework"/>).</summary>
    /// <param name="accuracyMeasures">precision, recall (each &gt; .8 passes).</param>
    /// <param name="adverseActionProcedures">notice_system, dispute_process.</param>
    /// <param name="dataQuality">completeness, accuracy (each &gt; .9 passes).</param>
    public ComplianceAssessment TrackFcraCompliance(object? accuracyMeasures, object? adverseActionProcedures, object? dataQuality)
        => Track(ComplianceFrameworkNames.Fcra, Evidence(("accuracy_measures", accuracyMeasures), ("adverse_action_procedures", adverseActionProcedures), ("data_quality", dataQuality)));

    /// <inheritdoc cref="TrackFcraCompliance"/>
    /// <param name="accuracyMeasures">precision, recall.</param>
    /// <param name="adverseActionProcedures">notice_system, dispute_process.</param>
    /// <param name="dataQuality">completeness, accuracy.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    public ValueTask<ComplianceAssessment> TrackFcraComplianceAsync(object? accuracyMeasures, object? adverseActionProcedures, object? dataQuality,
        CancellationToken cancellationToken = default)
        => TrackAsync(ComplianceFrameworkNames.Fcra, Evidence(("accuracy_measures", accuracyMeasures), ("adverse_action_procedures", adverseActionProcedures), ("data_quality", dataQuality)), cancellationToken);

    /// <summary>Assesses the HIPAA Security Rule (see <see cref="HipaaComplianceFramework"/> for keys and weights).</summary>
    /// <param name="administrativeSafeguards">risk_analysis, workforce_training, business_associate_agreements.</param>
    /// <param name="technicalSafeguards">access_control, unique_user_ids, audit_controls, integrity_controls, transmission_security, encryption.</param>
    /// <param name="documentation">retention_years (at least 6).</param>
    public ComplianceAssessment TrackHipaaCompliance(object? administrativeSafeguards, object? technicalSafeguards, object? documentation)
        => Track(ComplianceFrameworkNames.Hipaa, Evidence(("administrative_safeguards", administrativeSafeguards), ("technical_safeguards", technicalSafeguards), ("documentation", documentation)));

    /// <inheritdoc cref="TrackHipaaCompliance"/>
    /// <param name="administrativeSafeguards">risk_analysis, workforce_training, business_associate_agreements.</param>
    /// <param name="technicalSafeguards">access_control, unique_user_ids, audit_controls, integrity_controls, transmission_security, encryption.</param>
    /// <param name="documentation">retention_years.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    public ValueTask<ComplianceAssessment> TrackHipaaComplianceAsync(object? administrativeSafeguards, object? technicalSafeguards, object? documentation,
        CancellationToken cancellationToken = default)
        => TrackAsync(ComplianceFrameworkNames.Hipaa, Evidence(("administrative_safeguards", administrativeSafeguards), ("technical_safeguards", technicalSafeguards), ("documentation", documentation)), cancellationToken);

    /// <summary>Assesses ISO 13485:2016 (see <see cref="Iso13485ComplianceFramework"/> for keys and weights).</summary>
    /// <param name="qualityManagementSystem">document_control, record_control.</param>
    /// <param name="productRealization">design_controls, risk_management (ISO 14971), software_lifecycle (IEC 62304), traceability.</param>
    /// <param name="measurementAnalysisImprovement">capa, post_market_surveillance.</param>
    public ComplianceAssessment TrackIso13485Compliance(object? qualityManagementSystem, object? productRealization, object? measurementAnalysisImprovement)
        => Track(ComplianceFrameworkNames.Iso13485, Evidence(("quality_management_system", qualityManagementSystem), ("product_realization", productRealization), ("measurement_analysis_improvement", measurementAnalysisImprovement)));

    /// <inheritdoc cref="TrackIso13485Compliance"/>
    /// <param name="qualityManagementSystem">document_control, record_control.</param>
    /// <param name="productRealization">design_controls, risk_management, software_lifecycle, traceability.</param>
    /// <param name="measurementAnalysisImprovement">capa, post_market_surveillance.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    public ValueTask<ComplianceAssessment> TrackIso13485ComplianceAsync(object? qualityManagementSystem, object? productRealization, object? measurementAnalysisImprovement,
        CancellationToken cancellationToken = default)
        => TrackAsync(ComplianceFrameworkNames.Iso13485, Evidence(("quality_management_system", qualityManagementSystem), ("product_realization", productRealization), ("measurement_analysis_improvement", measurementAnalysisImprovement)), cancellationToken);

    /// <summary>Assesses evidence with a registered framework (built-in or custom), by name (case-insensitive).</summary>
    /// <param name="frameworkName">The framework.</param>
    /// <param name="evidence">The evidence object (anonymous object, dictionary, JSON), as the framework reads it.</param>
    /// <exception cref="ArgumentException">No framework of that name is registered, or the evidence is not an object.</exception>
    public ComplianceAssessment TrackCompliance(string frameworkName, object? evidence)
        => Track(frameworkName, EvidenceReader.ToJsonObject(evidence, nameof(evidence)));

    /// <inheritdoc cref="TrackCompliance"/>
    /// <param name="frameworkName">The framework.</param>
    /// <param name="evidence">The evidence object.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    public ValueTask<ComplianceAssessment> TrackComplianceAsync(string frameworkName, object? evidence, CancellationToken cancellationToken = default)
        => TrackAsync(frameworkName, EvidenceReader.ToJsonObject(evidence, nameof(evidence)), cancellationToken);

    /// <summary>
    /// Assesses the EU AI Act (see <see cref="EuAiActComplianceFramework"/>): gathers the store's evidence about this
    /// manager's model version — the ledger, the Art. 12 events, the validation metrics against
    /// <c>declared.performance_thresholds</c>, the Annex IV coverage, the monitoring plan and its recent checks, the
    /// incidents and their deadlines — and scores it with what <paramref name="declared"/> states. Each finding says
    /// whether it is <c>evidenced</c> or <c>declared</c> and where it maps in ISO/IEC 42001 and the NIST AI RMF.
    /// Declared facts already in the store (<c>risk_management</c>, <c>instructions_for_use</c>, <c>oversight_assessment</c>,
    /// <c>cybersecurity</c>) answer their requirements when <paramref name="declared"/> does not.
    /// </summary>
    /// <param name="declared">What the provider states: <c>risk_management_system</c>, <c>instructions_for_use</c>,
    /// <c>human_oversight_measures</c>, <c>cybersecurity_measures</c>, <c>quality_management_system</c> (truthy when in place)
    /// and <c>performance_thresholds</c> (<c>{"accuracy": 0.8, …}</c>: the validation metrics must reach them).</param>
    /// <param name="options">The periods the evidence is read over, and the clock.</param>
    public ComplianceAssessment TrackEuAiActCompliance(object? declared, EuAiActAssessmentOptions? options = null) =>
        Storage.SyncOverAsync.Run(TrackEuAiActComplianceAsync(declared, options));

    /// <inheritdoc cref="TrackEuAiActCompliance"/>
    /// <param name="declared">What the provider states.</param>
    /// <param name="options">The periods and the clock.</param>
    /// <param name="cancellationToken">Cancels the reads and the save.</param>
    public async ValueTask<ComplianceAssessment> TrackEuAiActComplianceAsync(object? declared, EuAiActAssessmentOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        if (Evidence(("declared", declared))["declared"] is not JsonObject statements)
        {
            throw new ArgumentException("The declared facts must be an object (anonymous object, dictionary or JSON object).", nameof(declared));
        }
        var store = await Governance.AiActEvidence.CollectAsync(Manager.Storage, Manager.ModelName, Manager.ModelVersion, statements,
            options ?? new EuAiActAssessmentOptions(), cancellationToken).ConfigureAwait(false);
        var evidence = new JsonObject { ["declared"] = statements.DeepClone(), ["store_evidence"] = store };
        return await TrackAsync(ComplianceFrameworkNames.EuAiAct, evidence, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The mean of the latest score of each framework tracked (0 when none was).</summary>
    public double GetOverallComplianceScore()
    {
        var scores = ComplianceScores;
        // Summed in tracking order, as the reference sums its dict's values.
        return scores.Count == 0 ? 0.0 : scores.Values.Sum() / scores.Count;
    }

    /// <summary>The report: per framework tracked, the latest score, pass/fail, findings and history.</summary>
    public ComplianceReport GenerateComplianceReport()
    {
        List<FrameworkComplianceSummary> frameworks;
        lock (_lock)
        {
            frameworks = _order.Select(n =>
            {
                var history = _history[n].ToArray();
                var latest = history[^1];
                return new FrameworkComplianceSummary(latest.Framework, latest.Score, latest.Passed, latest.Findings, history);
            }).ToList();
        }
        return new ComplianceReport
        {
            ModelName = Manager.ModelName,
            ModelVersion = Manager.ModelVersion,
            GeneratedAt = PythonTimestamp.Now(),
            OverallScore = GetOverallComplianceScore(),
            Threshold = Manager.ComplianceScoreThreshold,
            Frameworks = frameworks,
        };
    }

    /// <summary>Waits for the webhook deliveries started so far (each bounded by its total timeout). For shutdown and tests.</summary>
    /// <param name="cancellationToken">Stops waiting (the deliveries go on).</param>
    public Task FlushAlertsAsync(CancellationToken cancellationToken = default)
        => _webhook?.WhenIdleAsync(cancellationToken) ?? Task.CompletedTask;

    private ComplianceAssessment Track(string frameworkName, JsonObject evidence)
    {
        var (framework, evaluation, data) = Evaluate(frameworkName, evidence);
        var id = Manager.LogComplianceCheck(framework.Name, data);
        return Record(framework, evaluation, id);
    }

    private async ValueTask<ComplianceAssessment> TrackAsync(string frameworkName, JsonObject evidence, CancellationToken cancellationToken)
    {
        var (framework, evaluation, data) = Evaluate(frameworkName, evidence);
        var id = await Manager.LogComplianceCheckAsync(framework.Name, data, cancellationToken: cancellationToken).ConfigureAwait(false);
        return Record(framework, evaluation, id);
    }

    private (ComplianceFramework Framework, ComplianceEvaluation Evaluation, JsonObject Data) Evaluate(string frameworkName, JsonObject evidence)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(frameworkName);
        ComplianceFramework? framework;
        lock (_lock)
        {
            _frameworks.TryGetValue(frameworkName, out framework);
        }
        if (framework is null)
        {
            throw new ArgumentException($"No compliance framework named '{frameworkName}' is registered; registered: {string.Join(", ", Frameworks.Order(StringComparer.Ordinal))}.", nameof(frameworkName));
        }
        // Frameworks read the evidence only; the score, date and findings are added around it.
        foreach (var reserved in (string[])["compliance_score", "assessment_date", "findings"])
        {
            evidence.Remove(reserved);
        }
        var evaluation = framework.Assess((JsonObject)evidence.DeepClone());
        double score = Math.Clamp(evaluation.Score, 0.0, 1.0);
        if (double.IsNaN(evaluation.Score))
        {
            throw new InvalidOperationException($"Framework '{framework.Name}' returned a NaN score.");
        }
        // The reference's layout: {compliance_score, <the inputs>, assessment_date}; then the findings.
        var data = new JsonObject { ["compliance_score"] = score };
        foreach (var (key, value) in evidence.ToList())
        {
            evidence.Remove(key);
            data[key] = value;
        }
        data["assessment_date"] = PythonTimestamp.Format(PythonTimestamp.Now());
        data["findings"] = new JsonArray(evaluation.Findings.Select(f => (JsonNode)f.ToJson()).ToArray());
        return (framework, evaluation with { Score = score }, data);
    }

    private ComplianceAssessment Record(ComplianceFramework framework, ComplianceEvaluation evaluation, string metadataId)
    {
        double threshold = Manager.ComplianceScoreThreshold;
        var assessment = new ComplianceAssessment(framework.Name, evaluation.Score, evaluation.Score >= threshold, metadataId, evaluation.Findings)
        {
            Threshold = threshold,
            ModelName = Manager.ModelName,
            ModelVersion = Manager.ModelVersion,
            AssessedAt = PythonTimestamp.Now(),
        };
        lock (_lock)
        {
            if (!_history.TryGetValue(framework.Name, out var list))
            {
                _history[framework.Name] = list = [];
                _order.Add(framework.Name);
            }
            list.Add(assessment);
        }
        if (!assessment.Passed && _alertOnFailure)
        {
            Alert(assessment);
        }
        return assessment;
    }

    private void Alert(ComplianceAssessment assessment)
    {
        try
        {
            ComplianceFailed?.Invoke(this, new ComplianceFailedEventArgs(assessment));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _logger.LogError(ex, "A ComplianceFailed handler threw for {Framework} ({MetadataId})", assessment.Framework, assessment.MetadataId);
        }
        try
        {
            _webhook?.Post(assessment);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _logger.LogError(ex, "Could not start the compliance alert webhook for {Framework}", assessment.Framework);
        }
    }

    private static JsonObject GdprEvidence(object? dataProtectionMeasures, object? consentManagement, bool rightToExplanation)
    {
        var e = Evidence(("data_protection_measures", dataProtectionMeasures), ("consent_management", consentManagement));
        e["right_to_explanation"] = rightToExplanation;
        return e;
    }

    private static JsonObject EeocEvidence(object? biasAssessment, object? fairnessMetrics, IEnumerable<string>? protectedClasses, FairnessReport? fairness)
    {
        var e = Evidence(("bias_assessment", biasAssessment), ("fairness_metrics", fairnessMetrics));
        e["protected_classes"] = new JsonArray((protectedClasses ?? []).Select(c => (JsonNode?)JsonValue.Create(c)).ToArray());
        if (fairness is not null)
        {
            e["fairness_analysis"] = fairness.ToJson();
        }
        return e;
    }

    private static (JsonObject Bias, JsonObject Fairness) FromFairness(FairnessReport fairness, double? calibration)
    {
        ArgumentNullException.ThrowIfNull(fairness);
        var bias = new JsonObject
        {
            ["disparate_impact"] = 1.0 - fairness.AdverseImpactRatio,
            ["statistical_parity"] = 1.0 - fairness.DemographicParityDifference,
        };
        var fm = new JsonObject();
        if (fairness.EqualizedOddsDifference is double eo)
        {
            fm["equalized_odds"] = 1.0 - eo;
        }
        if (calibration is double c)
        {
            fm["calibration"] = c;
        }
        return (bias, fm);
    }

    private static JsonObject Evidence(params (string Key, object? Value)[] parts)
    {
        var e = new JsonObject();
        foreach (var (key, value) in parts)
        {
            try
            {
                e[key] = EvidenceReader.ToJsonNode(value) ?? new JsonObject();
            }
            catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
            {
                throw new ArgumentException($"The evidence '{key}' cannot be serialized: {ex.Message}", key, ex);
            }
        }
        return e;
    }
}
