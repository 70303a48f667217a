using System.Diagnostics;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;
using Xunit.Abstractions;
using static Ciaf.Metadata.Tests.Backends.SqliteTestData;

namespace Ciaf.Metadata.Tests.Backends;

/// <summary>
/// Python (stdlib sqlite3, json, hashlib: what the reference uses) reads a store we wrote, and writes into it as the
/// reference does. Without a <c>python3</c> on the PATH the tests log that and pass without checking.
/// </summary>
public sealed class SqlitePythonInteropTests(ITestOutputHelper output) : IDisposable
{
    private readonly SqliteTestFolder _folder = new();

    public void Dispose() => _folder.Dispose();


    [Fact]
    public async Task PythonStdlib_ReadsStoreWeWrote_HashesMatch()
    {
        var records = ExpectedRecords.ToList();
        records.Add(Record("extra-unicode", metadata: new JsonObject
        {
            ["text"] = "\u00fc\u6a21\u578b \U0001F680 \"quoted\" \\ \n",
            ["floats"] = new JsonArray(0.1, 1e-05, 1e16, -0.0, 1.5e300, double.NaN, double.PositiveInfinity),
            ["big"] = JsonNode.Parse("123456789012345678901234567890"),
        }));
        await using (var backend = Open(_folder.Path))
        {
            await backend.WriteAsync(records);
        }

        const string script = """
            import hashlib, json, sqlite3, sys
            con = sqlite3.connect(sys.argv[1])
            n = 0
            for rid, ts, h, mj in con.execute("SELECT id, timestamp, metadata_hash, metadata_json FROM metadata"):
                m = json.loads(mj)
                assert isinstance(m, dict), rid
                assert json.dumps(m) == mj, ("json.dumps differs", rid)
                got = hashlib.sha256(json.dumps(m, sort_keys=True).encode("utf-8")).hexdigest()
                assert got == h, ("hash differs", rid, got, h)
                assert ts.endswith("+00:00"), ts
                n += 1
            print("checked", n)
            """;
        string result = Python.Run(script, _folder.DbPath);
        output.WriteLine(result);
        Assert.Contains($"checked {records.Count}", result, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PythonStdlib_WritesLikeTheReferenceIntoOurStore_WeReadIt()
    {
        await using var backend = Open(_folder.Path);
        await backend.WriteAsync([Record("ours")]);

        // The reference's save path: INSERT OR REPLACE with json.dumps(metadata) and isoformat() timestamps,
        // while our backend holds the file open (WAL).
        const string script = """
            import hashlib, json, sqlite3, sys
            from datetime import datetime, timezone
            con = sqlite3.connect(sys.argv[1])
            m = {"accuracy": 0.91, "name": "r\u00e9sum\u00e9", "n": 10**20}
            con.execute("INSERT OR REPLACE INTO metadata (id, model_name, model_version, stage, event_type, timestamp, metadata_hash, details, metadata_json) VALUES (?,?,?,?,?,?,?,?,?)",
                ("from-python", "credit_scoring", "1.0.0", "training", "training_completed",
                 datetime(2026, 3, 1, 0, 0, 1, 234567, tzinfo=timezone.utc).isoformat(),
                 hashlib.sha256(json.dumps(m, sort_keys=True).encode()).hexdigest(), None, json.dumps(m)))
            con.execute("INSERT OR REPLACE INTO compliance_events VALUES (?,?,?,?,?,?,?)",
                ("ev-python", "from-python", "GDPR", 0.9, "passed", datetime(2026, 3, 1, tzinfo=timezone.utc).isoformat(), None))
            con.commit()
            print("written")
            """;
        string result = Python.Run(script, _folder.DbPath);
        output.WriteLine(result);

        var record = await backend.GetAsync("from-python");
        Assert.NotNull(record);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 0, 0, 1, TimeSpan.Zero).AddTicks(2_345_670), record.Timestamp);
        Assert.Equal(PythonJson.Hash(record.Metadata), record.MetadataHash);
        Assert.Equal(2, (await ToListAsync(backend.QueryAsync(new MetadataQuery { Stage = "training" }))).Count);
        var ev = Assert.Single(await ToListAsync(backend.QueryComplianceEventsAsync(new ComplianceEventQuery { MetadataId = "from-python" })));
        Assert.Equal(0.9, ev.ComplianceScore);
    }
}
