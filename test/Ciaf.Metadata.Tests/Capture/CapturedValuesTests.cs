using System.Text.Json.Nodes;
using Ciaf.Metadata.Capture;

namespace Ciaf.Metadata.Tests.Capture;

public sealed class CapturedValuesTests
{
    [Theory]
    [InlineData("api_key")]
    [InlineData("DB_PASSWORD")]
    [InlineData("authToken")]
    [InlineData("client_secret")]
    [InlineData("AwsCredentials")]
    [InlineData("keyboard_layout")] // contains "key": redacted on purpose (see CaptureRedaction)
    public void IsSensitiveName_NamesWithMarkers_AreRedacted(string name)
    {
        Assert.True(CaptureRedaction.IsSensitiveName(name));
        Assert.Equal(CaptureRedaction.RedactedValue, (string?)CapturedValues.Parameters(new Dictionary<string, object?> { [name] = "s3cr3t" })[name]);
    }

    [Theory]
    [InlineData("path")]
    [InlineData("remove_outliers")]
    [InlineData("batch_size")]
    public void IsSensitiveName_OrdinaryNames_AreKept(string name)
    {
        Assert.False(CaptureRedaction.IsSensitiveName(name));
    }

    [Fact]
    public void Parameters_AnonymousObject_ScalarsKeptCollectionsAndLargeStringsSummarized()
    {
        var p = CapturedValues.Parameters(new
        {
            path = "/data/x.csv",
            epochs = 5,
            rate = 0.1,
            rows = Enumerable.Range(0, 1000).ToList(),
            matrix = new int[3, 4],
            tags = new HashSet<string> { "a", "b" },
            lookup = new Dictionary<string, int> { ["a"] = 1 },
            text = new string('x', 5000),
            stream = new MemoryStream(new byte[42]),
            lazy = Enumerable.Range(0, 10).Select(i => i * 2),
            api_key = "k",
        });

        Assert.Equal("/data/x.csv", (string?)p["path"]);
        Assert.Equal(5, (int)p["epochs"]!);
        Assert.Equal(0.1, (double)p["rate"]!);
        Assert.Equal("<List<Int32>[1000]>", (string?)p["rows"]);
        Assert.Equal("<Int32[,][12]>", (string?)p["matrix"]);
        Assert.Equal("<HashSet<String>[2]>", (string?)p["tags"]);
        Assert.Equal("<Dictionary<String, Int32>[1]>", (string?)p["lookup"]);
        Assert.Equal("<String[5000]>", (string?)p["text"]);
        Assert.Equal("<MemoryStream[42]>", (string?)p["stream"]);
        Assert.StartsWith("<", (string?)p["lazy"], StringComparison.Ordinal);
        Assert.Equal("[REDACTED]", (string?)p["api_key"]);
    }

    [Fact]
    public void Summarize_Unserializable_IsSummarizedNotThrown()
    {
        var cyclic = new Node();
        cyclic.Next = cyclic;

        Assert.Equal("<Node>", (string?)CapturedValues.Summarize(cyclic));
        Assert.Equal("<Node>", (string?)CapturedValues.Storable(cyclic));
        Assert.Equal("<Func<Int32>>", (string?)CapturedValues.Summarize(new Func<int>(() => 1)));
        Assert.Equal("<Throwing>", (string?)CapturedValues.Summarize(new Throwing()));
    }

    [Fact]
    public void Parameters_GetterThrows_SummarizesThatParameter()
    {
        var p = CapturedValues.Parameters(new Throwing());

        Assert.Equal("<Int32>", (string?)p["Value"]);
    }

    [Fact]
    public void Summarize_SmallPoco_IsStoredWhole()
    {
        var node = CapturedValues.Summarize(new Point { X = 1, Y = 2 });

        Assert.Equal(2, node!.AsObject().Count);
        Assert.IsType<JsonObject>(node);
    }

    internal sealed class Node
    {
        public Node? Next { get; set; }
    }

    internal sealed class Point
    {
        public int X { get; set; }
        public int Y { get; set; }
    }

    internal sealed class Throwing
    {
        public int Value => throw new InvalidOperationException("no");
    }
}
