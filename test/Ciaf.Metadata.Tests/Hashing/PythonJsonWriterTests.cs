using System.Text.Json.Nodes;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Metadata.Tests.Hashing;

/// <summary>The reusable per-thread buffer behind <see cref="PythonJson"/>: no output leaks from one use into the next.</summary>
public class PythonJsonWriterTests
{
    [Fact]
    public void Serialize_AfterALargeDocument_WritesOnlyTheNextOne()
    {
        string large = PythonJson.Serialize(new JsonObject { ["blob"] = new string('x', 200_000) }, PythonJsonStyle.Compact);
        Assert.Equal(200_000 + 12, large.Length);

        Assert.Equal("{\"a\": 1}", PythonJson.Serialize(new JsonObject { ["a"] = 1 }, PythonJsonStyle.Compact));
        Assert.Equal("[]", PythonJson.Serialize(new JsonArray(), PythonJsonStyle.Compact));
    }

    [Fact]
    public void Canonical_SortsOnlyWhatIsOutOfOrder_AndEscapesAsPython()
    {
        var doc = new JsonObject
        {
            ["b"] = new JsonObject { ["y"] = 1, ["x"] = 2.5 },
            ["a"] = new JsonObject { ["m"] = "é\n\"\\", ["n"] = "😀\u0001" },
        };

        Assert.Equal("{\"a\": {\"m\": \"\\u00e9\\n\\\"\\\\\", \"n\": \"\\ud83d\\ude00\\u0001\"}, \"b\": {\"x\": 2.5, \"y\": 1}}", PythonJson.Canonical(doc));
        Assert.Equal("{\"b\": {\"y\": 1, \"x\": 2.5}, \"a\": {\"m\": \"\\u00e9\\n\\\"\\\\\", \"n\": \"\\ud83d\\ude00\\u0001\"}}",
            PythonJson.Serialize(doc, PythonJsonStyle.Compact));
    }

    [Fact]
    public void Hash_FromManyThreadsAtOnce_IsTheSameAsFromOne()
    {
        var docs = Enumerable.Range(0, 200).Select(i => new JsonObject { ["i"] = i, ["s"] = new string('z', i * 37), ["f"] = i / 7.0 }).ToArray();
        var expected = docs.Select(PythonJson.Hash).ToArray();

        var actual = new string[docs.Length];
        Parallel.For(0, docs.Length * 20, new ParallelOptions { MaxDegreeOfParallelism = 8 }, k => actual[k % docs.Length] = PythonJson.Hash(docs[k % docs.Length]));

        Assert.Equal(expected, actual);
        Assert.Equal(PythonJson.HashCanonical(PythonJson.Canonical(docs[5])), expected[5]);
    }
}
