using System.Collections;
using System.Numerics;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;

namespace Ciaf.Metadata.Tests.Hashing;

/// <summary>
/// The save path's fast lane (<see cref="MetadataConverter.TryWriteText"/>) must write exactly what the node path
/// (<see cref="MetadataConverter.ToJsonObject"/> then <see cref="PythonJson"/>) writes, or give up.
/// </summary>
public class MetadataConverterTextTests
{
    public enum Color { Red, Green }

    public sealed class Poco
    {
        public int Count { get; set; } = 3;
        [JsonPropertyName("zeta name")] public string? Renamed { get; set; } = "r";
        [JsonIgnore] public string Hidden { get; set; } = "h";
        public string? Missing { get; set; }
        public List<double> Values { get; set; } = [1.5, 2, -0.0];
    }

    public sealed record Run(string Name, int Epochs, double[] Losses);

    public readonly record struct Point(double X, int N, long L, bool Ok);

    public sealed class Clock
    {
        public DateTime Now => DateTime.UtcNow; // computed: may differ between two reads
    }

    public sealed class Throwing
    {
        public int Value => throw new InvalidOperationException("no");
    }

    public static TheoryData<string, object> Payloads() => new()
    {
        { "dictionaries", new Dictionary<string, object?> { ["b"] = 1, ["a"] = new Dictionary<string, object?> { ["y"] = "x", ["x"] = null }, ["c"] = new List<object?> { 1, "two", 3.0, true } } },
        { "anonymous", new { model_type = "RF", metrics = new { accuracy = 0.95, f1 = 1e-05 }, features = new[] { new { name = "f1", importance = 0.5 }, new { name = "f2", importance = 1e16 } } } },
        { "non-ASCII", new { name = "modèle", cjk = "模型", emoji = "😀", control = "a\u0001\n\t\"\\", key = new Dictionary<string, int> { ["é"] = 1, ["e"] = 2, ["😀"] = 3, ["\uffff"] = 4 } } },
        { "numbers", new { big = long.MaxValue, min = long.MinValue, ulong_max = ulong.MaxValue, bigint = BigInteger.Pow(10, 30), dec = 1.1m, f = 0.1f, half = (Half)0.5, nan = double.NaN, inf = double.NegativeInfinity, neg_zero = -0.0, whole = 100.0, small = 1e-7, b = (byte)7, s = (short)-3 } },
        { "scalars", new { when = new DateTimeOffset(2026, 1, 2, 3, 4, 5, 678, TimeSpan.FromHours(2)), dt = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc), local = new DateTime(2026, 1, 2), day = new DateOnly(2026, 1, 2), time = new TimeOnly(3, 4), span = TimeSpan.FromSeconds(90), id = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"), color = Color.Green, uri = new Uri("https://example.org/a?b"), version = new Version(1, 2, 3), bytes = new byte[] { 1, 2, 255 }, c = 'q', flag = false } },
        { "containers", new { tuple = (1, "a", 2.5), empty_list = new List<int>(), empty_obj = new { }, empty_dict = new Dictionary<string, object>(), ints = new Dictionary<int, string> { [2] = "b", [10] = "a" }, nested = new[] { new[] { 1, 2 }, new int[0] }, hash = new Hashtable { ["k"] = 1 } } },
        { "poco and record", new { poco = new Poco(), run = new Run("r1", 5, [0.5, 0.25]) } },
        { "poco root", new Poco() },
        { "record root", new Run("root", 1, []) },
        { "struct members", new { p = new Point(-0.5, int.MinValue, long.MinValue, true), ps = new[] { new Point(double.PositiveInfinity, 0, 1, false) }, n = int.MaxValue, ok = true } },
        { "sorted inside unsorted", new { z = new { a = 1, b = new[] { new { c = 2, d = 3 } } }, a = new { y = 1, x = 2 } } },
        { "separators in strings", new Dictionary<string, object?> { ["k, x: y"] = "a, b: c", ["q"] = "\\\", \": ", ["z"] = new[] { ", ", ": " } } },
        { "backslashes before quotes", new Dictionary<string, object?> { ["a\\"] = "x\\", ["b"] = "", ["c"] = "\\\\\"", ["d : e"] = new[] { "\\", " , " } } },
    };

    [Theory]
    [MemberData(nameof(Payloads))]
    public void TryWriteText_WritesWhatTheNodePathWrites(string shape, object payload)
    {
        Assert.True(MetadataConverter.TryWriteText(payload, out byte[] compactBytes, out int canonicalLength, out string hash, wantCanonical: true, out var canonicalWriter), shape);
        string compact = System.Text.Encoding.ASCII.GetString(compactBytes);
        byte[] canonical = canonicalWriter!.Written.ToArray();
        canonicalWriter.Return();

        var node = MetadataConverter.ToJsonObject(payload);
        Assert.Equal(PythonJson.Serialize(node, PythonJsonStyle.Compact), compact);
        Assert.Equal(PythonJson.Canonical(node).Length, canonicalLength);
        Assert.Equal(PythonJson.Hash(node), hash);
        Assert.Equal(PythonJson.Canonical(node), System.Text.Encoding.ASCII.GetString(canonical));
        // The ledger's minimal text, derived from the canonical one, is what the node path writes in that style.
        var writer = PythonJsonWriter.Rent();
        writer.WriteMinimal(canonical);
        Assert.Equal(PythonJson.Serialize(node, PythonJsonStyle.SortedMinimal), writer.ToString());
        writer.Return();
    }

    [Theory]
    [MemberData(nameof(Payloads))]
    public void RecordFile_FromTheCompactText_IsTheFileTheNodesWrite(string shape, object payload)
    {
        // The JSON backend re-indents a fast-lane record's compact text instead of parsing it into nodes first.
        Assert.True(MetadataConverter.TryWriteText(payload, out byte[] compact, out _, out string hash, wantCanonical: false, out _), shape);
        var at = new DateTimeOffset(2026, 12, 1, 16, 0, 0, TimeSpan.Zero).AddTicks(1_234_560);
        foreach (string? details in new[] { null, "a \"quoted\", é\n detail" })
        {
            var fast = new MetadataRecord("id-1", "modèle", "1.0.0", "training", "trained", at, hash, details, compact);
            var nodes = new MetadataRecord("id-1", "modèle", "1.0.0", "training", "trained", at, hash, details,
                (JsonObject)PythonJson.Parse(System.Text.Encoding.ASCII.GetString(compact))!);
            Assert.Equal(System.Text.Encoding.ASCII.GetString(RecordJson.ToFileBytes(nodes)), System.Text.Encoding.ASCII.GetString(RecordJson.ToFileBytes(fast)));
        }
    }

    public static TheoryData<string, object> NodePathOnly()
    {
        var cycle = new List<object>();
        cycle.Add(cycle);
        object deep = 1;
        for (int i = 0; i < MetadataConverter.MaxDepth + 1; i++) deep = new object[] { deep };
        return new()
        {
            { "a JsonObject", new JsonObject { ["a"] = 1 } },
            { "a JsonObject inside", new { inner = new JsonObject { ["a"] = 1 } } },
            { "a lazy sequence (read twice it could differ)", new { items = Enumerable.Range(0, 3).Select(i => i * 2) } },
            { "a computed property", new { clock = new Clock() } },
            { "a getter that throws", new { bad = new Throwing() } },
            { "keys equal once converted", new Dictionary<object, int> { [1] = 1, ["1"] = 2 } },
            { "keys equal once converted, apart", new { inner = new Dictionary<object, int> { [1] = 1, ["a"] = 2, ["1"] = 3 } } },
            { "a cycle", new { cycle } },
            { "too deep", new { deep } },
            { "a list at the root", new List<int> { 1 } },
            { "a string at the root", "text" },
        };
    }

    [Theory]
    [MemberData(nameof(NodePathOnly))]
    public void TryWriteText_LeavesToTheNodePath(string shape, object payload)
    {
        Assert.False(MetadataConverter.TryWriteText(payload, out _, out _, out _, wantCanonical: true, out _), shape);
    }

    [Theory]
    [InlineData(WriteMode.Immediate)]
    [InlineData(WriteMode.Buffered)]
    public void SaveMetadata_FastLane_ReadsBackAndVerifies(WriteMode mode)
    {
        using var folder = new Support.SqliteTestFolder();
        using var storage = new MetadataStorage(new MetadataStorageOptions { StoragePath = folder.Path, Backend = "sqlite", WriteMode = mode });
        var payload = new { b = 2, a = new[] { new { y = "é", x = 1.5 } } };

        string id = storage.SaveMetadata("m", "training", "trained", payload);
        var pending = storage.GetMetadata(id)!;
        storage.Flush();
        var stored = storage.GetMetadata(id)!;

        string expected = PythonJson.Serialize(MetadataConverter.ToJsonObject(payload), PythonJsonStyle.Compact);
        Assert.Equal(expected, PythonJson.Serialize(pending.Metadata, PythonJsonStyle.Compact));
        Assert.Equal(expected, PythonJson.Serialize(stored.Metadata, PythonJsonStyle.Compact));
        Assert.Equal(PythonJson.Hash(MetadataConverter.ToJsonObject(payload)), stored.MetadataHash);
        Assert.Equal(2, stored.Metadata["b"]!.GetValue<int>());
        Assert.True(storage.Verify().IsValid);
    }
}
