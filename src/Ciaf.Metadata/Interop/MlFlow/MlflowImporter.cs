using System.Text.Json.Nodes;
using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Transfer;
using Microsoft.Extensions.Logging;

namespace Ciaf.Metadata.Interop.MlFlow;

/// <summary>
/// Imports the runs of an MLflow file store: each run one record (stage <c>training</c>, event <c>mlflow_run</c>), saved
/// as any new record is (names checked, validators run, sensitive fields encrypted, size limited, hashed) but with an id
/// derived from the run id and the run's start time as its timestamp. A run already imported, unchanged, is skipped; one
/// that changed since is reported and left as it was. See <c>MetadataStorage.ImportMlflow</c> and docs/interop.md.
/// </summary>
internal sealed class MlflowImporter(StoreCore core)
{
    /// <summary>The stage of every imported run.</summary>
    public const string Stage = PipelineStages.Training;

    /// <summary>The event type of every imported run.</summary>
    public const string EventType = "mlflow_run";

    /// <summary>A run tag naming the model its record belongs to (default: the experiment's name).</summary>
    public const string ModelNameTag = "ciaf.model_name";

    /// <summary>A run tag naming the model version of its record (default: <c>1.0.0</c>).</summary>
    public const string ModelVersionTag = "ciaf.model_version";

    /// <summary>The record id of an MLflow run: the name-based UUID of <c>mlflow-run:&lt;run id&gt;</c>.</summary>
    public static string RecordId(string runId) => NameBasedUuid.Create("mlflow-run:" + runId).ToString("D");

    public async ValueTask<ImportResult> ImportAsync(string path, bool includeDeleted, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        core.ThrowIfDisposed();
        string root = Path.GetFullPath(path);
        int imported = 0, skipped = 0, excluded = 0;
        var mismatched = new List<ImportIssue>();
        var errors = new List<ImportIssue>();
        var batch = new Dictionary<string, MetadataRecord>(StringComparer.Ordinal);
        var counter = new ProgressCounter(progress);

        async ValueTask WriteBatchAsync()
        {
            if (batch.Count == 0) return;
            await core.WriteAsync(WriteBatch.Of([.. batch.Values]), cancellationToken).ConfigureAwait(false);
            imported += batch.Count;
            batch.Clear();
        }

        foreach (var entry in MlflowFileStore.Read(root, includeDeleted))
        {
            cancellationToken.ThrowIfCancellationRequested();
            counter.Add();
            if (entry.Deleted)
            {
                excluded++;
                continue;
            }
            if (entry.Run is not { } run)
            {
                errors.Add(new ImportIssue(entry.RunId, entry.Path, entry.Problem!));
                continue;
            }
            string id = RecordId(run.RunId);
            var metadata = Metadata(run);
            MetadataRecord record;
            try
            {
                // A copy: the save path may encrypt its payload in place, and the plaintext is compared below.
                record = core.BuildRecord(Entry(run, metadata.DeepClone().AsObject()), null, id, DateTimeOffset.FromUnixTimeMilliseconds(run.StartTime));
            }
            catch (Exception ex) when (ex is ArgumentException or MetadataValidationException)
            {
                errors.Add(new ImportIssue(run.RunId, run.Path, ex.Message));
                continue;
            }
            var existing = batch.GetValueOrDefault(id) ?? await core.GetKnownAsync(id, cancellationToken).ConfigureAwait(false);
            if (existing is not null)
            {
                if (Same(core.Decrypt(existing), record, metadata)) skipped++;
                else mismatched.Add(new ImportIssue(run.RunId, run.Path,
                    $"the store already holds a different record ({id}) for this run: it changed in MLflow since it was imported; the record was left unchanged"));
                continue;
            }
            batch[id] = record;
            if (batch.Count >= core.Options.ExportBatchSize) await WriteBatchAsync().ConfigureAwait(false);
        }
        await WriteBatchAsync().ConfigureAwait(false);
        await core.FlushAsync(cancellationToken).ConfigureAwait(false);
        counter.Complete();
        core.Logger.LogInformation("Imported {Imported} MLflow run(s) from {Path}: {Skipped} already present, {Excluded} deleted left out, {Mismatched} changed, {Errors} error(s)",
            imported, root, skipped, excluded, mismatched.Count, errors.Count);
        if (core.Options.AuditAllAccess)
        {
            core.Audit(AuditActions.Import, null, new JsonObject
            {
                ["path"] = root, ["source"] = "mlflow", ["imported"] = imported, ["skipped"] = skipped, ["mismatched"] = mismatched.Count,
                ["errors"] = errors.Count, ["excluded_deleted"] = excluded,
            });
        }
        return new ImportResult
        {
            Path = root,
            Imported = imported,
            Skipped = skipped,
            ExcludedDeleted = excluded,
            Mismatched = mismatched,
            Errors = errors,
        };
    }

    private static MetadataEntry Entry(MlflowRun run, JsonObject metadata) => new(
        run.Tags.GetValueOrDefault(ModelNameTag) ?? run.ExperimentName,
        Stage,
        EventType,
        metadata,
        run.Tags.GetValueOrDefault(ModelVersionTag),
        $"MLflow run '{run.RunName}' ({run.RunId}) of experiment '{run.ExperimentName}' ({run.ExperimentId})");

    /// <summary>The record's metadata: the run's fields, every param and tag as MLflow stores them (strings), the latest value of each metric and every point.</summary>
    internal static JsonObject Metadata(MlflowRun run)
    {
        var latest = new SortedDictionary<string, MlflowMetricPoint>(StringComparer.Ordinal);
        foreach (var point in run.MetricHistory)
        {
            if (!latest.TryGetValue(point.Key, out var current) || point.IsLaterThan(current)) latest[point.Key] = point;
        }
        var parameters = new JsonObject();
        foreach (var (key, value) in run.Params) parameters[key] = value;
        var metrics = new JsonObject();
        foreach (var (key, point) in latest) metrics[key] = point.Value;
        var history = new JsonArray();
        foreach (var point in run.MetricHistory)
        {
            history.Add(new JsonObject { ["key"] = point.Key, ["value"] = point.Value, ["step"] = point.Step, ["timestamp"] = point.Timestamp });
        }
        var tags = new JsonObject();
        foreach (var (key, value) in run.Tags) tags[key] = value;
        return new JsonObject
        {
            ["run_id"] = run.RunId,
            ["run_name"] = run.RunName,
            ["experiment_id"] = run.ExperimentId,
            ["experiment_name"] = run.ExperimentName,
            ["status"] = run.Status,
            ["lifecycle_stage"] = run.LifecycleStage,
            ["start_time"] = run.StartTime,
            ["end_time"] = run.EndTime,
            ["user"] = run.User,
            ["artifact_uri"] = run.ArtifactUri,
            ["params"] = parameters,
            ["metrics"] = metrics,
            ["metric_history"] = history,
            ["tags"] = tags,
        };
    }

    /// <summary>Whether a stored record (decrypted) is what importing the run again would write.</summary>
    private static bool Same(MetadataRecord stored, MetadataRecord fresh, JsonObject plaintext) =>
        stored.ModelName == fresh.ModelName && stored.ModelVersion == fresh.ModelVersion && stored.Stage == fresh.Stage
        && stored.EventType == fresh.EventType && stored.Timestamp.UtcTicks == fresh.Timestamp.UtcTicks && stored.Details == fresh.Details
        && PythonJson.Canonical(stored.Metadata) == PythonJson.Canonical(plaintext);
}
