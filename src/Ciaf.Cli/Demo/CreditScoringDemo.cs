using System.Diagnostics;
using System.Security.Cryptography;
using Ciaf.Metadata;
using Ciaf.Metadata.Capture;
using Ciaf.Metadata.Compliance;
using Ciaf.Metadata.Integration;
using Microsoft.ML;
using Microsoft.ML.Trainers;

namespace Ciaf.Cli.Demo;

/// <summary>What the demo runs: sizes and the seed.</summary>
internal sealed record DemoOptions
{
    public int Rows { get; init; } = 8000;

    public int Batches { get; init; } = 6;

    public int BatchSize { get; init; } = 500;

    public int Seed { get; init; } = 42;
}

/// <summary>What the demo produced, for printing.</summary>
internal sealed record DemoResult(
    string ModelName, string ModelVersion, int TrainingRows, int TestRows, double Accuracy, double Auc, double F1,
    double Precision, double Recall, double Calibration, FairnessReport GenderFairness, FairnessReport AgeFairness,
    IReadOnlyDictionary<string, double> Psi, int Predictions, double LiveApprovalRate, double TrainingApprovalRate,
    ComplianceReport Report, string ArtifactPath, string ExportPath, TimeSpan Elapsed)
{
    /// <summary>The EU AI Act steps' outcome (monitoring check, incident).</summary>
    public GovernanceOutcome? Governance { get; init; }
}

/// <summary>
/// A credit-scoring pipeline, end to end, recorded through <see cref="ModelMetadataManager"/>, capture scopes and a
/// <see cref="ComplianceTracker"/>: synthetic applications with protected attributes → cleaning → a logistic
/// regression trained with ML.NET → validation on a held-out split (accuracy, AUC, F1, calibration, fairness) →
/// deployment of the model file → batches of live inference under a drifting economy → drift monitoring (PSI) →
/// GDPR, FCRA and EEOC assessments from the pipeline's own evidence.
/// </summary>
internal sealed class CreditScoringDemo(MetadataStorage storage, DemoOptions options, Action<string> step)
{
    public const string ModelName = "credit_scoring_demo";
    public const string ModelVersion = "1.0.0";
    public const double DecisionThreshold = 0.5;

    public async Task<DemoResult> RunAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var ml = new MLContext(seed: options.Seed);
        var manager = new ModelMetadataManager(ModelName, ModelVersion, storage);
        var tracker = new ComplianceTracker(manager, new ComplianceTrackerOptions { AlertOnComplianceFailure = false });
        var generator = new CreditDataGenerator(options.Seed);

        // 1. Ingestion.
        step("Generating applications");
        var raw = generator.Generate(options.Rows, drift: 0, missingRate: 0.02, invalidRate: 0.004);
        await manager.LogDataIngestionAsync(new
        {
            source = "synthetic_credit_bureau",
            rows = raw.Count,
            columns = CreditApplicant.FeatureColumns.Length + 4,
            features = CreditApplicant.FeatureColumns,
            label = "repaid",
            positive_rate = Math.Round(raw.Average(r => r.Label ? 1.0 : 0.0), 4),
            protected_attributes = new[] { "gender", "age_group" },
            protected_attributes_used_as_features = false,
            seed = options.Seed,
            contains_personal_data = true,
            pseudonymized_ids = true,
        }, "Synthetic applications with protected attributes (gender, age group) kept out of the features", cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();

        // 2. Preprocessing, captured as a scope around the cleaning function.
        step("Cleaning data");
        var (clean, cleaning) = MetadataCapture.Run(ModelName, PipelineStages.DataPreprocessing, "data_cleaning",
            () => Clean(raw), parameters: new { impute = "median", drop_invalid_income = true }, storage: storage,
            details: "Drop invalid incomes, impute missing employment years");
        await manager.LogDataPreprocessingAsync(new
        {
            rows_in = raw.Count,
            rows_out = clean.Count,
            dropped_invalid = cleaning.Dropped,
            imputed_missing = cleaning.Imputed,
            completeness = cleaning.Completeness,
            accuracy = cleaning.Validity,
            steps = new[] { "drop_invalid_income", "impute_median(employment_years)", "normalize_min_max" },
        }, cancellationToken: cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();

        // 3. Training.
        step("Training the classifier (ML.NET)");
        var split = ml.Data.TrainTestSplit(ml.Data.LoadFromEnumerable(clean), testFraction: 0.2, seed: options.Seed);
        var train = ml.Data.CreateEnumerable<CreditApplicant>(split.TrainSet, reuseRowObject: false).ToList();
        var hyperparameters = new { l1_regularization = 0.01, l2_regularization = 0.1, optimization_tolerance = 1e-7, history_size = 20 };
        var pipeline = ml.Transforms.Concatenate("Features", CreditApplicant.FeatureColumns)
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options
            {
                L1Regularization = 0.01f,
                L2Regularization = 0.1f,
                OptimizationTolerance = 1e-7f,
                HistorySize = 20,
                NumberOfThreads = 1,
            }));
        await manager.LogTrainingStartAsync(new
        {
            algorithm = "LbfgsLogisticRegression",
            framework = "ML.NET " + typeof(MLContext).Assembly.GetName().Version,
            hyperparameters,
            training_samples = train.Count,
            validation_samples = clean.Count - train.Count,
            features = CreditApplicant.FeatureColumns,
        }, cancellationToken: cancellationToken).ConfigureAwait(false);
        var fitClock = Stopwatch.StartNew();
        ITransformer model;
        float[] weights;
        using (var capture = new MetadataCapture(ModelName, PipelineStages.Training, "model_fit", storage, "ML.NET Fit on the training split"))
        {
            var fitted = pipeline.Fit(split.TrainSet);
            weights = [.. fitted.LastTransformer.Model.SubModel.Weights];
            model = fitted;
            capture.AddMetadata("training_samples", train.Count);
            capture.AddMetadata("bias", fitted.LastTransformer.Model.SubModel.Bias);
        }
        double fitSeconds = fitClock.Elapsed.TotalSeconds;
        var scales = Enumerable.Range(0, weights.Length).Select(i => train.Max(r => Math.Abs(r.Feature(i)))).Select(m => m == 0 ? 1f : m).ToArray();
        var means = Enumerable.Range(0, weights.Length).Select(i => train.Average(r => (double)r.Feature(i))).ToArray();
        var importance = CreditApplicant.FeatureColumns.Select((f, i) => new { feature = Snake(f), weight = Math.Round(weights[i], 4), importance = Math.Abs(weights[i]) })
            .OrderByDescending(x => x.importance).ToList();
        double total = importance.Sum(x => x.importance);
        var trainPredictions = Predict(ml, model, split.TrainSet);
        await manager.LogTrainingCompleteAsync(new
        {
            training_time_seconds = Math.Round(fitSeconds, 3),
            training_accuracy = Math.Round(trainPredictions.Average(p => p.Approved == p.Label ? 1.0 : 0.0), 4),
            feature_importance = importance.Select(x => new { x.feature, x.weight, importance = Math.Round(x.importance / total, 4) }),
        }, cancellationToken: cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();

        // 4. Validation on the held-out split, with fairness computed from the model's own decisions.
        step("Validating (accuracy, AUC, F1, fairness)");
        var scored = model.Transform(split.TestSet);
        var metrics = ml.BinaryClassification.Evaluate(scored);
        var test = Predict(ml, model, split.TestSet);
        double calibration = 1 - ExpectedCalibrationError(test);
        var gender = FairnessMetrics.Compute(test, p => p.Gender, p => p.Approved, p => p.Label);
        var age = FairnessMetrics.Compute(test, p => p.AgeGroup, p => p.Approved, p => p.Label);
        await manager.LogValidationAsync(new
        {
            test_samples = test.Count,
            accuracy = Math.Round(metrics.Accuracy, 4),
            auc_roc = Math.Round(metrics.AreaUnderRocCurve, 4),
            f1_score = Math.Round(metrics.F1Score, 4),
            precision = Math.Round(metrics.PositivePrecision, 4),
            recall = Math.Round(metrics.PositiveRecall, 4),
            log_loss = Math.Round(metrics.LogLoss, 4),
            calibration = Math.Round(calibration, 4),
            decision_threshold = DecisionThreshold,
            fairness = new { gender = gender.ToJson(), age_group = age.ToJson() },
        }, "Held-out 20% split", cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();

        // 5. Deployment: the model file next to the store, identified by its hash.
        step("Deploying the model");
        string artifacts = Path.Combine(storage.StoragePath, "artifacts");
        Directory.CreateDirectory(artifacts);
        string artifact = Path.Combine(artifacts, $"{ModelName}-{ModelVersion}.zip");
        ml.Model.Save(model, split.TrainSet.Schema, artifact);
        string artifactHash = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(artifact)));
        await manager.LogDeploymentAsync(new
        {
            environment = "staging",
            artifact = Path.GetRelativePath(storage.StoragePath, artifact),
            artifact_sha256 = artifactHash,
            artifact_bytes = new FileInfo(artifact).Length,
            serving = "ML.NET batch scoring",
            decision_threshold = DecisionThreshold,
            monitoring = new { drift_metric = "psi", moderate = PopulationStability.ModerateShift, significant = PopulationStability.SignificantShift },
        }, "Deployed to staging", cancellationToken).ConfigureAwait(false);

        // 6. Inference: batches of new applicants while the economy worsens (drift grows batch by batch).
        step("Scoring live batches");
        var live = new List<CreditApplicant>();
        var livePredictions = new List<CreditPrediction>();
        for (int b = 0; b < options.Batches; b++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            double drift = options.Batches == 1 ? 0.5 : 0.9 * b / (options.Batches - 1);
            var batch = generator.Generate(options.BatchSize, drift);
            await using var capture = new MetadataCapture(ModelName, PipelineStages.Inference, "batch_prediction", storage, $"Batch {b + 1} of {options.Batches}");
            var batchClock = Stopwatch.StartNew();
            var predictions = Predict(ml, model, ml.Data.LoadFromEnumerable(batch));
            double latency = batchClock.Elapsed.TotalMilliseconds;
            live.AddRange(batch);
            livePredictions.AddRange(predictions);
            await GovernanceDemo.RecordBatchAsync(manager, capture, b + 1, batch, predictions, train, cancellationToken).ConfigureAwait(false);
            var reasons = DeclineReasons(batch, predictions, weights, means, scales);
            capture.UpdateMetadata(new
            {
                batch_number = b + 1,
                batch_size = batch.Count,
                approved = predictions.Count(p => p.Approved),
                approval_rate = Math.Round(predictions.Average(p => p.Approved ? 1.0 : 0.0), 4),
                mean_probability = Math.Round(predictions.Average(p => p.Probability), 4),
                approval_rate_by_gender = predictions.GroupBy(p => p.Gender).OrderBy(g => g.Key, StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g => Math.Round(g.Average(p => p.Approved ? 1.0 : 0.0), 4)),
                latency_ms = Math.Round(latency, 2),
                adverse_action_reasons = reasons,
            });
            // A sample of individual decisions, as the seed's inference records.
            foreach (var p in predictions.Take(3))
            {
                await manager.LogInferenceAsync(new
                {
                    request_id = p.ApplicantId,
                    input_features = CreditApplicant.FeatureColumns.Length,
                    prediction = p.Approved ? "approved" : "declined",
                    confidence = Math.Round(p.Approved ? p.Probability : 1 - p.Probability, 4),
                    processing_time_ms = Math.Round(latency / batch.Count, 3),
                    model_version = ModelVersion,
                    feature_values_hash = FeatureHash(batch.First(a => a.ApplicantId == p.ApplicantId)),
                }, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }

        // 7. Monitoring: PSI of every feature and of the score, training vs live.
        step("Monitoring drift (PSI)");
        var psi = new SortedDictionary<string, double>(StringComparer.Ordinal);
        for (int i = 0; i < CreditApplicant.FeatureColumns.Length; i++)
        {
            int index = i;
            psi[Snake(CreditApplicant.FeatureColumns[i])] = Math.Round(PopulationStability.Index(
                [.. train.Select(r => r.Feature(index))], [.. live.Select(r => r.Feature(index))]), 4);
        }
        psi["score"] = Math.Round(PopulationStability.Index([.. trainPredictions.Select(p => p.Probability)], [.. livePredictions.Select(p => p.Probability)]), 4);
        double maxPsi = psi.Values.Max();
        double trainingApproval = trainPredictions.Average(p => p.Approved ? 1.0 : 0.0);
        double liveApproval = livePredictions.Average(p => p.Approved ? 1.0 : 0.0);
        await manager.LogMonitoringAsync(new
        {
            metric = "population_stability_index",
            reference = "training split",
            live_samples = live.Count,
            psi,
            max_psi = maxPsi,
            drift_detected = maxPsi >= PopulationStability.ModerateShift,
            drift_level = PopulationStability.Level(maxPsi),
            drifted_features = psi.Where(kv => kv.Value >= PopulationStability.ModerateShift).Select(kv => kv.Key).ToArray(),
            approval_rate_training = Math.Round(trainingApproval, 4),
            approval_rate_live = Math.Round(liveApproval, 4),
            action = maxPsi >= PopulationStability.SignificantShift ? "retraining recommended" : maxPsi >= PopulationStability.ModerateShift ? "investigate" : "none",
        }, $"Drift {PopulationStability.Level(maxPsi)} (max PSI {maxPsi:0.###})", cancellationToken).ConfigureAwait(false);

        var governance = await new GovernanceDemo(storage, manager, step).RunAsync(maxPsi, cancellationToken).ConfigureAwait(false);

        // 8. Compliance from the pipeline's own evidence.
        step("Assessing GDPR, FCRA, EEOC and EU AI Act compliance");
        await tracker.TrackGdprComplianceAsync(
            dataProtectionMeasures: new { encryption = false, anonymization = true, access_controls = true, note = "metadata store not encrypted in the demo" },
            consentManagement: new { explicit_consent = true, withdrawal_mechanism = true },
            rightToExplanation: true, cancellationToken: cancellationToken).ConfigureAwait(false);
        await tracker.TrackFcraComplianceAsync(
            accuracyMeasures: new { precision = Math.Round(metrics.PositivePrecision, 4), recall = Math.Round(metrics.PositiveRecall, 4), auc_roc = Math.Round(metrics.AreaUnderRocCurve, 4) },
            adverseActionProcedures: new { notice_system = true, dispute_process = true, reason_codes = "top negative feature contributions per declined applicant" },
            dataQuality: new { completeness = cleaning.Completeness, accuracy = cleaning.Validity },
            cancellationToken: cancellationToken).ConfigureAwait(false);
        await tracker.TrackEeocComplianceAsync(gender, ["gender", "age"], Math.Round(calibration, 4), cancellationToken).ConfigureAwait(false);
        await tracker.TrackEuAiActComplianceAsync(GovernanceDemo.Declared, cancellationToken: cancellationToken).ConfigureAwait(false);
        var report = tracker.GenerateComplianceReport();

        // 9. Export.
        step("Exporting");
        await storage.FlushAsync(cancellationToken).ConfigureAwait(false);
        string export = await storage.ExportMetadataAsync(ModelName, "json", cancellationToken: cancellationToken).ConfigureAwait(false);

        return new DemoResult(ModelName, ModelVersion, train.Count, test.Count, metrics.Accuracy, metrics.AreaUnderRocCurve, metrics.F1Score,
            metrics.PositivePrecision, metrics.PositiveRecall, calibration, gender, age, psi, livePredictions.Count, liveApproval, trainingApproval,
            report, artifact, export, clock.Elapsed) { Governance = governance };
    }

    private sealed record CleaningSummary(int Dropped, int Imputed, double Completeness, double Validity);

    private static (List<CreditApplicant> Rows, CleaningSummary Summary) Clean(List<CreditApplicant> raw)
    {
        int missing = raw.Count(r => float.IsNaN(r.EmploymentYears));
        var valid = raw.Where(r => r.AnnualIncome > 0).ToList();
        var known = valid.Where(r => !float.IsNaN(r.EmploymentYears)).Select(r => r.EmploymentYears).Order().ToList();
        float median = known.Count == 0 ? 0 : known[known.Count / 2];
        int imputed = 0;
        foreach (var r in valid.Where(r => float.IsNaN(r.EmploymentYears)))
        {
            r.EmploymentYears = median;
            imputed++;
        }
        double cells = raw.Count * (double)CreditApplicant.FeatureColumns.Length;
        return (valid, new CleaningSummary(raw.Count - valid.Count, imputed,
            Math.Round(1 - missing / cells, 4), Math.Round(valid.Count / (double)raw.Count, 4)));
    }

    private static List<CreditPrediction> Predict(MLContext ml, ITransformer model, IDataView data) =>
        ml.Data.CreateEnumerable<CreditPrediction>(model.Transform(data), reuseRowObject: false).ToList();

    /// <summary>1 − ECE: how closely predicted probabilities match observed repayment rates, over ten bins.</summary>
    private static double ExpectedCalibrationError(IReadOnlyList<CreditPrediction> predictions)
    {
        double ece = 0;
        foreach (var bin in predictions.GroupBy(p => Math.Min(9, (int)(p.Probability * 10))))
        {
            double confidence = bin.Average(p => p.Probability);
            double observed = bin.Average(p => p.Label ? 1.0 : 0.0);
            ece += bin.Count() / (double)predictions.Count * Math.Abs(confidence - observed);
        }
        return ece;
    }

    /// <summary>FCRA adverse-action reasons: for each declined applicant, the feature that pulled the score down most.</summary>
    private static Dictionary<string, int> DeclineReasons(List<CreditApplicant> batch, List<CreditPrediction> predictions,
        float[] weights, double[] means, float[] scales)
    {
        var reasons = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < batch.Count; i++)
        {
            if (predictions[i].Approved) continue;
            int worst = Enumerable.Range(0, weights.Length).MinBy(f => weights[f] * (batch[i].Feature(f) - means[f]) / scales[f]);
            string name = Snake(CreditApplicant.FeatureColumns[worst]);
            reasons[name] = reasons.GetValueOrDefault(name) + 1;
        }
        return reasons.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(kv => kv.Key, kv => kv.Value);
    }

    private static string FeatureHash(CreditApplicant a) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
        string.Join('|', Enumerable.Range(0, CreditApplicant.FeatureColumns.Length).Select(i => a.Feature(i).ToString("R", System.Globalization.CultureInfo.InvariantCulture))))));

    private static string Snake(string name) => string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
