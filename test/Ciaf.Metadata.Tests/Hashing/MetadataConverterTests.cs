using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Metadata.Tests.Hashing;

public class MetadataConverterTests
{
    private sealed class Node
    {
        public string Name { get; set; } = "n";
        public Node? Next { get; set; }
    }

    private sealed class Annotated
    {
        [JsonPropertyName("learning_rate")] public double LearningRate { get; set; } = 0.1;
        [JsonIgnore] public string Secret { get; set; } = "hidden";
    }

    [Fact]
    public void ToJsonObject_AnonymousObject_KeepsKeysAsWrittenAndPythonTypes()
    {
        var obj = MetadataConverter.ToJsonObject(new { access_controls = true, epochs = 10, accuracy = 0.95, tags = new[] { "a", "b" }, nested = new { x = 1L } });
        Assert.Equal("{\"access_controls\": true, \"epochs\": 10, \"accuracy\": 0.95, \"tags\": [\"a\", \"b\"], \"nested\": {\"x\": 1}}",
            PythonJson.Serialize(obj, PythonJsonStyle.Compact));
    }

    [Fact]
    public void ToJsonObject_IntegralDouble_StaysFloat()
    {
        var obj = MetadataConverter.ToJsonObject(new Dictionary<string, object?> { ["f"] = 100.0, ["i"] = 100, ["nan"] = double.NaN });
        Assert.Equal("{\"f\": 100.0, \"i\": 100, \"nan\": NaN}", PythonJson.Serialize(obj, PythonJsonStyle.Compact));
    }

    [Fact]
    public void ToJsonObject_JsonAttributes_AreHonoured()
    {
        var obj = MetadataConverter.ToJsonObject(new Annotated());
        Assert.Equal("{\"learning_rate\": 0.1}", PythonJson.Serialize(obj, PythonJsonStyle.Compact));
    }

    [Fact]
    public void ToJsonObject_JsonElementAndJsonObject_AreCopied()
    {
        var source = new JsonObject { ["a"] = 1 };
        var copy = MetadataConverter.ToJsonObject(source);
        source["a"] = 2;
        Assert.Equal(1, copy["a"]!.GetValue<int>());
        using var doc = JsonDocument.Parse("{\"b\": 18446744073709551617}");
        Assert.Equal("{\"b\": 18446744073709551617}", PythonJson.Canonical(MetadataConverter.ToJsonObject(doc.RootElement)));
    }

    [Fact]
    public void ToJsonObject_ReferenceCycle_ThrowsArgumentExceptionNamingThePath()
    {
        var node = new Node();
        node.Next = node;
        var ex = Assert.Throws<ArgumentException>(() => MetadataConverter.ToJsonObject(new { root = node }));
        Assert.Equal("metadata", ex.ParamName);
        Assert.Contains("cycle", ex.Message, StringComparison.Ordinal);
        Assert.Contains("metadata.root.Next", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToJsonObject_DelegateOrStream_ThrowsArgumentException()
    {
        Assert.Contains("delegate", Assert.Throws<ArgumentException>(() => MetadataConverter.ToJsonObject(new { f = (Action)(() => { }) })).Message, StringComparison.Ordinal);
        using var stream = new MemoryStream();
        Assert.Contains("stream", Assert.Throws<ArgumentException>(() => MetadataConverter.ToJsonObject(new { s = stream })).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToJsonObject_NotAnObject_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => MetadataConverter.ToJsonObject(new[] { 1, 2 }));
        Assert.Throws<ArgumentException>(() => MetadataConverter.ToJsonObject(42));
        Assert.Empty(MetadataConverter.ToJsonObject(null));
    }
}
