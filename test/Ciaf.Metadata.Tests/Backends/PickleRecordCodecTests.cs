using System.Numerics;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Backends.Pickle;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Metadata.Tests.Backends;

public class PickleRecordCodecTests
{
    public static TheoryData<string> FixtureIds => PickleFixtures.RecordIds();

    [Theory]
    [MemberData(nameof(FixtureIds))]
    public void Deserialize_ReferenceFixture_EqualsExpectedRecord(string id)
    {
        var record = PickleRecordCodec.Deserialize(File.ReadAllBytes(PickleFixtures.PickleFile(id)));

        PickleFixtures.AssertRecordEquals(PickleFixtures.ExpectedRecord(id), record);
        var extras = PickleFixtures.Extras(id);
        Assert.Equal((string)extras["hash_preimage"]!, PythonJson.Canonical(record.Metadata));
        Assert.Equal((string)extras["sqlite_metadata_json"]!, PythonJson.Serialize(record.Metadata, PythonJsonStyle.Compact));
        Assert.Equal(record.MetadataHash, PythonJson.Hash(record.Metadata));
    }

    [Fact]
    public void Deserialize_EveryFixturePickle_LoadsAndIsListedInExpected()
    {
        var files = Directory.GetFiles(PickleFixtures.PickleStore, "*.pkl", SearchOption.AllDirectories);
        var ids = PickleFixtures.ExpectedRecords.Select(r => (string)r["id"]!).ToHashSet();

        Assert.Equal(ids.Count, files.Length);
        foreach (var file in files)
        {
            var record = PickleRecordCodec.Deserialize(File.ReadAllBytes(file));
            Assert.Contains(record.Id, ids);
            Assert.EndsWith($"{record.Stage}_{record.Id[..8]}.pkl", file, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(FixtureIds))]
    public void Serialize_ReferenceRecord_RoundTripsExactly(string id)
    {
        var original = PickleRecordCodec.Deserialize(File.ReadAllBytes(PickleFixtures.PickleFile(id)));

        var again = PickleRecordCodec.Deserialize(PickleRecordCodec.Serialize(original));

        PickleFixtures.AssertRecordEquals(PickleFixtures.ExpectedRecord(id), again);
    }

    [Fact]
    public void Serialize_EdgeValues_RoundTripsExactly()
    {
        var record = PickleSamples.EdgeRecord();

        var again = PickleRecordCodec.Deserialize(PickleRecordCodec.Serialize(record));

        PickleSamples.AssertSame(record, again);
        var ints = again.Metadata["ints"]!.AsArray();
        Assert.Equal("18446744073709551617", ints[0]!.ToJsonString());
        Assert.Equal("-18446744073709551617", ints[1]!.ToJsonString());
        var floats = again.Metadata["floats"]!.AsArray();
        Assert.True(double.IsNegative(floats[0]!.GetValue<double>()) && floats[0]!.GetValue<double>() == 0);
        Assert.Equal(double.Epsilon, floats[1]!.GetValue<double>());
        Assert.True(double.IsNaN(floats[2]!.GetValue<double>()));
        Assert.Equal("\U0001F680 rocket \U0001D11E", (string)again.Metadata["unicode"]!);
        Assert.Equal(1L, again.Metadata[""]!.GetValue<long>());
    }

    [Fact]
    public void Serialize_Record_StartsWithProtocol4AndFrame()
    {
        byte[] bytes = PickleRecordCodec.Serialize(PickleSamples.SimpleRecord());

        Assert.Equal(new byte[] { 0x80, 4, 0x95 }, bytes[..3]);
        Assert.Equal((byte)'.', bytes[^1]);
    }

    [Fact]
    public void Serialize_NoMicroseconds_WritesIsoformatWithoutFraction()
    {
        var record = PickleSamples.SimpleRecord() with { Timestamp = new DateTimeOffset(2026, 3, 1, 0, 0, 1, TimeSpan.Zero) };

        var again = PickleRecordCodec.Deserialize(PickleRecordCodec.Serialize(record));

        Assert.Equal("2026-03-01T00:00:01+00:00", PythonTimestamp.Format(again.Timestamp));
        Assert.Equal(record.Timestamp, again.Timestamp);
    }

    [Fact]
    public void Deserialize_Empty_ThrowsFormatException()
    {
        Assert.ThrowsAny<FormatException>(() => PickleRecordCodec.Deserialize([]));
    }

    [Fact]
    public void Deserialize_EveryTruncation_ThrowsFormatException()
    {
        byte[] bytes = File.ReadAllBytes(PickleFixtures.PickleFile("84c3c62b-0f79-4dbe-be1f-356ce20a9a5b"));

        for (int n = 0; n < bytes.Length; n++)
        {
            var ex = Record.Exception(() => PickleRecordCodec.Deserialize(bytes.AsSpan(0, n)));
            Assert.True(ex is FormatException, $"prefix of {n} bytes: {ex?.GetType().Name ?? "no exception"}");
        }
    }

    [Fact]
    public void Deserialize_SingleByteCorruptions_ReturnRecordOrThrowFormatException()
    {
        byte[] original = File.ReadAllBytes(PickleFixtures.PickleFile("84c3c62b-0f79-4dbe-be1f-356ce20a9a5b"));

        foreach (byte mask in new byte[] { 0x01, 0x80, 0xFF })
        {
            for (int i = 0; i < original.Length; i++)
            {
                byte[] bytes = (byte[])original.Clone();
                bytes[i] ^= mask;
                var ex = Record.Exception(() => PickleRecordCodec.Deserialize(bytes));
                Assert.True(ex is null or FormatException, $"byte {i} ^ 0x{mask:x2}: {ex}");
            }
        }
    }

    [Fact]
    public void Deserialize_RandomBytes_ThrowsFormatException()
    {
        var random = new Random(20260301);
        for (int i = 0; i < 2000; i++)
        {
            byte[] bytes = new byte[random.Next(1, 200)];
            random.NextBytes(bytes);
            if (i % 2 == 0) bytes[0] = 0x80; // looks like a PROTO header half of the time
            var ex = Record.Exception(() => PickleRecordCodec.Deserialize(bytes));
            Assert.True(ex is FormatException, $"{Convert.ToHexString(bytes)}: {ex?.GetType().Name ?? "no exception"}");
        }
    }

    [Fact]
    public void Deserialize_NotADict_ThrowsFormatException()
    {
        // pickle.dumps([1, 2], 4)
        byte[] bytes = Convert.FromHexString("80049509000000000000005d94284b014b02652e");

        var ex = Assert.ThrowsAny<FormatException>(() => PickleRecordCodec.Deserialize(bytes));
        Assert.Contains("record dict", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deserialize_SelfReferentialList_ThrowsFormatException()
    {
        // l = []; l.append(l); pickle.dumps(l, 4) without the frame: EMPTY_LIST MEMOIZE BINGET 0 APPEND STOP
        byte[] bytes = [0x80, 4, (byte)']', 0x94, (byte)'h', 0, (byte)'a', (byte)'.'];

        var ex = Assert.ThrowsAny<FormatException>(() => PickleRecordCodec.Deserialize(bytes));
        Assert.Contains("deeper", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deserialize_ExponentialSharing_ThrowsFormatExceptionQuickly()
    {
        // l0 = [0]; l(i+1) = [l(i), l(i)] for 60 levels: 2**60 values once copied into JSON.
        var bytes = new List<byte> { 0x80, 4, (byte)']', 0x94, (byte)'K', 0, (byte)'a' };
        for (int i = 0; i < 60; i++)
        {
            bytes.AddRange([(byte)']', 0x94, (byte)'(', (byte)'h', (byte)(2 * i), (byte)'h', (byte)(2 * i), (byte)'e']);
            // the new list is memo 2i+1; MEMOIZE once more so that memo 2(i+1) is the list just built
            bytes.Add(0x94);
        }
        bytes.Add((byte)'.');

        var ex = Assert.ThrowsAny<FormatException>(() => PickleRecordCodec.Deserialize(bytes.ToArray()));
        Assert.Contains("too many values", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadJson_TupleValueAndIntKey_ConvertAsJsonDumps()
    {
        // pickle.dumps({1: (1, 2)}, 2): PROTO 2, EMPTY_DICT, BINPUT 0, BININT1 1, BININT1 1, BININT1 2, TUPLE2, BINPUT 1, SETITEM, STOP
        var loaded = PickleRecordCodec.LoadJson(Convert.FromHexString("80027d71004b014b014b02867101732e"));

        Assert.Equal("{\"1\": [1, 2]}", PythonJson.Serialize(loaded, PythonJsonStyle.Compact));
    }

    [Fact]
    public void Serialize_BigIntegerClrValue_WritesLong1()
    {
        var record = PickleSamples.SimpleRecord() with
        {
            Metadata = new JsonObject { ["big"] = JsonValue.Create(BigInteger.Pow(2, 64) + 1), ["u"] = ulong.MaxValue },
        };

        var again = PickleRecordCodec.Deserialize(PickleRecordCodec.Serialize(record));

        Assert.Equal("{\"big\": 18446744073709551617, \"u\": 18446744073709551615}", PythonJson.Canonical(again.Metadata));
    }
}
