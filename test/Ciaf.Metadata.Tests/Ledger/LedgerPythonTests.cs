using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Ledger;

/// <summary>The ledger's bytes are Python's: a verifier in Python rebuilds the content hash and the leaf from what `ciaf get --json` shows.</summary>
public sealed class LedgerPythonTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task ContentHashAndLeaf_AreWhatPythonComputesFromTheRecordsJson()
    {
        await using var storage = new MetadataStorage(_dir.Combine("store"), "sqlite");
        string id = await storage.SaveMetadataAsync("modèle-😀", "training", "trained", new
        {
            accuracy = 0.1 + 0.2, big = 1e16, tiny = 5e-324, neg = -0.0, whole = 3.0, n = long.MaxValue,
            text = "café, \"quoted\": \\ \u0001 模型", nested = new { z = new[] { 1.5, 2.25 }, a = (object?)null, b = true },
        }, details: "x, y: z");
        var stored = (await storage.Core.GetStoredAsync(id, default))!;
        string recordJson = PythonJson.Serialize(RecordJson.ToJsonObject(stored), PythonJsonStyle.Compact);
        string leaf = (await storage.Ledger.LocateAsync(id))!.Leaf;

        // Python reads the record as `ciaf get --json` prints it, hashes its sorted compact form, and rebuilds the leaf
        // from its own fields: both must be byte-identical to ours.
        string result = Python.Run("""
            import hashlib, json, sys
            record = json.loads(sys.argv[1]); leaf = json.loads(sys.argv[2])
            content = hashlib.sha256(json.dumps(record, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
            print(content == leaf["content_sha256"], json.dumps(leaf, sort_keys=True, separators=(",", ":")) == sys.argv[2])
            """, recordJson, leaf).Trim();
        Assert.Equal("True True", result);
    }
}
