using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Ciaf.Metadata.Tests.Conformance;

// One subclass per backend and write mode: the whole suite runs against each, unchanged.

public sealed class JsonImmediateConformance : StorageConformanceTests
{
    protected override string BackendName => "json";
    protected override WriteMode Mode => WriteMode.Immediate;
    protected override string? FixtureStore => "json";
    protected override void PlantCorruptRecord(string root, string modelName) => CorruptFiles.PlantJson(root, modelName);
}

public sealed class JsonBufferedConformance : StorageConformanceTests
{
    protected override string BackendName => "json";
    protected override WriteMode Mode => WriteMode.Buffered;
    protected override string? FixtureStore => "json";
    protected override void PlantCorruptRecord(string root, string modelName) => CorruptFiles.PlantJson(root, modelName);
}

public sealed class SqliteImmediateConformance : StorageConformanceTests
{
    protected override string BackendName => "sqlite";
    protected override WriteMode Mode => WriteMode.Immediate;
    protected override string? FixtureStore => "sqlite";
    protected override void PlantCorruptRecord(string root, string modelName) => CorruptFiles.PlantSqlite(root, modelName);
}

public sealed class SqliteBufferedConformance : StorageConformanceTests
{
    protected override string BackendName => "sqlite";
    protected override WriteMode Mode => WriteMode.Buffered;
    protected override string? FixtureStore => "sqlite";
    protected override void PlantCorruptRecord(string root, string modelName) => CorruptFiles.PlantSqlite(root, modelName);
}

public sealed class PickleImmediateConformance : StorageConformanceTests
{
    protected override string BackendName => "pickle";
    protected override WriteMode Mode => WriteMode.Immediate;
    protected override string? FixtureStore => "pickle";
    protected override void PlantCorruptRecord(string root, string modelName) => CorruptFiles.PlantPickle(root, modelName);
}

public sealed class PickleBufferedConformance : StorageConformanceTests
{
    protected override string BackendName => "pickle";
    protected override WriteMode Mode => WriteMode.Buffered;
    protected override string? FixtureStore => "pickle";
    protected override void PlantCorruptRecord(string root, string modelName) => CorruptFiles.PlantPickle(root, modelName);
}

// The same suite with compression on. The threshold is tiny so that nearly every record of the suite is stored
// compressed, while the smallest ({} or {"a": 1}) stay plain: every store under test mixes both kinds.

public sealed class JsonCompressedConformance : StorageConformanceTests
{
    protected override string BackendName => "json";
    protected override WriteMode Mode => WriteMode.Immediate;
    protected override string? FixtureStore => "json";
    protected override bool EnableCompression => true;
    protected override long CompressionThresholdBytes => CompressedStores.TestThresholdBytes;
    protected override void PlantCorruptRecord(string root, string modelName) => CompressedStores.PlantZstdFile(root, modelName, "2026-01-01_training_{0}.json.zst");
}

public sealed class SqliteCompressedConformance : StorageConformanceTests
{
    protected override string BackendName => "sqlite";
    protected override WriteMode Mode => WriteMode.Immediate;
    protected override string? FixtureStore => "sqlite";
    protected override bool EnableCompression => true;
    protected override long CompressionThresholdBytes => CompressedStores.TestThresholdBytes;
    protected override void PlantCorruptRecord(string root, string modelName) => CompressedStores.PlantSqliteBlob(root, modelName);
}

public sealed class SqliteBufferedCompressedConformance : StorageConformanceTests
{
    protected override string BackendName => "sqlite";
    protected override WriteMode Mode => WriteMode.Buffered;
    protected override string? FixtureStore => "sqlite";
    protected override bool EnableCompression => true;
    protected override long CompressionThresholdBytes => CompressedStores.TestThresholdBytes;
    protected override void PlantCorruptRecord(string root, string modelName) => CorruptFiles.PlantSqlite(root, modelName);
}

public sealed class PickleCompressedConformance : StorageConformanceTests
{
    protected override string BackendName => "pickle";
    protected override WriteMode Mode => WriteMode.Immediate;
    protected override string? FixtureStore => "pickle";
    protected override bool EnableCompression => true;
    protected override long CompressionThresholdBytes => CompressedStores.TestThresholdBytes;
    protected override void PlantCorruptRecord(string root, string modelName) => CompressedStores.PlantZstdFile(root, modelName, "training_{0}.pkl.zst");
}

public sealed class JsonProcessConformance : ProcessConformanceTests
{
    protected override string BackendName => "json";
}

public sealed class SqliteProcessConformance : ProcessConformanceTests
{
    protected override string BackendName => "sqlite";
}

public sealed class PickleProcessConformance : ProcessConformanceTests
{
    protected override string BackendName => "pickle";
}

[Collection(SerialCollection.Name)]
public sealed class JsonOperationsConformance : OperationsConformanceTests
{
    protected override string BackendName => "json";
    protected override string OtherBackend => "sqlite";
    protected override void EditRecordOnDisk(string root, string modelName, string id) => HandEdits.Json(root, modelName, id);
    protected override void PlantCorrupt(string root) => CorruptFiles.PlantJson(root, "credit scoring");
}

[Collection(SerialCollection.Name)]
public sealed class SqliteOperationsConformance : OperationsConformanceTests
{
    protected override string BackendName => "sqlite";
    protected override string OtherBackend => "json";
    protected override void EditRecordOnDisk(string root, string modelName, string id) => HandEdits.Sqlite(root, id);
    protected override void PlantCorrupt(string root) => CorruptFiles.PlantSqlite(root, "credit scoring");
}

[Collection(SerialCollection.Name)]
public sealed class PickleOperationsConformance : OperationsConformanceTests
{
    protected override string BackendName => "pickle";
    protected override string OtherBackend => "sqlite";
    protected override void EditRecordOnDisk(string root, string modelName, string id) => HandEdits.Pickle(root, modelName, id);
    protected override void PlantCorrupt(string root) => CorruptFiles.PlantPickle(root, "credit scoring");
}

/// <summary>Edits a stored record's metadata as a person would by hand, leaving its stored hash as it was.</summary>
internal static class HandEdits
{
    public static void Json(string root, string model, string id)
    {
        string path = Directory.GetFiles(Path.Combine(root, model), $"*{id}*.json").Single();
        var obj = Ciaf.Metadata.Hashing.PythonJson.Parse(File.ReadAllBytes(path))!.AsObject();
        obj["metadata"]!["env"] = "edited";
        File.WriteAllText(path, Ciaf.Metadata.Hashing.PythonJson.Serialize(obj, Ciaf.Metadata.Hashing.PythonJsonStyle.Indented));
    }

    public static void Pickle(string root, string model, string id)
    {
        string path = Directory.GetFiles(Path.Combine(root, model), $"*{id}*.pkl").Single();
        var record = Ciaf.Metadata.Backends.Pickle.PickleRecordCodec.Deserialize(File.ReadAllBytes(path));
        var metadata = (System.Text.Json.Nodes.JsonObject)record.Metadata.DeepClone();
        metadata["env"] = "edited";
        File.WriteAllBytes(path, Ciaf.Metadata.Backends.Pickle.PickleRecordCodec.Serialize(record with { Metadata = metadata }));
    }

    public static void Sqlite(string root, string id)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(root, "ciaf_metadata.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE metadata SET metadata_json = '{\"env\": \"edited\"}' WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        if (command.ExecuteNonQuery() != 1) throw new InvalidOperationException("no row " + id);
    }
}

internal static class CorruptFiles
{
    public static void PlantJson(string root, string model) =>
        File.WriteAllText(Path.Combine(root, model, $"2026-01-01_training_{Guid.NewGuid()}.json"), "{\"id\": \"truncated");

    public static void PlantPickle(string root, string model) =>
        File.WriteAllBytes(Path.Combine(root, model, $"training_{Guid.NewGuid()}.pkl"), [0x80, 0x04, 0x95, 0xff, 0x00]);

    public static void PlantSqlite(string root, string model)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(root, "ciaf_metadata.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO metadata (id, model_name, model_version, stage, event_type, timestamp, metadata_hash, details, metadata_json) " +
            "VALUES ($id, $model, '1.0.0', 'training', 'e', '2026-01-01T00:00:00+00:00', 'x', NULL, '{not json')";
        command.Parameters.AddWithValue("$id", Guid.NewGuid().ToString());
        command.Parameters.AddWithValue("$model", model);
        command.ExecuteNonQuery();
    }
}

public sealed class JsonImmediateSecurityConformance : SecurityConformanceTests
{
    protected override string BackendName => "json";
    protected override WriteMode Mode => WriteMode.Immediate;
}

public sealed class JsonBufferedSecurityConformance : SecurityConformanceTests
{
    protected override string BackendName => "json";
    protected override WriteMode Mode => WriteMode.Buffered;
}

public sealed class SqliteImmediateSecurityConformance : SecurityConformanceTests
{
    protected override string BackendName => "sqlite";
    protected override WriteMode Mode => WriteMode.Immediate;
}

public sealed class SqliteBufferedSecurityConformance : SecurityConformanceTests
{
    protected override string BackendName => "sqlite";
    protected override WriteMode Mode => WriteMode.Buffered;
}

public sealed class PickleImmediateSecurityConformance : SecurityConformanceTests
{
    protected override string BackendName => "pickle";
    protected override WriteMode Mode => WriteMode.Immediate;
}

public sealed class PickleBufferedSecurityConformance : SecurityConformanceTests
{
    protected override string BackendName => "pickle";
    protected override WriteMode Mode => WriteMode.Buffered;
}
