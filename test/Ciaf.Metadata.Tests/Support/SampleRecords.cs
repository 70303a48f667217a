using System.Text.Json.Nodes;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Metadata.Tests.Support;

/// <summary>Builds records the way the facade would (hash over the metadata, microsecond timestamps).</summary>
public static class SampleRecords
{
    /// <summary>A fixed instant to build timestamps from.</summary>
    public static readonly DateTimeOffset BaseTime = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A record with a fresh UUID unless <paramref name="id"/> is given.</summary>
    public static MetadataRecord Create(string model = "credit_scoring", string stage = "training",
        DateTimeOffset? timestamp = null, JsonObject? metadata = null, string? id = null,
        string eventType = "training_completed", string? details = null, string version = "1.0.0")
    {
        metadata ??= new JsonObject { ["accuracy"] = 0.95, ["epochs"] = 10 };
        return new MetadataRecord(id ?? Guid.NewGuid().ToString(), model, version, stage, eventType,
            PythonTimestamp.Truncate(timestamp ?? BaseTime), PythonJson.Hash(metadata), details, metadata);
    }
}
