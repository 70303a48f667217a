using System.Text.Json.Nodes;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Backends;

/// <summary>The Python reference's pickle store and its <c>EXPECTED.json</c>.</summary>
internal static class PickleFixtures
{
    public static string StoreRoot => PyciafFixtures.StoresPath;

    public static string PickleStore => PyciafFixtures.Store("pickle");

    public static JsonObject Expected => PyciafFixtures.ExpectedShared;

    public static IEnumerable<JsonObject> ExpectedRecords => PyciafFixtures.ExpectedRecords;

    public static JsonObject ExpectedRecord(string id) => ExpectedRecords.Single(r => (string)r["id"]! == id);

    public static JsonObject Extras(string id) => Expected["record_extras"]![id]!.AsObject();

    public static string PickleFile(string id) =>
        Path.Combine(PickleStore, ((string)Extras(id)["pickle_file"]!).Replace('/', Path.DirectorySeparatorChar));

    public static TheoryData<string> RecordIds()
    {
        var data = new TheoryData<string>();
        foreach (var r in ExpectedRecords) data.Add((string)r["id"]!);
        return data;
    }

    /// <summary>Asserts that <paramref name="actual"/> is the reference's record field by field.</summary>
    public static void AssertRecordEquals(JsonObject expected, MetadataRecord actual)
    {
        Assert.Equal((string)expected["id"]!, actual.Id);
        Assert.Equal((string)expected["model_name"]!, actual.ModelName);
        Assert.Equal((string)expected["model_version"]!, actual.ModelVersion);
        Assert.Equal((string)expected["stage"]!, actual.Stage);
        Assert.Equal((string)expected["event_type"]!, actual.EventType);
        Assert.Equal((string)expected["timestamp"]!, PythonTimestamp.Format(actual.Timestamp));
        Assert.Equal((string)expected["metadata_hash"]!, actual.MetadataHash);
        Assert.Equal((string?)expected["details"], actual.Details);
        Assert.Equal(PythonJson.Canonical(expected["metadata"]), PythonJson.Canonical(actual.Metadata));
        // insertion order too, not only the sorted form
        Assert.Equal(PythonJson.Serialize(expected["metadata"], PythonJsonStyle.Compact), PythonJson.Serialize(actual.Metadata, PythonJsonStyle.Compact));
    }
}
