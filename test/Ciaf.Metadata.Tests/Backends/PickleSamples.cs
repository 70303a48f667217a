using System.Numerics;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Metadata.Tests.Backends;

/// <summary>Records for the Pickle tests.</summary>
internal static class PickleSamples
{
    public static MetadataRecord SimpleRecord(string? id = null) => Make(id ?? Guid.NewGuid().ToString(), new JsonObject
    {
        ["accuracy"] = 0.95,
        ["epochs"] = 10,
        ["tags"] = new JsonArray("a", "b"),
    });

    /// <summary>A record whose metadata holds every value the codec must keep exactly.</summary>
    public static MetadataRecord EdgeRecord(string? id = null)
    {
        var metadata = new JsonObject
        {
            ["ints"] = new JsonArray(
                JsonNode.Parse("18446744073709551617"), JsonNode.Parse("-18446744073709551617"),
                long.MinValue, long.MaxValue, JsonNode.Parse("9223372036854775808"), 0, -1, 255, 256, 65535, 65536,
                int.MaxValue, (long)int.MaxValue + 1, int.MinValue, (long)int.MinValue - 1,
                JsonValue.Create(BigInteger.Pow(10, 700))),
            ["floats"] = new JsonArray(-0.0, 5e-324, double.NaN, double.PositiveInfinity, double.NegativeInfinity,
                0.1, 1e-05, 1e16, 1.5e300, 100.0, JsonNode.Parse("2.50"), JsonNode.Parse("1E400")),
            ["unicode"] = "\U0001F680 rocket \U0001D11E",
            ["lone_surrogate"] = "a\ud800b",
            ["control"] = "\u0000\u001f\u007f\u2028\n\t\"\\",
            [""] = 1,
            ["\U0001F600_emoji_key"] = "emoji key",
            ["\uFF5A_fullwidth"] = "fullwidth",
            ["nested"] = new JsonArray(new JsonArray(new JsonArray(new JsonArray(), new JsonObject())), new JsonArray(1, new JsonArray(2, new JsonArray(3)))),
            ["empty_dict"] = new JsonObject(),
            ["empty_list"] = new JsonArray(),
            ["one_item_dict"] = new JsonObject { ["k"] = "v" },
            ["one_item_list"] = new JsonArray("only"),
            ["none"] = null,
            ["bools"] = new JsonArray(true, false),
            ["clr"] = new JsonObject
            {
                ["int"] = 7, ["short"] = (short)-3, ["ulong"] = ulong.MaxValue, ["float"] = 0.1f, ["decimal"] = 1.25m,
                ["char"] = 'x', ["uint128"] = JsonValue.Create(UInt128.MaxValue),
            },
            ["parsed"] = JsonNode.Parse("""{"a": [1, 2.0, "x", null, true, {"b": 18446744073709551617}], "c": -0.0}"""),
            ["long_list"] = new JsonArray([.. Enumerable.Range(0, 2001).Select(i => (JsonNode?)i)]),
            ["batch_dict"] = new JsonObject(Enumerable.Range(0, 1000).Select(i => KeyValuePair.Create($"key{i}", (JsonNode?)i))),
            ["big_string"] = new string('x', 70_000) + "\u00e9",
            ["repeated"] = new JsonArray(new JsonObject { ["accuracy"] = 1 }, new JsonObject { ["accuracy"] = 2 }),
        };
        return Make(id ?? Guid.NewGuid().ToString(), metadata) with { Details = "edge \u00e9 values", ModelName = "r\u00e9sum\u00e9_ranker" };
    }

    public static MetadataRecord Make(string id, JsonObject metadata) => new(
        id, "credit_scoring", "2.1.0", "training", "training_completed",
        new DateTimeOffset(2026, 3, 1, 0, 0, 1, TimeSpan.Zero).AddTicks(2_345_670), PythonJson.Hash(metadata), null, metadata);

    /// <summary>Asserts two records are equal field by field, metadata by its canonical and its insertion-order JSON.</summary>
    public static void AssertSame(MetadataRecord expected, MetadataRecord actual)
    {
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.ModelName, actual.ModelName);
        Assert.Equal(expected.ModelVersion, actual.ModelVersion);
        Assert.Equal(expected.Stage, actual.Stage);
        Assert.Equal(expected.EventType, actual.EventType);
        Assert.Equal(expected.Timestamp, actual.Timestamp);
        Assert.Equal(PythonTimestamp.Format(expected.Timestamp), PythonTimestamp.Format(actual.Timestamp));
        Assert.Equal(expected.MetadataHash, actual.MetadataHash);
        Assert.Equal(expected.Details, actual.Details);
        Assert.Equal(PythonJson.Canonical(expected.Metadata), PythonJson.Canonical(actual.Metadata));
        Assert.Equal(PythonJson.Serialize(expected.Metadata, PythonJsonStyle.Compact), PythonJson.Serialize(actual.Metadata, PythonJsonStyle.Compact));
        Assert.Equal(expected.MetadataHash, PythonJson.Hash(actual.Metadata));
    }
}
