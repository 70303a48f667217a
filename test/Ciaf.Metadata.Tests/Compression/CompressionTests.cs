using System.Text.Json.Nodes;
using Ciaf.Metadata.Compression;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;
using Microsoft.Data.Sqlite;
using ZstdSharp;

namespace Ciaf.Metadata.Tests.Compression;

/// <summary>Compression of large records: formats on disk, switching it on and off, bombs, and SQL on plain rows.</summary>
public sealed class CompressionTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private MetadataStorage Open(string backend, bool compress, long threshold = MetadataStorageOptions.DefaultCompressionThresholdBytes, long maxBytes = MetadataStorageOptions.DefaultMaxMetadataBytes) =>
        new(new MetadataStorageOptions
        {
            StoragePath = _folder.Combine(backend),
            Backend = backend,
            EnableCompression = compress,
            CompressionThresholdBytes = threshold,
            MaxMetadataBytes = maxBytes,
        });

    /// <summary>About 600 KB of compact JSON: a SHAP matrix and a confusion matrix.</summary>
    private static JsonObject LargeMetadata()
    {
        var rng = new Random(7);
        var shap = new JsonArray();
        for (int s = 0; s < 500; s++)
        {
            var row = new JsonArray();
            for (int f = 0; f < 40; f++) row.Add(Math.Round(rng.NextDouble() - 0.5, 6));
            shap.Add(row);
        }
        var confusion = new JsonArray();
        for (int i = 0; i < 100; i++) confusion.Add(new JsonArray([.. Enumerable.Range(0, 100).Select(j => (JsonNode)(i == j ? 900 + i : j % 7))]));
        return new JsonObject { ["accuracy"] = 0.93, ["shap_values"] = shap, ["confusion_matrix"] = confusion, ["label"] = "模型 ü" };
    }

    private static IEnumerable<string> Files(string root, string pattern) =>
        Directory.Exists(root) ? Directory.EnumerateFiles(root, pattern, SearchOption.AllDirectories) : [];

    [Theory]
    [InlineData("json")]
    [InlineData("sqlite")]
    [InlineData("pickle")]
    public async Task LargeRecord_RoundTripsCompressed_AndReadsTheSameWithCompressionOff(string backend)
    {
        var metadata = LargeMetadata();
        string id, small;
        await using (var storage = Open(backend, compress: true))
        {
            id = await storage.SaveMetadataAsync("model", "validation", "shap", metadata, "2.0", "large");
            small = await storage.SaveMetadataAsync("model", "validation", "small", new { accuracy = 0.9 });
            var r = (await storage.GetMetadataAsync(id))!;
            Assert.Equal(PythonJson.Serialize(metadata, PythonJsonStyle.Compact), PythonJson.Serialize(r.Metadata, PythonJsonStyle.Compact));
            Assert.Equal(PythonJson.Hash(metadata), r.MetadataHash); // the hash of the uncompressed metadata
        }
        string root = _folder.Combine(backend);
        if (backend == "sqlite")
        {
            using var connection = new SqliteConnection($"Data Source={Path.Combine(root, "ciaf_metadata.db")};Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT m.metadata_json, b.codec, b.size, length(b.payload) FROM metadata m JOIN ciaf_metadata_blobs b ON b.id = m.id";
            using var reader = command.ExecuteReader();
            Assert.True(reader.Read());
            long size = PythonJson.Serialize(metadata, PythonJsonStyle.Compact).Length;
            Assert.Equal($"{{\"$ciaf_compressed\": \"zstd\", \"size\": {size}}}", reader.GetString(0));
            Assert.Equal("zstd", reader.GetString(1));
            Assert.Equal(size, reader.GetInt64(2));
            Assert.True(reader.GetInt64(3) < size / 2);
            Assert.False(reader.Read()); // the small record has no blob
        }
        else
        {
            string ext = backend == "json" ? ".json" : ".pkl";
            Assert.Single(Files(root, "*" + ext + FileMetadataBackendSuffix));
            Assert.Single(Files(root, "*" + ext));
        }
        await using (var plain = Open(backend, compress: false))
        {
            var r = (await plain.GetMetadataAsync(id))!;
            Assert.Equal(PythonJson.Serialize(metadata, PythonJsonStyle.Compact), PythonJson.Serialize(r.Metadata, PythonJsonStyle.Compact));
            Assert.Equal(["shap", "small"], (await plain.GetModelMetadataAsync("model", "validation", limit: null)).Select(x => x.EventType).Order(StringComparer.Ordinal));
            Assert.NotNull(await plain.GetMetadataAsync(small));
            // Rewritten with compression off, the record becomes plain and its compressed form goes.
            await plain.Core.WriteStoredAsync([r], []);
            Assert.Equal(PythonJson.Hash(metadata), (await plain.GetMetadataAsync(id))!.MetadataHash);
            Assert.Equal(2, (await plain.GetPerformanceMetricsAsync()).RecordCount);
        }
        if (backend == "sqlite")
        {
            using var connection = new SqliteConnection($"Data Source={Path.Combine(root, "ciaf_metadata.db")};Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM ciaf_metadata_blobs";
            Assert.Equal(0L, command.ExecuteScalar());
        }
        else
        {
            Assert.Empty(Files(root, "*" + FileMetadataBackendSuffix));
        }
    }

    private const string FileMetadataBackendSuffix = Ciaf.Metadata.Backends.Files.FileMetadataBackend.CompressedFileSuffix;

    [Fact]
    public async Task Sqlite_CompressionOn_JsonExtractStillWorksOnSmallRecords()
    {
        string big;
        await using (var storage = Open("sqlite", compress: true, threshold: 1024))
        {
            await storage.SaveMetadataAsync("m", "training", "e", new { accuracy = 0.95, algorithm = "RandomForest" });
            string gone = await storage.SaveMetadataAsync("m", "training", "e", new { accuracy = 0.5, blob = new string('x', 4000) });
            big = await storage.SaveMetadataAsync("m", "training", "e", new { accuracy = 0.5, blob = new string('y', 4000) });
            using var deleter = new SqliteConnection($"Data Source={storage.DbPath};Pooling=False");
            deleter.Open();
            using var delete = deleter.CreateCommand();
            delete.CommandText = "DELETE FROM metadata WHERE id = $id"; // as the reference's cleanup would: the trigger takes the blob
            delete.Parameters.AddWithValue("$id", gone);
            Assert.Equal(1, delete.ExecuteNonQuery());
        }
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_folder.Combine("sqlite"), "ciaf_metadata.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT json_extract(metadata_json, '$.accuracy') FROM metadata WHERE json_extract(metadata_json, '$.accuracy') > 0.9";
        Assert.Equal(0.95, command.ExecuteScalar());
        command.CommandText = "SELECT json_extract(metadata_json, '$.\"$ciaf_compressed\"') FROM metadata WHERE id = $id";
        command.Parameters.AddWithValue("$id", big);
        Assert.Equal("zstd", command.ExecuteScalar());
        command.CommandText = "SELECT COUNT(*) FROM ciaf_metadata_blobs";
        Assert.Equal(1L, command.ExecuteScalar());
    }

    [Theory]
    [InlineData("json")]
    [InlineData("sqlite")]
    public async Task Metadata_ThatLooksLikeAMarker_IsStoredAndReadAsPlainData(string backend)
    {
        await using var storage = Open(backend, compress: true, threshold: 0);
        var lookalike = new JsonObject { ["$ciaf_compressed"] = "zstd", ["size"] = 5 };
        string id = await storage.SaveMetadataAsync("m", "training", "e", lookalike);
        Assert.Equal(PythonJson.Canonical(lookalike), PythonJson.Canonical((await storage.GetMetadataAsync(id))!.Metadata));
    }

    // ------------------------------------------------------------------ decompression bombs

    private const long BombLimit = 1024 * 1024;

    /// <summary>256 MiB of spaces in one zstd frame, a few kilobytes long; without a declared size when streamed.</summary>
    private static byte[] Bomb(bool declareSize)
    {
        byte[] chunk = new byte[1024 * 1024];
        Array.Fill(chunk, (byte)' ');
        using var output = new MemoryStream();
        if (declareSize)
        {
            using var compressor = new Compressor(19);
            return compressor.Wrap(new byte[256 * 1024 * 1024]).ToArray();
        }
        using (var stream = new CompressionStream(output, 19))
        {
            for (int i = 0; i < 256; i++) stream.Write(chunk);
        }
        return output.ToArray();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Sqlite_DecompressionBomb_RefusedWithAClearErrorWithoutExpanding(bool declareSize)
    {
        string root = _folder.Combine("bomb-sqlite");
        await using (var storage = new MetadataStorage(root, "sqlite"))
        {
        }
        byte[] bomb = Bomb(declareSize);
        Assert.True(bomb.Length < 100_000);
        string id = Guid.NewGuid().ToString();
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(root, "ciaf_metadata.db")};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText =
                "INSERT INTO metadata (id, model_name, model_version, stage, event_type, timestamp, metadata_hash, details, metadata_json) " +
                "VALUES ($id, 'm', '1.0.0', 'training', 'e', '2026-01-01T00:00:00+00:00', 'x', NULL, '{\"$ciaf_compressed\": \"zstd\", \"size\": 100}');" +
                "INSERT INTO ciaf_metadata_blobs (id, codec, size, payload) VALUES ($id, 'zstd', 100, $payload)";
            command.Parameters.AddWithValue("$id", id);
            command.Parameters.AddWithValue("$payload", bomb);
            command.ExecuteNonQuery();
        }
        var errors = new List<(string Location, Exception Error)>();
        await using var backend = MetadataBackends.Create("sqlite", new BackendContext
        {
            StoragePath = root,
            MaxMetadataBytes = BombLimit,
            ReportCorrupt = (location, error) => errors.Add((location, error)),
        });
        long before = GC.GetTotalAllocatedBytes(precise: true);
        Assert.Null(await backend.GetAsync(id));
        Assert.Empty(await backend.QueryAsync(new MetadataQuery { ModelName = "m" }).ToListAsync());
        Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < 32 * 1024 * 1024, "the bomb was expanded");
        Assert.Equal(2, errors.Count);
        Assert.EndsWith("#" + id, errors[0].Location, StringComparison.Ordinal);
        Assert.Contains("expands past 1048576 bytes, the store's limit (max_metadata_bytes); refused without expanding it", errors[0].Error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("json", "2026-01-01_training_{0}.json.zst", true)]
    [InlineData("pickle", "training_{0}.pkl.zst", false)]
    public async Task Files_DecompressionBomb_RefusedWithAClearErrorWithoutExpanding(string backendName, string nameFormat, bool declareSize)
    {
        string root = _folder.Combine("bomb-" + backendName);
        string id = Guid.NewGuid().ToString();
        Directory.CreateDirectory(Path.Combine(root, "m"));
        File.WriteAllBytes(Path.Combine(root, "m", string.Format(System.Globalization.CultureInfo.InvariantCulture, nameFormat, id)), Bomb(declareSize));
        var errors = new List<(string Location, Exception Error)>();
        await using var backend = MetadataBackends.Create(backendName, new BackendContext
        {
            StoragePath = root,
            MaxMetadataBytes = BombLimit,
            ReportCorrupt = (location, error) => errors.Add((location, error)),
        });
        long before = GC.GetTotalAllocatedBytes(precise: true);
        Assert.Null(await backend.GetAsync(id));
        Assert.Empty(await backend.QueryAsync(new MetadataQuery()).ToListAsync());
        Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < 48 * 1024 * 1024, "the bomb was expanded");
        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.IsType<InvalidDataException>(e.Error));
        Assert.Contains("expands past 5242880 bytes", errors[0].Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decompress_CorruptPayload_IsInvalidData()
    {
        Assert.Throws<InvalidDataException>(() => MetadataCompression.Decompress([0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3], "zstd", BombLimit, "limit"));
        Assert.Throws<InvalidDataException>(() => MetadataCompression.Decompress([1, 2, 3], "gzip", BombLimit, "limit"));
        Assert.Throws<InvalidDataException>(() => MetadataCompression.Decompress([1, 2, 3], "rar", BombLimit, "limit"));
        byte[] data = "{\"a\": 1}"u8.ToArray();
        Assert.Equal(data, MetadataCompression.Decompress(MetadataCompression.CompressZstd(data), "zstd", BombLimit, "limit"));
    }
}
