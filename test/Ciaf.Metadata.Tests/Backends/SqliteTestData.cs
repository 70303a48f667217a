using System.Text.Json.Nodes;
using Ciaf.Metadata.Backends.Sqlite;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Backends;

/// <summary>The Python reference's fixture (EXPECTED.json and its SQLite store) and sample records for the SQLite tests.</summary>
internal static class SqliteTestData
{
    public static string FixtureRoot => PyciafFixtures.StoresPath;

    public static string FixtureDb => Path.Combine(FixtureRoot, "sqlite", "ciaf_metadata.db");

    public static JsonObject Expected => PyciafFixtures.ExpectedShared;

    public static IReadOnlyList<MetadataRecord> ExpectedRecords =>
        [.. Expected["records"]!.AsArray().Select(n => RecordJson.FromJsonObject(n!.AsObject()))];

    public static IReadOnlyList<ComplianceEvent> ExpectedComplianceEvents =>
        [.. Expected["compliance_events"]!.AsArray().Select(n => RecordJson.ComplianceEventFromJsonObject(n!.AsObject()))];

    public static SqliteMetadataBackend Open(string folder, Action<string, Exception>? reportCorrupt = null, string journalMode = "WAL") =>
        new(new BackendContext
        {
            StoragePath = folder,
            BusyTimeout = TimeSpan.FromSeconds(30),
            ReportCorrupt = reportCorrupt ?? ((_, _) => { }),
        }, new SqliteBackendOptions { JournalMode = journalMode });

    public static MetadataRecord Record(string id, string model = "credit_scoring", string stage = "training",
        DateTimeOffset? timestamp = null, JsonObject? metadata = null, string? details = null)
    {
        metadata ??= new JsonObject { ["accuracy"] = 0.85, ["algorithm"] = "xgboost", ["n"] = 1 };
        return new MetadataRecord(id, model, "1.0.0", stage, "model_trained",
            timestamp ?? new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero), PythonJson.Hash(metadata), details, metadata);
    }

    public static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source) list.Add(item);
        return list;
    }

    public static void AssertSameRecord(MetadataRecord expected, MetadataRecord? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.ModelName, actual.ModelName);
        Assert.Equal(expected.ModelVersion, actual.ModelVersion);
        Assert.Equal(expected.Stage, actual.Stage);
        Assert.Equal(expected.EventType, actual.EventType);
        Assert.Equal(PythonTimestamp.Format(expected.Timestamp), PythonTimestamp.Format(actual.Timestamp));
        Assert.Equal(expected.Timestamp, actual.Timestamp);
        Assert.Equal(expected.MetadataHash, actual.MetadataHash);
        Assert.Equal(expected.Details, actual.Details);
        Assert.Equal(PythonJson.Canonical(expected.Metadata), PythonJson.Canonical(actual.Metadata));
    }
}
