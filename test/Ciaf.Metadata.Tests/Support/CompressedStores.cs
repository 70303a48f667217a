using Microsoft.Data.Sqlite;

namespace Ciaf.Metadata.Tests.Support;

/// <summary>Helpers for stores written with compression on: the conformance threshold and corrupt compressed entries.</summary>
internal static class CompressedStores
{
    /// <summary>
    /// The threshold of the compressed conformance runs: 16 bytes, so nearly every record of the suite is compressed
    /// while the smallest metadata (<c>{"a": 1}</c> is 8 bytes) stays plain.
    /// </summary>
    public const long TestThresholdBytes = 16;

    /// <summary>A compressed record file whose payload is not zstd at all.</summary>
    public static void PlantZstdFile(string root, string model, string nameFormat) =>
        File.WriteAllBytes(Path.Combine(root, model, string.Format(System.Globalization.CultureInfo.InvariantCulture, nameFormat, Guid.NewGuid())),
            [0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x01, 0x02, 0x03]);

    /// <summary>A compressed row whose blob is garbage.</summary>
    public static void PlantSqliteBlob(string root, string model)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(root, "ciaf_metadata.db")};Pooling=False");
        connection.Open();
        string id = Guid.NewGuid().ToString();
        using var command = connection.CreateCommand();
        command.CommandText =
            "INSERT INTO metadata (id, model_name, model_version, stage, event_type, timestamp, metadata_hash, details, metadata_json) " +
            "VALUES ($id, $model, '1.0.0', 'training', 'e', '2026-01-01T00:00:00+00:00', 'x', NULL, '{\"$ciaf_compressed\": \"zstd\", \"size\": 10}');" +
            "INSERT INTO ciaf_metadata_blobs (id, codec, size, payload) VALUES ($id, 'zstd', 10, x'28b52ffd00010203')";
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$model", model);
        command.ExecuteNonQuery();
    }
}
