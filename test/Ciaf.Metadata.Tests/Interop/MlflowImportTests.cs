using System.Text.Json.Nodes;
using Ciaf.Metadata.Interop.MlFlow;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;
using Ciaf.Metadata.Transfer;

namespace Ciaf.Metadata.Tests.Interop;

public sealed class MlflowImportTests : IDisposable
{
    private const string RunA = "0a1b2c3d4e5f40718293a4b5c6d7e8f9";
    private const string RunB = "1b2c3d4e5f60718293a4b5c6d7e8f90a";
    private const string RunUnicode = "2c3d4e5f60718293a4b5c6d7e8f90a1b";
    private const string RunDeleted = "3d4e5f60718293a4b5c6d7e8f90a1b2c";
    private const string RunTrashed = "4e5f60718293a4b5c6d7e8f90a1b2c3d";
    private const string RunMalformed = "5f60718293a4b5c6d7e8f90a1b2c3d4e";
    private const string RunNoMeta = "60718293a4b5c6d7e8f90a1b2c3d4e5f";

    private readonly TempDirectory _temp = new();
    private readonly MlflowStoreWriter _mlruns;
    private readonly Dictionary<string, (long Timestamp, double Value, long Step)[]> _lossHistory = new()
    {
        // Step 2 twice: the later timestamp wins; at equal step and timestamp the greater value; NaN never wins a tie.
        ["loss"] = [(1700000001000, 0.9, 0), (1700000002000, 0.5, 1), (1700000004000, 0.4, 2), (1700000003000, 0.45, 2), (1700000004000, double.NaN, 2)],
        ["val/auc"] = [(1700000005000, 0.7, 0), (1700000005000, 0.8, 0), (1700000006000, double.PositiveInfinity, -1)],
    };

    public MlflowImportTests()
    {
        _mlruns = new MlflowStoreWriter(_temp.Combine("mlruns"));
        var defaults = _mlruns.Experiment("0", "Default");
        _mlruns.Run(defaults, RunA, "bright-fox-12", 1700000000123, 1700000009000,
            parameters: new Dictionary<string, string> { ["lr"] = "0.01", ["optimizer/momentum"] = "0.9", ["note"] = "multi\nline, with trailing space " },
            tags: new Dictionary<string, string> { ["mlflow.runName"] = "bright-fox-12", ["mlflow.user"] = "alice", ["team"] = "risk" },
            metrics: _lossHistory);
        _mlruns.Run(defaults, RunB, "", 1700000100000, status: 4,
            tags: new Dictionary<string, string> { ["mlflow.runName"] = "named-by-tag", ["ciaf.model_name"] = "credit_model", ["ciaf.model_version"] = "3.1.0" });
        var unicode = _mlruns.Experiment("187", "crédit-scoring 信用 ✓");
        _mlruns.Run(unicode, RunUnicode, "прогон-1", 1700000200000, 1700000300000, user: "zoë",
            parameters: new Dictionary<string, string> { ["größe"] = "groß" }, tags: new Dictionary<string, string> { ["描述"] = "测试" },
            metrics: new Dictionary<string, (long, double, long)[]> { ["acc"] = [(1700000250000, 0.75, 0)] });
        _mlruns.Run(unicode, RunDeleted, "removed", 1700000400000, deleted: true);
        var trashed = _mlruns.Experiment("999", "old experiment", trashed: true);
        _mlruns.Run(trashed, RunTrashed, "in-trash", 1700000500000);
        string malformed = _mlruns.Run(unicode, RunMalformed, "broken", 1700000600000,
            metrics: new Dictionary<string, (long, double, long)[]> { ["ok"] = [(1700000600000, 1, 0)] });
        MlflowStoreWriter.WriteFile(malformed, "metrics", "bad", "1700000600000 0.5 0\n1700000600001 not-a-number 1\n");
        string noMeta = _mlruns.Run(unicode, RunNoMeta, "lost", 1700000700000);
        File.Delete(Path.Combine(noMeta, "meta.yaml"));
        Directory.CreateDirectory(Path.Combine(_mlruns.Root, "models", "registered_model")); // the model registry: not an experiment
        Directory.CreateDirectory(Path.Combine(_mlruns.Root, "42")); // an experiment folder without meta.yaml
    }

    public void Dispose() => _temp.Dispose();

    private MetadataStorage Open(string backend = "sqlite", Action<MetadataStorageOptions>? configure = null)
    {
        var options = new MetadataStorageOptions { StoragePath = _temp.Combine("store"), Backend = backend };
        configure?.Invoke(options);
        return new MetadataStorage(options);
    }

    private static MetadataRecord Single(MetadataStorage storage, string runId) =>
        storage.GetMetadata(MlflowImporter.RecordId(runId)) ?? throw new Xunit.Sdk.XunitException($"run {runId} was not imported");

    [Theory]
    [InlineData("sqlite")]
    [InlineData("json")]
    public void Import_FileStore_EveryParamMetricPointAndTagPresent(string backend)
    {
        using var storage = Open(backend);

        var result = storage.ImportMlflow(_mlruns.Root);

        Assert.Equal(3, result.Imported);
        Assert.Equal(2, result.ExcludedDeleted);
        Assert.Empty(result.Mismatched);
        Assert.Equal(3, result.Errors.Count);
        var malformed = Assert.Single(result.Errors, e => e.Id == RunMalformed);
        Assert.EndsWith(Path.Combine(RunMalformed, "metrics", "bad"), malformed.Position, StringComparison.Ordinal);
        Assert.Contains("line 2", malformed.Reason, StringComparison.Ordinal);
        Assert.Contains("not-a-number", malformed.Reason, StringComparison.Ordinal);
        var noMeta = Assert.Single(result.Errors, e => e.Position.EndsWith(Path.Combine(RunNoMeta, "meta.yaml"), StringComparison.Ordinal));
        Assert.Contains("missing", noMeta.Reason, StringComparison.Ordinal);
        Assert.Single(result.Errors, e => e.Position.EndsWith(Path.Combine("42", "meta.yaml"), StringComparison.Ordinal));

        var a = Single(storage, RunA);
        Assert.Equal(("Default", "1.0.0", "training", "mlflow_run"), (a.ModelName, a.ModelVersion, a.Stage, a.EventType));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1700000000123), a.Timestamp);
        var m = a.Metadata;
        Assert.Equal(RunA, (string)m["run_id"]!);
        Assert.Equal("bright-fox-12", (string)m["run_name"]!);
        Assert.Equal(("0", "Default", "FINISHED", "active"), ((string)m["experiment_id"]!, (string)m["experiment_name"]!, (string)m["status"]!, (string)m["lifecycle_stage"]!));
        Assert.Equal((1700000000123L, 1700000009000L), ((long)m["start_time"]!, (long)m["end_time"]!));
        Assert.Equal("alice", (string)m["user"]!);
        Assert.Equal(["lr", "note", "optimizer/momentum"], m["params"]!.AsObject().Select(p => p.Key));
        Assert.Equal("multi\nline, with trailing space ", (string)m["params"]!["note"]!);
        Assert.Equal("0.9", (string)m["params"]!["optimizer/momentum"]!);
        Assert.Equal("risk", (string)m["tags"]!["team"]!);
        Assert.Equal(3, m["tags"]!.AsObject().Count);
        var history = m["metric_history"]!.AsArray();
        var expected = _lossHistory.OrderBy(k => k.Key, StringComparer.Ordinal)
            .SelectMany(k => k.Value.Select(p => (k.Key, p.Value, p.Step, p.Timestamp))).ToList();
        Assert.Equal(expected.Count, history.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            var point = history[i]!;
            Assert.Equal(expected[i], ((string)point["key"]!, (double)point["value"]!, (long)point["step"]!, (long)point["timestamp"]!));
        }
        Assert.Equal(0.4, (double)m["metrics"]!["loss"]!);
        Assert.Equal(0.8, (double)m["metrics"]!["val/auc"]!);

        var b = Single(storage, RunB);
        Assert.Equal(("credit_model", "3.1.0"), (b.ModelName, b.ModelVersion));
        Assert.Equal(("named-by-tag", "FAILED"), ((string)b.Metadata["run_name"]!, (string)b.Metadata["status"]!));
        Assert.Null(b.Metadata["end_time"]);

        var u = Single(storage, RunUnicode);
        Assert.Equal("crédit-scoring 信用 ✓", u.ModelName);
        Assert.Equal(("прогон-1", "zoë"), ((string)u.Metadata["run_name"]!, (string)u.Metadata["user"]!));
        Assert.Equal("groß", (string)u.Metadata["params"]!["größe"]!);
        Assert.Equal("测试", (string)u.Metadata["tags"]!["描述"]!);
        Assert.Null(storage.GetMetadata(MlflowImporter.RecordId(RunDeleted)));
        Assert.Null(storage.GetMetadata(MlflowImporter.RecordId(RunTrashed)));
        Assert.True(storage.Verify().IsValid);
    }

    [Fact]
    public void Import_Twice_SecondAddsNothingAndANewRunAddsOnlyItself()
    {
        using var storage = Open();
        var first = storage.ImportMlflow(_mlruns.Root);
        long count = storage.GetPerformanceMetrics().RecordCount;

        var second = storage.ImportMlflow(_mlruns.Root);

        Assert.Equal(0, second.Imported);
        Assert.Equal(first.Imported, second.Skipped);
        Assert.Empty(second.Mismatched);
        Assert.Equal(count, storage.GetPerformanceMetrics().RecordCount);

        _mlruns.Run(Path.Combine(_mlruns.Root, "0"), "7a8b9c0d1e2f30415263748596a7b8c9", "late", 1700000800000);
        var third = storage.ImportMlflow(_mlruns.Root);
        Assert.Equal(1, third.Imported);
        Assert.Equal(count + 1, storage.GetPerformanceMetrics().RecordCount);
    }

    [Fact]
    public void Import_RunChangedSinceImported_ReportedAndLeftUnchanged()
    {
        using var storage = Open();
        storage.ImportMlflow(_mlruns.Root);
        string before = Single(storage, RunA).MetadataHash;
        MlflowStoreWriter.WriteFile(Path.Combine(_mlruns.Root, "0", RunA), "params", "added_later", "1");

        var again = storage.ImportMlflow(_mlruns.Root);

        var changed = Assert.Single(again.Mismatched);
        Assert.Equal(RunA, changed.Id);
        Assert.Contains("changed in MLflow", changed.Reason, StringComparison.Ordinal);
        Assert.Equal(before, Single(storage, RunA).MetadataHash);
    }

    [Fact]
    public void Import_IncludeDeleted_ImportsDeletedRunsAndTrashedExperiments()
    {
        using var storage = Open();

        var result = storage.ImportMlflow(_mlruns.Root, includeDeleted: true);

        Assert.Equal(5, result.Imported);
        Assert.Equal(0, result.ExcludedDeleted);
        Assert.Equal("deleted", (string)Single(storage, RunDeleted).Metadata["lifecycle_stage"]!);
        var trashed = Single(storage, RunTrashed);
        Assert.Equal(("old experiment", "deleted"), (trashed.ModelName, (string)trashed.Metadata["lifecycle_stage"]!));
    }

    [Fact]
    public async Task Import_EncryptingStore_SensitiveParamsEncryptedAndReimportStillAddsNothing()
    {
        var key = new byte[32];
        Random.Shared.NextBytes(key);
        using var storage = Open(configure: o =>
        {
            o.EncryptSensitiveData = true;
            o.EncryptionKey = key;
            o.SensitiveFields = ["lr"];
        });
        storage.ImportMlflow(_mlruns.Root);
        var stored = (await storage.Core.GetStoredAsync(MlflowImporter.RecordId(RunA), default))!;
        Assert.NotEqual("0.01", stored.Metadata["params"]!["lr"]?.ToJsonString().Trim('"'));
        Assert.Equal("0.01", (string)Single(storage, RunA).Metadata["params"]!["lr"]!);

        var again = storage.ImportMlflow(_mlruns.Root);
        Assert.Equal(0, again.Imported);
        Assert.Empty(again.Mismatched);
    }

    [Fact]
    public void RecordId_IsPythonsUuid5OfTheRunId()
    {
        string python = Python.Run("""
            import sys, uuid
            ns = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/ciaf/ciaf-metadata-dotnet")
            print(uuid.uuid5(ns, "mlflow-run:" + sys.argv[1]))
            """, RunA).Trim();
        Assert.Equal(python, MlflowImporter.RecordId(RunA));
    }

    [Fact]
    public void LatestMetric_AsMlflowComputesIt()
    {
        // MLflow's FileStore: max(points, key=lambda m: (m.step, m.timestamp, m.value)) over the parsed lines.
        string lines = "5 0.5 1\n5 nan 1\n4 0.9 1\n5 0.7 1\n7 -inf 1\n7 inf 0\n6 1e-05 1\n7 2 1\n7 2.0 1\n";
        string python = Python.Run("""
            import sys
            pts = []
            for line in sys.argv[1].splitlines(True):
                p = line.strip().split(" ")
                pts.append((int(p[2]) if len(p) == 3 else 0, int(p[0]), float(p[1])))
            best = max(pts, key=lambda m: (m[0], m[1], m[2]))
            print(repr(best[2]), best[0], best[1])
            """, lines).Trim();
        string folder = _mlruns.Run(Path.Combine(_mlruns.Root, "0"), "8b9c0d1e2f30415263748596a7b8c9d0", "latest", 1700000900000);
        MlflowStoreWriter.WriteFile(folder, "metrics", "m", lines);
        using var storage = Open();
        storage.ImportMlflow(_mlruns.Root);

        var record = Single(storage, "8b9c0d1e2f30415263748596a7b8c9d0");
        double latest = (double)record.Metadata["metrics"]!["m"]!;
        var point = record.Metadata["metric_history"]!.AsArray().First(p => (double)p!["value"]! == latest)!;
        Assert.Equal(python, $"{MlflowStoreWriter.PythonRepr(latest)} {(long)point["step"]!} {(long)point["timestamp"]!}");
        Assert.Equal(9, record.Metadata["metric_history"]!.AsArray().Count);
    }

    [Fact]
    public void Import_MissingFolder_ThrowsNamingIt()
    {
        using var storage = Open();
        var ex = Assert.Throws<DirectoryNotFoundException>(() => storage.ImportMlflow(_temp.Combine("nope")));
        Assert.Contains("nope", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_BadMetaYaml_ReportedWithThePath()
    {
        string folder = _mlruns.Run(Path.Combine(_mlruns.Root, "0"), "9c0d1e2f30415263748596a7b8c9d0e1", "yaml", 1700001000000);
        File.WriteAllText(Path.Combine(folder, "meta.yaml"), "run_id: [unclosed\n");
        string statusFolder = _mlruns.Run(Path.Combine(_mlruns.Root, "0"), "ad0e1f30415263748596a7b8c9d0e1f2", "status", 1700001000000, status: 9);
        using var storage = Open();

        var result = storage.ImportMlflow(_mlruns.Root);

        Assert.Contains(result.Errors, e => e.Position == Path.Combine(folder, "meta.yaml") && e.Reason.Contains("cannot be read", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Position == Path.Combine(statusFolder, "meta.yaml") && e.Reason.Contains("status '9'", StringComparison.Ordinal));
        Assert.Equal(3, result.Imported);
    }
}
