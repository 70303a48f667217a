using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Tests.Support;
using CsCheck;

namespace Ciaf.Metadata.Tests.Hashing;

public class PythonJsonTests
{
    public static TheoryData<string> RecordIds()
    {
        var data = new TheoryData<string>();
        foreach (var r in PyciafFixtures.ExpectedRecords) data.Add(r["id"]!.GetValue<string>());
        return data;
    }

    [Theory]
    [MemberData(nameof(RecordIds))]
    public void Canonical_EveryFixtureRecord_MatchesReferencePreimageAndHash(string id)
    {
        var expected = PyciafFixtures.ExpectedRecords.Single(r => r["id"]!.GetValue<string>() == id);
        string preimage = PyciafFixtures.ExpectedShared["record_extras"]![id]!["hash_preimage"]!.GetValue<string>();
        // Parse the stored metadata the way a backend does (from Python's text), then re-serialize.
        var metadata = PythonJson.Parse(PythonJson.Serialize(expected["metadata"], PythonJsonStyle.Compact))!.AsObject();

        Assert.Equal(preimage, PythonJson.Canonical(metadata));
        Assert.Equal(expected["metadata_hash"]!.GetValue<string>(), PythonJson.Hash(metadata));
    }

    [Fact]
    public void Serialize_CompactStyle_MatchesReferenceSqliteMetadataJson()
    {
        foreach (var r in PyciafFixtures.ExpectedRecords)
        {
            string id = r["id"]!.GetValue<string>();
            string sqliteJson = PyciafFixtures.ExpectedShared["record_extras"]![id]!["sqlite_metadata_json"]!.GetValue<string>();
            Assert.Equal(sqliteJson, PythonJson.Serialize(PythonJson.Parse(sqliteJson), PythonJsonStyle.Compact));
        }
    }

    [Fact]
    public void Serialize_IndentedStyle_MatchesReferenceJsonFilesByteForByte()
    {
        foreach (var r in PyciafFixtures.ExpectedRecords)
        {
            string id = r["id"]!.GetValue<string>();
            string file = Path.Combine(PyciafFixtures.StoresPath, "json", PyciafFixtures.ExpectedShared["record_extras"]![id]!["json_file"]!.GetValue<string>());
            string text = File.ReadAllText(file);
            Assert.Equal(text, PythonJson.Serialize(PythonJson.Parse(text), PythonJsonStyle.Indented));
        }
    }

    [Theory]
    [InlineData(0.1, "0.1")]
    [InlineData(1e-05, "1e-05")]
    [InlineData(1e16, "1e+16")]
    [InlineData(1e15, "1000000000000000.0")]
    [InlineData(-0.0, "-0.0")]
    [InlineData(1.5e300, "1.5e+300")]
    [InlineData(5e-324, "5e-324")]
    [InlineData(100.0, "100.0")]
    [InlineData(0.30000000000000004, "0.30000000000000004")]
    [InlineData(123456.789, "123456.789")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "Infinity")]
    [InlineData(double.NegativeInfinity, "-Infinity")]
    [InlineData(1.7976931348623157e308, "1.7976931348623157e+308")]
    public void FormatFloat_EdgeValues_MatchPythonRepr(double value, string expected) =>
        Assert.Equal(expected, PythonJson.FormatFloat(value));

    [Fact]
    public void FormatFloat_RandomDoubles_MatchPythonReprExactly()
    {
        var values = new List<double>();
        Gen.Double.Sample(d => values.Add(d), iter: 3000);
        Gen.Double[-1e6, 1e6].Sample(d => values.Add(d), iter: 1000);
        var bits = new Random(42);
        for (int i = 0; i < 3000; i++) values.Add(BitConverter.Int64BitsToDouble(bits.NextInt64()));
        values.RemoveAll(double.IsNaN);

        string input = string.Join('\n', values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
        var inputFile = Path.GetTempFileName();
        File.WriteAllText(inputFile, input);
        try
        {
            var python = Python.Run("import sys\nfor line in open(sys.argv[1]): print(repr(float(line)))", inputFile)
                .Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(values.Count, python.Length);
            for (int i = 0; i < values.Count; i++)
            {
                string expected = python[i] switch { "inf" => "Infinity", "-inf" => "-Infinity", var s => s };
                Assert.Equal(expected, PythonJson.FormatFloat(values[i]));
            }
        }
        finally
        {
            File.Delete(inputFile);
        }
    }

    [Fact]
    public void WriteFloat_ShortDecimalsAndTheirNeighbours_WriteWhatTheFullPathWrites_AndWhatPythonPrints()
    {
        // The writer's fast path for values of at most six decimals, against the full path (itself held to Python above)
        // on 300,000 values: decimals of 0 to 8 places at every magnitude around the fast path's bounds, their
        // neighbouring doubles (one ulp off: more than six decimals), and random bit patterns; then against Python itself.
        var rng = new Random(7);
        var values = new List<double> { 1e-4, -1e-4, 0.000099999, 0.0001000001, 999_999_999.999999, 999_999_999.9999999, 1e9, -1e9,
            1e9 - 0.5, 0.1 + 0.2, 0.5, 1.0, 123456.789, 2.5e-4, 9_007_199.254740993, 0.000123, 4503.599627370497 };
        for (int i = 0; i < 270_000; i++)
        {
            int places = i % 9;
            double scale = Math.Pow(10, rng.Next(-4, 10));
            double value = Math.Round(rng.NextDouble() * scale, places);
            if (rng.Next(4) == 0) value = -value;
            values.Add(value);
            if (i % 3 == 0) values.Add(Math.BitIncrement(value));
            if (i % 5 == 0) values.Add(Math.BitDecrement(value));
        }
        for (int i = 0; i < 20_000; i++) values.Add(BitConverter.Int64BitsToDouble(rng.NextInt64()));
        values.RemoveAll(v => double.IsNaN(v) || double.IsInfinity(v));

        var writer = PythonJsonWriter.Rent();
        try
        {
            foreach (double value in values)
            {
                writer.Clear();
                writer.WriteFloat(value);
                string written = writer.ToString();
                if (written != PythonJson.FormatFloat(value)) Assert.Fail($"{value:R}: the writer wrote {written}, the full path {PythonJson.FormatFloat(value)}");
            }

            var sample = values.Where((_, i) => i % 15 == 0).ToList();
            var inputFile = Path.GetTempFileName();
            File.WriteAllText(inputFile, string.Join('\n', sample.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
            try
            {
                var python = Python.Run("import sys\nfor line in open(sys.argv[1]): print(repr(float(line)))", inputFile)
                    .Split('\n', StringSplitOptions.RemoveEmptyEntries);
                Assert.Equal(sample.Count, python.Length);
                for (int i = 0; i < sample.Count; i++)
                {
                    writer.Clear();
                    writer.WriteFloat(sample[i]);
                    Assert.Equal(python[i], writer.ToString());
                }
            }
            finally
            {
                File.Delete(inputFile);
            }
        }
        finally
        {
            writer.Return();
        }
    }

    [Fact]
    public void Canonical_KeysThatSortDifferentlyByCodePointAndUtf16_SortByCodePoint()
    {
        var obj = new JsonObject { ["\U0001F600_emoji"] = 2, ["\uFF5A_fullwidth"] = 1, ["a"] = 0 };
        Assert.Equal("{\"a\": 0, \"\\uff5a_fullwidth\": 1, \"\\ud83d\\ude00_emoji\": 2}", PythonJson.Canonical(obj));
    }

    [Fact]
    public void Canonical_BigIntegersAndControlCharacters_WrittenAsPython()
    {
        var obj = new JsonObject
        {
            ["big"] = JsonNode.Parse("18446744073709551617"),
            ["neg"] = long.MinValue,
            ["ctl"] = "\u0000\u001f\u007f\u2028\"\\\n\t\b\f\r",
        };
        Assert.Equal("{\"big\": 18446744073709551617, \"ctl\": \"\\u0000\\u001f\\u007f\\u2028\\\"\\\\\\n\\t\\b\\f\\r\", \"neg\": -9223372036854775808}",
            PythonJson.Canonical(obj));
    }

    [Fact]
    public void Parse_PythonNonFiniteLiterals_AreReadAsFloats()
    {
        var node = PythonJson.Parse("{\"a\": NaN, \"b\": [Infinity, -Infinity], \"c\": 1e-05, \"d\": \"NaN\"}")!;
        Assert.Equal("{\"a\": NaN, \"b\": [Infinity, -Infinity], \"c\": 1e-05, \"d\": \"NaN\"}", PythonJson.Canonical(node));
    }

    [Fact]
    public void Parse_InvalidJson_ThrowsJsonException()
    {
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => PythonJson.Parse("{\"a\": NaN,"));
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => PythonJson.Parse("{\"a\": Nope}"));
    }

    /// <summary>
    /// Differential property test: random nested values (unicode above U+FFFF, keys that sort differently by
    /// code point and UTF-16 unit, floats of every magnitude, integers beyond 64 bits, NaN and infinities)
    /// are serialized by us and by Python's json module; the canonical texts and hashes must be identical.
    /// </summary>
    [Fact]
    public void Canonical_RandomNestedValues_IdenticalToPythonJsonDumps()
    {
        var samples = new List<JsonObject>();
        GenObject(3).Sample(o => samples.Add(o), iter: 400, seed: "0N0XIzNsQ0O2");
        var lines = new StringBuilder();
        foreach (var s in samples) lines.Append(PythonJson.Serialize(s, PythonJsonStyle.Compact)).Append('\n');
        var inputFile = Path.GetTempFileName();
        File.WriteAllText(inputFile, lines.ToString(), Encoding.ASCII);
        try
        {
            var python = Python.Run(
                "import sys, json, hashlib\n" +
                "for line in open(sys.argv[1], encoding='ascii'):\n" +
                "    c = json.dumps(json.loads(line), sort_keys=True)\n" +
                "    print(c + '\\t' + hashlib.sha256(c.encode()).hexdigest())", inputFile)
                .Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(samples.Count, python.Length);
            for (int i = 0; i < samples.Count; i++)
            {
                var parts = python[i].Split('\t');
                Assert.Equal(parts[0], PythonJson.Canonical(samples[i]));
                Assert.Equal(parts[1], PythonJson.Hash(samples[i]));
                Assert.True(PythonJson.MaxCanonicalLength(samples[i]) >= parts[0].Length, "the size bound must never be below the real size");
            }
        }
        finally
        {
            File.Delete(inputFile);
        }
    }

    [Fact]
    public void WriteDocument_AnyDocument_WritesWhatTheNodeWriterWritesInEveryStyle()
    {
        // What a server reads from a request's JsonDocument must hash and store exactly as the nodes of the same text would.
        // JsonDocument reads strict JSON only: NaN and Infinity take the node path, so they are left out here.
        GenObject(3).Where(o => !PythonJson.Serialize(o, PythonJsonStyle.Compact).Contains("NaN", StringComparison.Ordinal)
                && !PythonJson.Serialize(o, PythonJsonStyle.Compact).Contains("Infinity", StringComparison.Ordinal))
            .Sample(o =>
            {
                string text = PythonJson.Serialize(o, PythonJsonStyle.Compact);
                using var document = System.Text.Json.JsonDocument.Parse(text);
                var parsed = PythonJson.Parse(text);
                foreach (var style in new[] { PythonJsonStyle.Canonical, PythonJsonStyle.Compact, PythonJsonStyle.SortedMinimal, PythonJsonStyle.Indented })
                {
                    var writer = PythonJsonWriter.Rent();
                    writer.WriteDocument(document.RootElement, style, 0);
                    string fromDocument = writer.ToString();
                    writer.Return();
                    Assert.Equal(PythonJson.Serialize(parsed, style), fromDocument);
                }
            }, iter: 400, seed: "0N0XIzNsQ0O2");
    }

    [Fact]
    public void WriteDocument_RepeatedKeyOrLoneSurrogate_LeftToTheNodePath()
    {
        var writer = PythonJsonWriter.Rent();
        try
        {
            using var repeated = System.Text.Json.JsonDocument.Parse("""{"a": 1, "b": {"k": 1, "k": 2}}""");
            Assert.Throws<InvalidOperationException>(() => writer.WriteDocument(repeated.RootElement, PythonJsonStyle.Compact, 0));
            writer.Clear();
            Assert.Throws<InvalidOperationException>(() => writer.WriteDocument(repeated.RootElement, PythonJsonStyle.Canonical, 0));
            writer.Clear();
            using var surrogate = System.Text.Json.JsonDocument.Parse("""{"s": "\ud800"}""");
            Assert.Throws<InvalidOperationException>(() => writer.WriteDocument(surrogate.RootElement, PythonJsonStyle.Canonical, 0));
        }
        finally
        {
            writer.Return();
        }
    }

    private static readonly Gen<string> GenText = Gen.OneOf(
        Gen.String[Gen.Char.AlphaNumeric, 0, 8],
        Gen.Const("\U0001F600"), Gen.Const("\uFF5A"), Gen.Const("é"), Gen.Const("模型"), Gen.Const(""),
        Gen.Const("\u0000\u001f\u007f"), Gen.Const("\"\\/\n"),
        Gen.String[Gen.Char[(char)0x20, (char)0xD7FF], 0, 6]);

    private static readonly Gen<JsonNode?> GenScalar = Gen.OneOf<JsonNode?>(
        GenText.Select(s => (JsonNode?)JsonValue.Create(s)),
        Gen.Long.Select(l => (JsonNode?)JsonValue.Create(l)),
        Gen.Int[0, 1000].Select(i => JsonNode.Parse((BigInteger.Pow(2, 64) * i + 12345).ToString(CultureInfo.InvariantCulture))),
        Gen.Double.Select(d => (JsonNode?)JsonValue.Create(d)),
        Gen.OneOfConst(0.1, 1e-05, 1e16, -0.0, 5e-324, 100.0, 1.5e300, double.NaN, double.PositiveInfinity, double.NegativeInfinity)
            .Select(d => (JsonNode?)JsonValue.Create(d)),
        Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
        Gen.Const((JsonNode?)null));

    private static Gen<JsonObject> GenObject(int depth) =>
        Gen.Select(GenText, GenNode(depth - 1)).Array[0, 5].Select(pairs =>
        {
            var obj = new JsonObject();
            foreach (var (k, v) in pairs) obj[k] = v;
            return obj;
        });

    private static Gen<JsonNode?> GenNode(int depth) => depth <= 0
        ? GenScalar
        : Gen.Frequency(
            (4, GenScalar),
            (1, GenObject(depth).Select(o => (JsonNode?)o)),
            (1, GenNode(depth - 1).Array[0, 4].Select(items => (JsonNode?)new JsonArray(items))));
}
