using System.Buffers;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Backends.Compressed;
using Ciaf.Metadata.Backends.Pickle;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Conformance;
using Ciaf.Metadata.Tests.Support;
using MessagePack;

namespace Ciaf.Metadata.Tests.Compression;

/// <summary>The stores the reference's CompressedMetadataStorage writes, read through compressed_json and compressed_sqlite.</summary>
public sealed class ReferenceCompressedStoreTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private static JsonObject Section(string store) => PyciafFixtures.ExpectedShared["compressed"]![store]!.AsObject();

    private string CopyFixture(string store)
    {
        string root = _folder.Combine(store);
        Directory.CreateDirectory(root);
        PyciafFixtures.CopyStore(store, root);
        return root;
    }

    [Theory]
    [InlineData("compressed_json")]
    [InlineData("compressed_sqlite")]
    public void Open_FixtureStore_ReturnsExactlyTheReferenceRecords(string store)
    {
        using var storage = new MetadataStorage(CopyFixture(store), store);
        var expected = Section(store)["records"]!.AsArray().Select(n => n!.AsObject()).ToList();
        Assert.Equal(4, expected.Count);
        foreach (var record in expected)
        {
            var actual = storage.GetMetadata(record["id"]!.GetValue<string>());
            Assert.NotNull(actual);
            StorageConformanceTests.AssertRecord(record, actual);
            // The metadata in its stored key order too, not only canonically.
            Assert.Equal(record["metadata"]!.ToJsonString(), actual.Metadata.ToJsonString());
        }
        Assert.Equal(expected.Count, storage.GetPerformanceMetrics().RecordCount);
        Assert.Equal(
            expected.Where(r => r["model_name"]!.GetValue<string>() == "credit_scoring").Select(r => r["id"]!.GetValue<string>()).Order(StringComparer.Ordinal),
            storage.GetModelMetadata("credit_scoring").Select(r => r.Id).Order(StringComparer.Ordinal));
        Assert.Equal(["83e6398d-2080-44a1-8c0e-12bedcc33d1e"], storage.GetModelMetadata("résumé_ranker", "compliance").Select(r => r.Id));
        Assert.Empty(storage.GetComplianceEvents());
        Assert.Equal(0, storage.GetPerformanceMetrics().CorruptEntriesSkipped);
    }

    [Theory]
    [InlineData("compressed_json")]
    [InlineData("compressed_sqlite")]
    public void Hash_IsTheReferencesHashOfItsSerializedPayload(string store)
    {
        // The reference's compressed storage hashes its serialized bytes (compact, unsorted JSON), not the canonical
        // form: the records keep that hash, and EXPECTED lists its pre-images.
        using var storage = new MetadataStorage(CopyFixture(store), store);
        var section = Section(store);
        var records = section["records"]!.AsArray();
        var preimages = section["hash_preimages"]!.AsArray();
        for (int i = 0; i < records.Count; i++)
        {
            var actual = storage.GetMetadata(records[i]!["id"]!.GetValue<string>())!;
            Assert.Equal(PythonJson.HashCanonical(preimages[i]!.GetValue<string>()), actual.MetadataHash);
        }
    }

    [Theory]
    [InlineData("compressed_json", "sqlite")]
    [InlineData("compressed_sqlite", "json")]
    [InlineData("compressed_json", "pickle")]
    public void MigrateTo_AnyBackend_CopiesEveryRecordUnchanged(string store, string target)
    {
        using var source = new MetadataStorage(CopyFixture(store), store);
        using var destination = new MetadataStorage(_folder.Combine("target-" + target), target);
        var report = source.MigrateTo(destination);
        Assert.Equal(4, report.RecordsCopied);
        Assert.Empty(report.UnreadableSourceEntries);
        foreach (var record in Section(store)["records"]!.AsArray().Select(n => n!.AsObject()))
        {
            StorageConformanceTests.AssertRecord(record, destination.GetMetadata(record["id"]!.GetValue<string>())!);
        }
    }

    [Theory]
    [InlineData("compressed_json")]
    [InlineData("compressed_sqlite")]
    public void Writes_AreRefusedAndChangeNothing(string store)
    {
        string root = CopyFixture(store);
        using var storage = new MetadataStorage(root, store);
        var ex = Assert.Throws<MetadataStorageException>(() => storage.SaveMetadata("m", "training", "e", new { a = 1 }));
        Assert.Contains("read-only", ex.Message, StringComparison.Ordinal);
        Assert.Throws<MetadataStorageException>(() => storage.CleanupOldMetadata(1));
        Assert.Equal(4, storage.GetPerformanceMetrics().RecordCount);
    }

    [Fact]
    public void CompressedSqlite_NoDatabase_ThrowsAClearError()
    {
        var ex = Assert.Throws<MetadataStorageException>(() => new MetadataStorage(_folder.Combine("empty"), "compressed_sqlite"));
        Assert.Contains(CompressedSqliteBackend.DatabaseFileName, ex.Message, StringComparison.Ordinal);
    }

    // ------------------------------------------------------------------ the other compressions and serializations

    private static readonly JsonObject Sample = JsonNode.Parse("""{"z": 1, "a": [0.1, -0.0, 1e-05, 12345678901234567890], "s": "模型 ü", "n": null, "t": true, "nested": {"k": "v"}}""")!.AsObject();

    private static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var z = new GZipStream(ms, CompressionLevel.Optimal)) z.Write(data);
        return ms.ToArray();
    }

    private static byte[] Zlib(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, CompressionLevel.Optimal)) z.Write(data);
        return ms.ToArray();
    }

    /// <summary>What msgpack.packb(Sample, use_bin_type=True) writes, plus a bytes value and an int key.</summary>
    private static byte[] MsgPackSample()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(buffer);
        w.WriteMapHeader(8);
        w.Write("z"); w.Write(1);
        w.Write("a"); w.WriteArrayHeader(4); w.Write(0.1); w.Write(-0.0); w.Write(1e-05); w.Write(12345678901234567890UL);
        w.Write("s"); w.Write("模型 ü");
        w.Write("n"); w.WriteNil();
        w.Write("t"); w.Write(true);
        w.Write("nested"); w.WriteMapHeader(1); w.Write("k"); w.Write("v");
        w.Write("raw"); w.Write(new byte[] { 0x00, (byte)'a', (byte)'\'', 0xff });
        w.Write(7); w.Write("int key");
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteCmeta(string root, string model, string id, string compression, string serialization, byte[] serialized, byte[] compressed)
    {
        var header = new JsonObject
        {
            ["id"] = id, ["model_name"] = model, ["model_version"] = "1.0.0", ["stage"] = "training", ["event_type"] = "e",
            ["timestamp"] = "2026-03-01T10:00:00.5+00:00", ["metadata_hash"] = PythonJson.HashCanonical(Encoding.Latin1.GetString(serialized)),
            ["details"] = null, ["compression_type"] = compression, ["serialization_type"] = serialization,
            ["uncompressed_size"] = serialized.Length, ["compressed_size"] = compressed.Length,
        };
        byte[] headerBytes = Encoding.ASCII.GetBytes(PythonJson.Serialize(header, PythonJsonStyle.Compact).Replace(", \"", ",\"", StringComparison.Ordinal).Replace("\": ", "\":", StringComparison.Ordinal));
        Directory.CreateDirectory(Path.Combine(root, model));
        using var file = File.Create(Path.Combine(root, model, $"2026-03-01_training_{id[..8]}.cmeta"));
        file.Write(BitConverter.GetBytes((uint)headerBytes.Length));
        file.Write(headerBytes);
        file.Write(compressed);
    }

    [Fact]
    public void Cmeta_GzipZlibNone_JsonMsgpackPickle_AllRead()
    {
        string root = _folder.Combine("kinds");
        byte[] json = Encoding.ASCII.GetBytes(PythonJson.Serialize(Sample, PythonJsonStyle.Compact));
        byte[] pickle = PickleWriter.Write(Sample);
        byte[] msgpack = MsgPackSample();
        var cases = new (string Id, string Compression, string Serialization, byte[] Serialized, byte[] Compressed)[]
        {
            ("11111111-0000-4000-8000-000000000001", "gzip", "json", json, Gzip(json)),
            ("22222222-0000-4000-8000-000000000002", "zlib", "pickle", pickle, Zlib(pickle)),
            ("33333333-0000-4000-8000-000000000003", "none", "msgpack", msgpack, msgpack),
            ("44444444-0000-4000-8000-000000000004", "gzip", "msgpack", msgpack, Gzip(msgpack)),
        };
        foreach (var c in cases) WriteCmeta(root, "m", c.Id, c.Compression, c.Serialization, c.Serialized, c.Compressed);

        using var storage = new MetadataStorage(root, "compressed_json");
        string canonical = PythonJson.Canonical(Sample);
        Assert.Equal(canonical, PythonJson.Canonical(storage.GetMetadata(cases[0].Id)!.Metadata));
        Assert.Equal(canonical, PythonJson.Canonical(storage.GetMetadata(cases[1].Id)!.Metadata));
        var fromMsgpack = storage.GetMetadata(cases[2].Id)!.Metadata;
        var expected = Sample.DeepClone().AsObject();
        expected["raw"] = "b\"\\x00a'\\xff\""; // Python's str(b"\x00a'\xff"), as json.dumps(default=str) would store it
        expected["7"] = "int key";
        Assert.Equal(PythonJson.Canonical(expected), PythonJson.Canonical(fromMsgpack));
        Assert.Equal(PythonJson.Canonical(fromMsgpack), PythonJson.Canonical(storage.GetMetadata(cases[3].Id)!.Metadata));
        Assert.Equal(4, storage.GetModelMetadata("m", limit: null).Count);
    }

    [Fact]
    public async Task Cmeta_UnsafePickle_ReportedAsCorruptAndNeverRun()
    {
        string root = _folder.Combine("unsafe");
        // PROTO 4, 'os' 'system' STACK_GLOBAL 'touch /tmp/x' TUPLE1 REDUCE STOP
        byte[] evil = [0x80, 4, 0x8c, 2, (byte)'o', (byte)'s', 0x8c, 6, .. "system"u8, 0x93, 0x8c, 1, (byte)'x', 0x85, (byte)'R', (byte)'.'];
        WriteCmeta(root, "m", "55555555-0000-4000-8000-000000000005", "zlib", "pickle", evil, Zlib(evil));
        var errors = new List<Exception>();
        await using var backend = new CompressedJsonBackend(new BackendContext { StoragePath = root, ReportCorrupt = (_, e) => errors.Add(e) });
        Assert.Null(await backend.GetAsync("55555555-0000-4000-8000-000000000005"));
        Assert.IsType<UnsafePickleException>(Assert.Single(errors));
    }

    [Fact]
    public async Task Cmeta_GzipBomb_RefusedWithAClearErrorWithoutExpanding()
    {
        string root = _folder.Combine("bomb");
        byte[] huge = new byte[64 * 1024 * 1024];
        byte[] bomb = Gzip(huge);
        Assert.True(bomb.Length < 100_000);
        WriteCmeta(root, "m", "66666666-0000-4000-8000-000000000006", "gzip", "json", "{}"u8.ToArray(), bomb);
        var errors = new List<Exception>();
        await using var backend = new CompressedJsonBackend(new BackendContext { StoragePath = root, MaxMetadataBytes = 1024 * 1024, ReportCorrupt = (_, e) => errors.Add(e) });
        long before = GC.GetTotalAllocatedBytes(precise: true);
        Assert.Null(await backend.GetAsync("66666666-0000-4000-8000-000000000006"));
        Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < 32 * 1024 * 1024, "the bomb was expanded");
        Assert.Contains("expands past 1048576 bytes", Assert.Single(errors).Message, StringComparison.Ordinal);
    }
}
