using System.Globalization;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Ciaf.Metadata.Interop.MlFlow;

/// <summary>
/// Reads an MLflow file store (<c>mlruns/</c>) as MLflow's <c>FileStore</c> lays it out: experiment folders with a
/// <c>meta.yaml</c> (deleted ones moved to <c>.trash/</c>; <c>models/</c> is the model registry), run folders with a
/// <c>meta.yaml</c> and <c>params/</c>, <c>metrics/</c> and <c>tags/</c> (a key holding <c>/</c> is a sub-folder).
/// YAML is read with YamlDotNet's representation model (no type is ever instantiated from the file). Each run is read
/// whole or reported with the path of what is wrong, so one bad run never stops the others.
/// </summary>
internal static class MlflowFileStore
{
    /// <summary>The folder MLflow moves deleted experiments to.</summary>
    public const string TrashFolder = ".trash";

    private const string MetaFile = "meta.yaml";
    private const string DeletedStage = "deleted";

    // MLflow's reserved folder names: at the root (the model registry) and inside an experiment.
    private static readonly string[] RootReserved = [TrashFolder, "models"];
    private static readonly string[] ExperimentReserved = ["tags", "datasets", "traces", "models"];
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>What reading one run (or one experiment) gave: the run, a problem, or a run left out because it is deleted.</summary>
    public sealed record Entry(MlflowRun? Run, string Path, string? Problem, string? RunId, bool Deleted);

    /// <summary>Every run of the store, experiments in id order and runs in folder-name order (ordinal).</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static IEnumerable<Entry> Read(string root, bool includeDeleted)
    {
        root = Path.GetFullPath(root);
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"The MLflow store '{root}' does not exist (expected an mlruns folder).");
        var experiments = Folders(root).Where(f => !RootReserved.Contains(Path.GetFileName(f), StringComparer.Ordinal)).Select(f => (f, Trashed: false));
        string trash = Path.Combine(root, TrashFolder);
        if (Directory.Exists(trash)) experiments = experiments.Concat(Folders(trash).Select(f => (f, Trashed: true)));
        foreach (var (folder, trashed) in experiments)
        {
            foreach (var entry in ReadExperiment(folder, trashed, includeDeleted)) yield return entry;
        }
    }

    private static IEnumerable<Entry> ReadExperiment(string folder, bool trashed, bool includeDeleted)
    {
        string metaPath = Path.Combine(folder, MetaFile);
        var (meta, problem) = ReadMeta(metaPath);
        string? id = null, name = null;
        if (meta is not null)
        {
            id = Scalar(meta, "experiment_id");
            name = Scalar(meta, "name");
            problem = id is null ? "it names no experiment_id"
                : id != Path.GetFileName(folder) ? $"its experiment_id '{id}' is not its folder's name"
                : string.IsNullOrEmpty(name) ? "it names no experiment (name)"
                : null;
        }
        if (problem is not null)
        {
            yield return new Entry(null, metaPath, $"experiment skipped: {problem}", null, false);
            yield break;
        }
        bool deleted = trashed || Scalar(meta!, "lifecycle_stage") == DeletedStage;
        foreach (var runFolder in Folders(folder).Where(f => !ExperimentReserved.Contains(Path.GetFileName(f), StringComparer.Ordinal)))
        {
            var entry = ReadRun(runFolder, id!, name!);
            if (entry.Run is { } run && (deleted || run.LifecycleStage == DeletedStage))
            {
                yield return includeDeleted ? entry with { Run = run with { LifecycleStage = DeletedStage } } : entry with { Run = null, Deleted = true };
                continue;
            }
            yield return entry;
        }
    }

    private static Entry ReadRun(string folder, string experimentId, string experimentName)
    {
        string metaPath = Path.Combine(folder, MetaFile);
        var (meta, problem) = ReadMeta(metaPath);
        if (meta is null) return new Entry(null, metaPath, problem, null, false);
        string? runId = Scalar(meta, "run_id") ?? Scalar(meta, "run_uuid");
        Entry Bad(string path, string reason) => new(null, path, reason, runId, false);
        if (string.IsNullOrEmpty(runId)) return Bad(metaPath, "it names no run_id");
        if (runId != Path.GetFileName(folder)) return Bad(metaPath, $"its run_id '{runId}' is not its folder's name");
        if (Scalar(meta, "experiment_id") is { } exp && exp != experimentId) return Bad(metaPath, $"its experiment_id '{exp}' is not its experiment's ({experimentId})");
        string statusText = Scalar(meta, "status") ?? "1"; // MLflow reads a missing status as RUNNING
        if (!MlflowRunStatus.TryGetName(statusText, out string status)) return Bad(metaPath, $"status '{statusText}' is not an MLflow run status (1-5)");
        if (!TryMillis(meta, "start_time", out long? start) || start is null) return Bad(metaPath, "start_time is missing or not milliseconds since the epoch");
        if (!TryMillis(meta, "end_time", out long? end)) return Bad(metaPath, "end_time is not milliseconds since the epoch");
        var parameters = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var tags = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var history = new List<MlflowMetricPoint>();
        string? failedPath = null;
        try
        {
            foreach (var (key, path) in Files(folder, "params")) ReadText(failedPath = path, parameters, key);
            foreach (var (key, path) in Files(folder, "tags")) ReadText(failedPath = path, tags, key);
            foreach (var (key, path) in Files(folder, "metrics").OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                failedPath = path;
                history.AddRange(ReadMetric(path, key));
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or DecoderFallbackException)
        {
            return Bad(failedPath ?? folder, ex is DecoderFallbackException ? "the file is not UTF-8 text" : ex.Message);
        }
        string runName = Scalar(meta, "run_name") is { Length: > 0 } n ? n
            : tags.TryGetValue("mlflow.runName", out var tagName) ? tagName
            : Scalar(meta, "name") ?? string.Empty;
        return new Entry(new MlflowRun
        {
            Path = folder,
            RunId = runId,
            RunName = runName,
            ExperimentId = experimentId,
            ExperimentName = experimentName,
            Status = status,
            LifecycleStage = Scalar(meta, "lifecycle_stage") ?? "active",
            StartTime = start.Value,
            EndTime = end,
            User = Scalar(meta, "user_id"),
            ArtifactUri = Scalar(meta, "artifact_uri"),
            Params = parameters,
            Tags = tags,
            MetricHistory = history,
        }, folder, null, runId, false);
    }

    /// <summary>A metric file's points; a line MLflow would refuse throws, naming the line.</summary>
    private static List<MlflowMetricPoint> ReadMetric(string path, string key)
    {
        string text = File.ReadAllText(path, StrictUtf8);
        if (text.Length == 0) throw new FormatException("the metric file holds no value");
        var points = new List<MlflowMetricPoint>();
        int number = 0;
        // Lines as Python's readlines() gives them: the newline ending the last one starts no line.
        foreach (string line in (text.EndsWith('\n') ? text[..^1] : text).Split('\n'))
        {
            number++;
            // As MLflow: strip, split on single spaces, 2 or 3 fields: "<timestamp> <value> [<step>]".
            string[] parts = line.Trim().Split(' ');
            if (parts.Length is not (2 or 3))
                throw new FormatException($"line {number} has {parts.Length} field(s); a metric line is '<timestamp ms> <value> [<step>]'");
            if (!long.TryParse(parts[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long timestamp))
                throw new FormatException($"line {number}: the timestamp '{parts[0]}' is not an integer");
            if (!TryParsePythonFloat(parts[1], out double value))
                throw new FormatException($"line {number}: the value '{parts[1]}' is not a number");
            long step = 0;
            if (parts.Length == 3 && !long.TryParse(parts[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out step))
                throw new FormatException($"line {number}: the step '{parts[2]}' is not an integer");
            points.Add(new MlflowMetricPoint(key, value, step, timestamp));
        }
        return points;
    }

    /// <summary>Python's <c>float()</c> of what MLflow writes (<c>repr</c> of a float: <c>nan</c>, <c>inf</c>, <c>-inf</c>, <c>1e-05</c>).</summary>
    internal static bool TryParsePythonFloat(string text, out double value)
    {
        string t = text.ToLowerInvariant().TrimStart('+');
        bool negative = t.StartsWith('-');
        string magnitude = negative ? t[1..] : t;
        if (magnitude is "nan")
        {
            value = double.NaN;
            return true;
        }
        if (magnitude is "inf" or "infinity")
        {
            value = negative ? double.NegativeInfinity : double.PositiveInfinity;
            return true;
        }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && magnitude.All(c => char.IsAsciiDigit(c) || c is '.' or 'e' or '+' or '-');
    }

    private static void ReadText(string path, SortedDictionary<string, string> into, string key) => into[key] = File.ReadAllText(path, StrictUtf8);

    /// <summary>The files under <c>folder/sub</c>, keyed by their path relative to it with <c>/</c> (MLflow's key names).</summary>
    private static IEnumerable<(string Key, string Path)> Files(string folder, string sub)
    {
        string root = Path.Combine(folder, sub);
        if (!Directory.Exists(root)) return [];
        return new DirectoryInfo(root).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint })
            .Select(f => (Path.GetRelativePath(root, f.FullName).Replace(Path.DirectorySeparatorChar, '/'), f.FullName))
            .OrderBy(f => f.Item1, StringComparer.Ordinal);
    }

    private static IEnumerable<string> Folders(string folder) =>
        new DirectoryInfo(folder).EnumerateDirectories("*", new EnumerationOptions { AttributesToSkip = FileAttributes.ReparsePoint })
            .Select(d => d.FullName).Order(StringComparer.Ordinal);

    private static (YamlMappingNode? Meta, string? Problem) ReadMeta(string path)
    {
        if (!File.Exists(path)) return (null, "meta.yaml is missing");
        try
        {
            var yaml = new YamlStream();
            using (var reader = new StreamReader(path, StrictUtf8)) yaml.Load(reader);
            return yaml.Documents.Count == 1 && yaml.Documents[0].RootNode is YamlMappingNode map ? (map, null) : (null, "meta.yaml is not a YAML mapping");
        }
        catch (Exception ex) when (ex is YamlException or IOException or UnauthorizedAccessException or DecoderFallbackException)
        {
            return (null, $"meta.yaml cannot be read: {ex.Message}");
        }
    }

    /// <summary>A key's scalar text, or null when missing, null (<c>null</c>, <c>~</c>, empty plain) or not a scalar.</summary>
    private static string? Scalar(YamlMappingNode map, string key)
    {
        if (!map.Children.TryGetValue(new YamlScalarNode(key), out var node) || node is not YamlScalarNode scalar) return null;
        bool plain = scalar.Style is ScalarStyle.Plain or ScalarStyle.Any;
        return plain && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL" ? null : scalar.Value;
    }

    private static bool TryMillis(YamlMappingNode map, string key, out long? value)
    {
        value = null;
        if (Scalar(map, key) is not { } text) return true;
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long ms)
            || ms < DateTimeOffset.MinValue.ToUnixTimeMilliseconds() || ms > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()) return false;
        value = ms;
        return true;
    }
}
