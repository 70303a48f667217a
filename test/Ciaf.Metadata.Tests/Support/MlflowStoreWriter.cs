using System.Globalization;
using System.Text;

namespace Ciaf.Metadata.Tests.Support;

/// <summary>
/// Writes an MLflow file store (<c>mlruns/</c>) the way MLflow's FileStore does: experiment and run <c>meta.yaml</c> as
/// PyYAML's safe_dump writes them (keys sorted, ids quoted, unicode kept), params and tags as files without a newline,
/// metric files of <c>"&lt;timestamp&gt; &lt;value&gt; &lt;step&gt;\n"</c> lines, keys with '/' as sub-folders.
/// </summary>
public sealed class MlflowStoreWriter(string root)
{
    public string Root { get; } = root;

    public string Experiment(string id, string name, bool trashed = false, bool deleted = false)
    {
        string folder = trashed ? Path.Combine(Root, ".trash", id) : Path.Combine(Root, id);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "meta.yaml"),
            $"artifact_location: file://{Root}/{id}\ncreation_time: 1700000000000\nexperiment_id: '{id}'\nlast_update_time: 1700000000000\n"
            + $"lifecycle_stage: {(deleted || trashed ? "deleted" : "active")}\nname: {Quote(name)}\n", new UTF8Encoding(false));
        return folder;
    }

    /// <summary>A run; returns its folder.</summary>
    public string Run(string experimentFolder, string runId, string runName, long startTime, long? endTime = null, int status = 3,
        bool deleted = false, string user = "alice", IReadOnlyDictionary<string, string>? parameters = null,
        IReadOnlyDictionary<string, string>? tags = null, IReadOnlyDictionary<string, (long Timestamp, double Value, long Step)[]>? metrics = null)
    {
        string experimentId = Path.GetFileName(experimentFolder);
        string folder = Path.Combine(experimentFolder, runId);
        Directory.CreateDirectory(Path.Combine(folder, "artifacts"));
        var c = CultureInfo.InvariantCulture;
        File.WriteAllText(Path.Combine(folder, "meta.yaml"),
            $"artifact_uri: file://{folder}/artifacts\nend_time: {(endTime is { } e ? e.ToString(c) : "null")}\nentry_point_name: ''\nexperiment_id: '{experimentId}'\n"
            + $"lifecycle_stage: {(deleted ? "deleted" : "active")}\nrun_id: {runId}\nrun_name: {Quote(runName)}\nrun_uuid: {runId}\nsource_name: ''\nsource_type: 4\n"
            + $"source_version: ''\nstart_time: {startTime.ToString(c)}\nstatus: {status.ToString(c)}\ntags: []\nuser_id: {user}\n", new UTF8Encoding(false));
        foreach (var (key, value) in parameters ?? new Dictionary<string, string>()) WriteFile(folder, "params", key, value);
        foreach (var (key, value) in tags ?? new Dictionary<string, string>()) WriteFile(folder, "tags", key, value);
        foreach (var (key, points) in metrics ?? new Dictionary<string, (long, double, long)[]>())
            WriteFile(folder, "metrics", key, string.Concat(points.Select(p => $"{p.Timestamp.ToString(c)} {PythonRepr(p.Value)} {p.Step.ToString(c)}\n")));
        return folder;
    }

    public static void WriteFile(string runFolder, string kind, string key, string content)
    {
        string path = Path.Combine([runFolder, kind, .. key.Split('/')]);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content, new UTF8Encoding(false));
    }

    /// <summary>Python's repr of a float: nan, inf, 1.0, 0.1.</summary>
    public static string PythonRepr(double value) =>
        double.IsNaN(value) ? "nan" : double.IsPositiveInfinity(value) ? "inf" : double.IsNegativeInfinity(value) ? "-inf"
        : Ciaf.Metadata.Hashing.PythonJson.FormatFloat(value);

    private static string Quote(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
}
