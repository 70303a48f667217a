using System.Text.Json.Nodes;
using Ciaf.Metadata.Backends.Pickle;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Backends;

/// <summary>Interoperability with CPython's <c>pickle</c> (runs <c>python3</c>, standard library only).</summary>
public class PickleInteropTests
{
    // Loads our pickle with pickle.loads and checks it against json.loads of the record's JSON text: same
    // dict (values, types, key order), the stored hash is sha256(json.dumps(metadata, sort_keys=True)), and
    // the bytes are exactly those of pickle.dumps(json.loads(text), 4).
    private const string CheckOurPickle = """
        import sys, json, math, pickle, hashlib, pickletools
        data = open(sys.argv[1], 'rb').read()
        text = open(sys.argv[2], encoding='ascii').read()
        rec = pickle.loads(data)
        exp = json.loads(text)
        assert type(rec) is dict, type(rec)
        def walk(a, b, path):
            assert type(a) is type(b), (path, type(a), type(b))
            if isinstance(a, dict):
                assert list(a) == list(b), (path, 'key order')
                for k in a: walk(a[k], b[k], path + '/' + k)
            elif isinstance(a, list):
                assert len(a) == len(b), path
                for i, (x, y) in enumerate(zip(a, b)): walk(x, y, '%s[%d]' % (path, i))
            elif isinstance(a, float):
                assert (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b)), (path, a, b)
            else:
                assert a == b, (path, a, b)
        walk(rec, exp, '')
        assert list(rec) == ['id', 'model_name', 'model_version', 'stage', 'event_type', 'timestamp', 'metadata_hash', 'details', 'metadata'], list(rec)
        digest = hashlib.sha256(json.dumps(rec['metadata'], sort_keys=True).encode('utf-8')).hexdigest()
        assert digest == rec['metadata_hash'], (digest, rec['metadata_hash'])
        first = next(pickletools.genops(data))
        assert first[0].name == 'PROTO' and first[1] == 4, first
        theirs = pickle.dumps(exp, 4)
        if theirs != data:
            at = next((i for i, (x, y) in enumerate(zip(theirs, data)) if x != y), min(len(theirs), len(data)))
            raise AssertionError('not byte-identical to pickle.dumps(json.loads(text), 4): first difference at byte %d (ours %r, Python %r)'
                                 % (at, data[at:at + 16], theirs[at:at + 16]))
        print('ok')
        """;

    // Writes, for every protocol 0..5, a record pickle holding what a Python pipeline may put in metadata,
    // and what json.dumps makes of it (datetimes as isoformat()) for comparison.
    private const string WritePythonPickles = """
        import sys, os, json, pickle, hashlib, datetime as dt
        out = sys.argv[1]
        shared = [1, 2, 3]
        md = {
            'accuracy': 0.9731, 'epochs': 12, 'big': 2**64 + 1, 'neg_big': -(2**100), 'nan': float('nan'),
            'inf': float('inf'), 'ninf': float('-inf'), 'neg_zero': -0.0, 'tiny': 5e-324, 'huge': 1.5e300,
            'text': 'na\u00efve \u2013 \u6a21\u578b \U0001F680', 'lone': 'a\ud800b', 'empty': '', '': 'empty key',
            'none': None, 'flags': [True, False], 'tuple': (1, 'two', 3.0), 'nested': {'a': {'b': [1, [2, [3, {}]]]}},
            'shared_a': shared, 'shared_b': shared, 'int_keys': {1: 'one', 2: 'two'}, 'float_key': {2.5: 'x'},
            'when': dt.datetime(2026, 3, 1, 0, 0, 1, 234567, tzinfo=dt.timezone.utc),
            'naive': dt.datetime(2026, 3, 1, 12, 30), 'folded': dt.datetime(2026, 10, 25, 2, 30, fold=1),
            'offset': dt.datetime(2026, 3, 1, 12, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5, minutes=-30), 'X')),
            'odd_offset': dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=23, seconds=59, microseconds=1))),
            'day': dt.date(2024, 2, 29), 'clock': dt.time(23, 59, 59, 1), 'clock_tz': dt.time(1, 2, tzinfo=dt.timezone.utc),
            'long_list': list(range(1500)), 'quote': 'back\\slash "q" \n\r\t\x00\u0085',
            'ints': [0, 255, 256, 65535, 65536, -1, 2**31 - 1, 2**31, -2**31, -2**31 - 1, 2**63, -2**63, 2**1000],
            'big_text': 'y' * 70000,
        }
        iso = lambda o: o.isoformat()
        canonical = json.dumps(md, sort_keys=True, default=iso)
        for proto in range(6):
            rec = {'id': 'py-proto-%d' % proto, 'model_name': 'r\u00e9sum\u00e9_ranker', 'model_version': '3.0.0',
                   'stage': 'training', 'event_type': 'training_completed',
                   'timestamp': '2026-03-01T00:00:01.234567+00:00' if proto != 4 else dt.datetime(2026, 3, 1, 0, 0, 1, tzinfo=dt.timezone.utc),
                   'metadata_hash': hashlib.sha256(canonical.encode('utf-8')).hexdigest(),
                   'details': 'proto %d' % proto, 'metadata': md}
            with open(os.path.join(out, 'p%d.pkl' % proto), 'wb') as f:
                pickle.dump(rec, f, protocol=proto)
            header = {k: (iso(v) if k == 'timestamp' and not isinstance(v, str) else v) for k, v in rec.items() if k != 'metadata'}
            header['md_canonical'] = canonical
            header['md_compact'] = json.dumps(md, default=iso)
            with open(os.path.join(out, 'p%d.expected.json' % proto), 'w', encoding='ascii') as f:
                json.dump(header, f)
        print('ok')
        """;

    [Fact]
    public void Serialize_EdgeRecord_PythonLoadsSameDictAndHash()
    {
        AssertPythonReads(PickleSamples.EdgeRecord());
    }

    [Fact]
    public void Serialize_FixtureRecords_PythonLoadsSameDictAndHash()
    {
        using var folder = new TempDirectory();
        foreach (var expected in PickleFixtures.ExpectedRecords)
        {
            var record = PickleRecordCodec.Deserialize(File.ReadAllBytes(PickleFixtures.PickleFile((string)expected["id"]!)));
            AssertPythonReads(record, folder);
        }
    }

    [Fact]
    public void Serialize_SimpleRecordWithDetails_PythonLoadsSameDictAndHash()
    {
        AssertPythonReads(PickleSamples.SimpleRecord() with { Details = "trained on 2026 data" });
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Deserialize_PythonPickleOfEveryProtocol_EqualsPythonJsonView(int protocol)
    {
        using var folder = new TempDirectory();
        Assert.Equal("ok", Python.Run(WritePythonPickles, folder.Path).Trim());

        var record = PickleRecordCodec.Deserialize(File.ReadAllBytes(folder.Combine($"p{protocol}.pkl")));

        var expected = (JsonObject)PythonJson.Parse(File.ReadAllBytes(folder.Combine($"p{protocol}.expected.json")))!;
        Assert.Equal((string)expected["id"]!, record.Id);
        Assert.Equal("r\u00e9sum\u00e9_ranker", record.ModelName);
        Assert.Equal("3.0.0", record.ModelVersion);
        Assert.Equal("training", record.Stage);
        Assert.Equal("training_completed", record.EventType);
        Assert.Equal((string)expected["timestamp"]!, PythonTimestamp.Format(record.Timestamp));
        Assert.Equal($"proto {protocol}", record.Details);
        Assert.Equal((string)expected["md_canonical"]!, PythonJson.Canonical(record.Metadata));
        Assert.Equal((string)expected["md_compact"]!, PythonJson.Serialize(record.Metadata, PythonJsonStyle.Compact));
        Assert.Equal((string)expected["metadata_hash"]!, record.MetadataHash);
        Assert.Equal(record.MetadataHash, PythonJson.Hash(record.Metadata));
        Assert.Equal("2026-03-01T00:00:01.234567+00:00", (string)record.Metadata["when"]!);
        Assert.Equal("2026-03-01T12:30:00-05:30", (string)record.Metadata["offset"]!);
        Assert.Equal("2024-02-29", (string)record.Metadata["day"]!);
    }

    [Fact]
    public void Serialize_ThenPythonRepickles_WeReadPythonsBytes()
    {
        using var folder = new TempDirectory();
        var record = PickleSamples.EdgeRecord();
        File.WriteAllBytes(folder.Combine("ours.pkl"), PickleRecordCodec.Serialize(record));

        Python.Run("""
            import sys, pickle
            rec = pickle.load(open(sys.argv[1], 'rb'))
            rec['metadata']['added_by_python'] = [1, 2.5, 'x']
            for p in range(6):
                pickle.dump(rec, open(sys.argv[2] % p, 'wb'), protocol=p)
            """, folder.Combine("ours.pkl"), folder.Combine("python-%d.pkl"));

        for (int p = 0; p <= 5; p++)
        {
            var again = PickleRecordCodec.Deserialize(File.ReadAllBytes(folder.Combine($"python-{p}.pkl")));
            Assert.Equal("[1, 2.5, \"x\"]", PythonJson.Serialize(again.Metadata["added_by_python"], PythonJsonStyle.Compact));
            again.Metadata.Remove("added_by_python");
            PickleSamples.AssertSame(record, again);
        }
    }

    private static void AssertPythonReads(MetadataRecord record, TempDirectory? shared = null)
    {
        var folder = shared ?? new TempDirectory();
        try
        {
            string pkl = folder.Combine(record.Id + ".pkl"), json = folder.Combine(record.Id + ".json");
            File.WriteAllBytes(pkl, PickleRecordCodec.Serialize(record));
            File.WriteAllText(json, RecordJsonText(record));
            Assert.Equal("ok", Python.Run(CheckOurPickle, pkl, json).Trim());
        }
        finally
        {
            if (shared is null) folder.Dispose();
        }
    }

    // The record as one JSON text (fields in order), built without RecordJson.ToJsonObject's deep copy of the metadata.
    private static string RecordJsonText(MetadataRecord record)
    {
        string header = PythonJson.Serialize(RecordJson.ToJsonObject(record with { Metadata = [] }), PythonJsonStyle.Compact);
        Assert.EndsWith("\"metadata\": {}}", header, StringComparison.Ordinal);
        return header[..^3] + PythonJson.Serialize(record.Metadata, PythonJsonStyle.Compact) + "}";
    }
}
