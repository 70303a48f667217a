using System.Diagnostics;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Backends.Json;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Backends.Json;

/// <summary>Python 3 (standard library only) reads what we write, as the reference would.</summary>
public sealed class JsonMetadataBackendPythonInteropTests : IDisposable
{
    // Loads the file the way the reference does (json.load), then checks the keys, their order, the
    // values passed on the command line and the hash: sha256(json.dumps(metadata, sort_keys=True)).
    private const string Script = """
        import hashlib, json, sys
        path, expected = sys.argv[1], json.loads(sys.argv[2])
        with open(path) as f:
            record = json.load(f)
        out = {
            "keys": list(record.keys()),
            "values_equal": {k: record[k] == v for k, v in expected.items()},
            "hash_ok": hashlib.sha256(json.dumps(record["metadata"], sort_keys=True).encode()).hexdigest() == record["metadata_hash"],
            "rewritten_identical": json.dumps(record, indent=2) == open(path).read(),
        }
        print(json.dumps(out))
        """;

    private readonly TempDirectory _store = new();

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task WriteAsync_FileReadByPythonJsonModule_SameKeysValuesAndHash()
    {
        var metadata = new JsonObject
        {
            ["algorithm"] = "xgboost",
            ["auc"] = 0.9123,
            ["ratio"] = 1e-05,
            ["whole"] = 100.0,
            ["negative_zero"] = -0.0,
            ["huge"] = JsonNode.Parse("123456789012345678901234567890"),
            ["tags"] = new JsonArray("ü", "模型", "🚀"),
            ["params"] = new JsonObject { ["eta"] = 0.3, ["depth"] = null, ["ｚ"] = 1, ["😀"] = 2 },
            ["flag"] = true,
        };
        var record = SampleRecords.Create(model: "résumé_ranker", stage: "data_preprocessing", metadata: metadata,
            details: "Training finished ✓", timestamp: new DateTimeOffset(2026, 3, 1, 0, 0, 20, TimeSpan.Zero).AddTicks(2345670));
        await using (var backend = new JsonMetadataBackend(new BackendContext { StoragePath = _store.Path }))
        {
            await backend.WriteAsync([record]);
        }
        var path = _store.Combine("résumé_ranker", $"2026-03-01_data_preprocessing_{record.Id}.json");
        var expected = new JsonObject
        {
            ["id"] = record.Id,
            ["model_name"] = "résumé_ranker",
            ["model_version"] = "1.0.0",
            ["stage"] = "data_preprocessing",
            ["event_type"] = record.EventType,
            ["timestamp"] = "2026-03-01T00:00:20.234567+00:00",
            ["metadata_hash"] = record.MetadataHash,
            ["details"] = "Training finished ✓",
        };

        var output = Python.Run(Script, path, PythonJson.Serialize(expected, PythonJsonStyle.Canonical));

        var result = JsonNode.Parse(output)!.AsObject();
        Assert.Equal(["id", "model_name", "model_version", "stage", "event_type", "timestamp", "metadata_hash", "details", "metadata"],
            result["keys"]!.AsArray().Select(k => (string)k!));
        foreach (var (key, equal) in result["values_equal"]!.AsObject())
        {
            Assert.True((bool)equal!, $"Python read a different value for '{key}'.");
        }
        Assert.True((bool)result["hash_ok"]!, "Python's sha256(json.dumps(metadata, sort_keys=True)) differs from metadata_hash.");
        Assert.True((bool)result["rewritten_identical"]!, "json.dumps(record, indent=2) differs from the file we wrote.");
    }

}
