using System.Text.Json.Nodes;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;
using Ciaf.Metadata.Transfer;

namespace Ciaf.Metadata.Tests.Hardening;

/// <summary>Record contents that used to be written but not read back: lone UTF-16 surrogates and deep nesting.</summary>
public sealed class RecordContentHardeningTests : IDisposable
{
    private const string LoneSurrogate = "\ud800";

    private static readonly string[] ExportFormats = ["json", "jsonl", "csv", "xml", "parquet"];

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private MetadataStorage Open(string name, string backend = "json") =>
        new(new MetadataStorageOptions { StoragePath = _folder.Combine(name), Backend = backend });

    /// <summary>Metadata nested <paramref name="levels"/> objects deep, the metadata object itself included.</summary>
    private static JsonObject Nested(int levels)
    {
        var root = new JsonObject { ["leaf"] = 1 };
        for (int i = 1; i < levels; i++) root = new JsonObject { ["n"] = root };
        return root;
    }

    /// <summary>
    /// Writes a record file as Python's <c>json.dump(record, f, indent=2)</c> does, named and placed as the store's
    /// file of record <paramref name="besideId"/> (same model, stage and date).
    /// </summary>
    private static string WritePythonRecord(MetadataStorage storage, string besideId, string id, string metadataJson)
    {
        string beside = Directory.EnumerateFiles(storage.StoragePath, "*_" + besideId + ".json", SearchOption.AllDirectories).Single();
        string path = Path.Combine(Path.GetDirectoryName(beside)!, Path.GetFileName(beside).Replace(besideId, id, StringComparison.Ordinal));
        Python.Run("""
            import hashlib, json, sys
            metadata = json.loads(sys.argv[3])
            record = {"id": sys.argv[2], "model_name": "m", "model_version": "1.0.0", "stage": "s", "event_type": "e",
                      "timestamp": "2026-03-01T12:00:00", "details": None, "metadata": metadata,
                      "metadata_hash": hashlib.sha256(json.dumps(metadata, sort_keys=True).encode()).hexdigest()}
            with open(sys.argv[1], "w") as f:
                json.dump(record, f, indent=2)
            """, path, id, metadataJson);
        return path;
    }

    // ------------------------------------------------------------------ lone surrogates

    [Fact]
    public void Hash_LoneSurrogate_MatchesPython()
    {
        string expected = Python.Run("""
            import hashlib, json
            print(hashlib.sha256(json.dumps({"a": "\ud800", "b": "x\udfffy"}, sort_keys=True).encode()).hexdigest())
            """).Trim();

        Assert.Equal(expected, PythonJson.Hash(new JsonObject { ["a"] = LoneSurrogate, ["b"] = "x\udfffy" }));
    }

    [Theory]
    [InlineData("""{"a": "\ud800"}""")]
    [InlineData("""{"a": "x\udfffy", "\udc00": ["\ud83d"]}""")]
    [InlineData("""{"ok": "\ud83d\ude00", "lone": "\ud83d"}""")]
    public void Parse_LoneSurrogateEscape_RoundTripsExactly(string json)
    {
        string expected = Python.Run("import json, sys; print(json.dumps(json.loads(sys.argv[1]), sort_keys=True))", json).TrimEnd('\n');

        var node = PythonJson.Parse(json);
        var bytesNode = PythonJson.Parse(System.Text.Encoding.UTF8.GetBytes(json));

        Assert.Equal(expected, PythonJson.Canonical(node));
        Assert.Equal(expected, PythonJson.Canonical(bytesNode));
    }

    [Theory]
    [InlineData("json")]
    [InlineData("sqlite")]
    [InlineData("pickle")]
    public void SaveMetadata_LoneSurrogate_RoundTripsWithPythonsHash(string backend)
    {
        using var storage = Open("store", backend);

        string id = storage.SaveMetadata("m", "s", "e", new Dictionary<string, object> { ["a"] = LoneSurrogate });

        var record = storage.GetMetadata(id);
        Assert.NotNull(record);
        Assert.Equal(LoneSurrogate, record.Metadata["a"]!.GetValue<string>());
        Assert.Equal(PythonJson.Hash(new JsonObject { ["a"] = LoneSurrogate }), record.MetadataHash);
        Assert.True(storage.Verify().IsValid);
    }

    [Theory]
    [InlineData("json")]
    [InlineData("sqlite")]
    [InlineData("pickle")]
    public void SaveMetadata_LoneSurrogateCompressed_RoundTripsWithPythonsHash(string backend)
    {
        using var storage = new MetadataStorage(new MetadataStorageOptions
        {
            StoragePath = _folder.Combine("store"), Backend = backend, EnableCompression = true, CompressionThresholdBytes = 16,
        });
        var metadata = new JsonObject { ["a"] = LoneSurrogate + new string('x', 100), ["b"] = "\udfff" };

        string id = storage.SaveMetadata("m", "s", "e", metadata);

        var record = storage.GetMetadata(id)!;
        Assert.Equal(PythonJson.Canonical(metadata), PythonJson.Canonical(record.Metadata));
        Assert.Equal(PythonJson.Hash(metadata), record.MetadataHash);
        Assert.True(storage.Verify().IsValid);
    }

    [Theory]
    [InlineData("json")]
    [InlineData("pickle")]
    public void SaveMetadata_JsonNodeParsedBySystemTextJsonWithLoneSurrogate_RoundTrips(string backend)
    {
        using var storage = Open("store", backend);

        string id = storage.SaveMetadata("m", "s", "e", JsonNode.Parse("""{"a": "\ud800", "b": ["\udc00x"]}"""));

        var record = storage.GetMetadata(id)!;
        Assert.Equal(LoneSurrogate, record.Metadata["a"]!.GetValue<string>());
        Assert.Equal(PythonJson.Hash(new JsonObject { ["a"] = LoneSurrogate, ["b"] = new JsonArray("\udc00x") }), record.MetadataHash);
        Assert.True(storage.Verify().IsValid);
    }

    [Fact]
    public void SaveMetadata_SystemTextJsonKeyWithLoneSurrogate_IsRefusedClearly()
    {
        using var storage = Open("store");

        var ex = Assert.Throws<ArgumentException>(() => storage.SaveMetadata("m", "s", "e", JsonNode.Parse("""{"\ud800": 1}""")));

        Assert.Contains("lone UTF-16 surrogate", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WholeStoreOperations_PythonWrittenLoneSurrogateRecord_ReadAndProcessed()
    {
        using var storage = Open("store");
        string good = storage.SaveMetadata("m", "s", "e", new { accuracy = 0.9 });
        WritePythonRecord(storage, good, "py-lone", """{"a": "\ud800", "b": {"c": "x\udfff"}}""");
        Assert.Equal(1, storage.Ledger.Init()); // written around the store's ledger: adopted, as `ciaf ledger init` does

        var report = storage.Verify();
        var record = storage.GetMetadata("py-lone");

        Assert.True(report.IsValid, string.Join("; ", report.Issues.Select(i => i.Detail)));
        Assert.Equal(2, report.RecordsChecked);
        Assert.NotNull(record);
        Assert.Equal(LoneSurrogate, record.Metadata["a"]!.GetValue<string>());
        Assert.NotNull(storage.GetMetadata(good));
        foreach (string format in ExportFormats)
        {
            string path = storage.ExportMetadata(format: format, outputPath: _folder.Combine("export." + format));
            Assert.True(new FileInfo(path).Length > 0, format);
        }
        Assert.Contains("\\ud800", File.ReadAllText(_folder.Combine("export.jsonl")), StringComparison.Ordinal);
        Assert.Contains("\\ud800", File.ReadAllText(_folder.Combine("export.xml")), StringComparison.Ordinal);
        Assert.Contains("\ufffd", File.ReadAllText(_folder.Combine("export.csv")), StringComparison.Ordinal);
        using var target = Open("migrated", "sqlite");
        var migration = storage.MigrateTo(target);
        Assert.Equal(2, migration.RecordsCopied);
        Assert.Equal(LoneSurrogate, target.GetMetadata("py-lone")!.Metadata["a"]!.GetValue<string>());
        Assert.True(target.Verify().IsValid);
    }

    [Fact]
    public void ImportMetadata_JsonlExportWithLoneSurrogate_RoundTrips()
    {
        using var storage = Open("store");
        string id = storage.SaveMetadata("m", "s", "e", new Dictionary<string, object> { ["a"] = LoneSurrogate });
        string file = storage.ExportMetadata(format: "jsonl", outputPath: _folder.Combine("export.jsonl"));
        using var target = Open("imported", "sqlite");

        var result = target.ImportMetadata(file);

        Assert.Equal(1, result.Imported);
        Assert.Equal(LoneSurrogate, target.GetMetadata(id)!.Metadata["a"]!.GetValue<string>());
        Assert.True(target.Verify().IsValid);
    }

    // ------------------------------------------------------------------ nesting depth

    [Theory]
    [InlineData("json")]
    [InlineData("sqlite")]
    [InlineData("pickle")]
    public void SaveMetadata_NestedExactlyAtTheLimit_SavesAndReadsBack(string backend)
    {
        using var storage = Open("store", backend);
        var metadata = Nested(MetadataConverter.MaxDepth);

        string id = storage.SaveMetadata("m", "s", "e", metadata);

        var record = storage.GetMetadata(id);
        Assert.NotNull(record);
        Assert.Equal(PythonJson.Canonical(metadata), PythonJson.Canonical(record.Metadata));
        Assert.True(storage.Verify().IsValid);
    }

    [Theory]
    [InlineData("json")]
    [InlineData("sqlite")]
    [InlineData("pickle")]
    public void SaveMetadata_OneLevelPastTheLimit_IsRefusedNamingTheLimit(string backend)
    {
        using var storage = Open("store", backend);

        var ex = Assert.Throws<ArgumentException>(() => storage.SaveMetadata("m", "s", "e", Nested(MetadataConverter.MaxDepth + 1)));

        Assert.Equal("metadata", ex.ParamName);
        Assert.Contains($"{MetadataConverter.MaxDepth} levels", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, storage.GetPerformanceMetrics().RecordCount);
    }

    [Fact]
    public void SaveMetadata_255LevelsDeep_IsRefused()
    {
        using var storage = Open("store");

        Assert.Throws<ArgumentException>(() => storage.SaveMetadata("m", "s", "e", Nested(255)));
        foreach (int levels in new[] { 255, 1000 })
        {
            var element = System.Text.Json.JsonDocument.Parse(Nested(levels).ToJsonString(), new System.Text.Json.JsonDocumentOptions { MaxDepth = 2000 }).RootElement;
            var ex = Assert.Throws<ArgumentException>(() => storage.SaveMetadata("m", "s", "e", element));
            Assert.Contains($"{MetadataConverter.MaxDepth} levels", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void MigrateTo_SqliteRecordAtTheLimitToJson_LeavesAReadableRecord()
    {
        using var source = Open("source", "sqlite");
        string id = source.SaveMetadata("m", "s", "e", Nested(MetadataConverter.MaxDepth));
        using var target = Open("target");

        var report = source.MigrateTo(target);

        Assert.Equal(1, report.RecordsCopied);
        Assert.NotNull(target.GetMetadata(id));
        Assert.True(target.Verify().IsValid);
    }

    [Fact]
    public void Verify_HandWrittenRecordDeeperThanTheLimit_IsReportedUnreadableAndSkippedByExport()
    {
        using var storage = Open("store");
        string good = storage.SaveMetadata("m", "s", "e", new { accuracy = 0.9 });
        string deep = WritePythonRecord(storage, good, "too-deep", Nested(MetadataConverter.MaxDepth + 1).ToJsonString());

        var report = storage.Verify();

        var issue = Assert.Single(report.Issues);
        Assert.Equal(VerificationIssueKind.Unreadable, issue.Kind);
        Assert.Equal(deep, issue.Location);
        Assert.Contains($"{MetadataConverter.MaxDepth} levels", issue.Detail, StringComparison.Ordinal);
        Assert.Null(storage.GetMetadata("too-deep"));
        string export = storage.ExportMetadata(format: "jsonl", outputPath: _folder.Combine("export.jsonl"));
        Assert.Single(File.ReadAllLines(export));
    }
}

/// <summary>The depth limit and lone surrogates on PostgreSQL, whose <c>metadata_text</c> is the source of truth.</summary>
[Collection(Backends.PostgreSql.PostgreSqlCollection.Name)]
public sealed class PostgreSqlRecordContentHardeningTests(Backends.PostgreSql.PostgreSqlServer server) : IDisposable
{
    private readonly TempDirectory _folder = new();
    private readonly string _connectionString = server.NewSchemaConnectionString();

    public void Dispose() => _folder.Dispose();

    private Ciaf.Metadata.PostgreSql.PostgreSqlMetadataBackend Open(List<string> corrupt) => new(new BackendContext
    {
        StoragePath = _folder.Path,
        ConnectionString = _connectionString,
        ReportCorrupt = (location, _) => corrupt.Add(location),
    }, new Ciaf.Metadata.PostgreSql.PostgreSqlBackendOptions());

    private static JsonObject Nested(int levels)
    {
        var root = new JsonObject { ["leaf"] = "\ud800" };
        for (int i = 1; i < levels; i++) root = new JsonObject { ["n"] = root };
        return root;
    }

    [Fact]
    public async Task GetAsync_AtTheLimitWithALoneSurrogate_ReadsBackExactly()
    {
        var corrupt = new List<string>();
        await using var backend = Open(corrupt);
        var record = SampleRecords.Create(metadata: Nested(MetadataConverter.MaxDepth));

        await backend.WriteAsync([record]);
        var read = await backend.GetAsync(record.Id);

        Assert.NotNull(read);
        Assert.Equal(PythonJson.Canonical(record.Metadata), PythonJson.Canonical(read.Metadata));
        Assert.Empty(corrupt);
    }

    [Fact]
    public async Task GetAsync_MetadataTextDeeperThanTheLimit_IsReportedCorrupt()
    {
        var corrupt = new List<string>();
        await using var backend = Open(corrupt);
        var record = SampleRecords.Create();
        await backend.WriteAsync([record]);
        string schema = new Npgsql.NpgsqlConnectionStringBuilder(_connectionString).SearchPath!;
        using (var connection = server.OpenConnection(_connectionString))
        using (var command = new Npgsql.NpgsqlCommand($"UPDATE \"{schema}\".metadata SET metadata_text = $1 WHERE id = $2", connection))
        {
            command.Parameters.AddWithValue(PythonJson.Canonical(Nested(MetadataConverter.MaxDepth + 1)));
            command.Parameters.AddWithValue(record.Id);
            Assert.Equal(1, command.ExecuteNonQuery());
        }

        var read = await backend.GetAsync(record.Id);

        Assert.Null(read);
        Assert.Single(corrupt);
    }
}
