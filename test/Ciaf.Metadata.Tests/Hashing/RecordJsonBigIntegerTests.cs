using System.Numerics;
using System.Text;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Metadata.Tests.Hashing;

public class RecordJsonBigIntegerTests
{
    [Fact]
    public void ToFileBytes_ClrBigIntegerValue_WritesDigitsItsHashCovers()
    {
        var metadata = new JsonObject { ["big"] = JsonValue.Create(BigInteger.Pow(2, 64) + 1), ["n"] = new JsonArray(JsonValue.Create(BigInteger.MinusOne)) };
        var record = new MetadataRecord(Guid.NewGuid().ToString(), "m", "1.0.0", "training", "e",
            DateTimeOffset.UnixEpoch, PythonJson.Hash(metadata), null, metadata);

        string text = Encoding.ASCII.GetString(RecordJson.ToFileBytes(record));
        var again = RecordJson.FromFileBytes(Encoding.ASCII.GetBytes(text));

        Assert.Contains("\"big\": 18446744073709551617", text, StringComparison.Ordinal);
        Assert.Equal("{\"big\": 18446744073709551617, \"n\": [-1]}", PythonJson.Canonical(again.Metadata));
        Assert.Equal(record.MetadataHash, PythonJson.Hash(again.Metadata));
        Assert.Equal(record.MetadataHash, PythonJson.Hash(RecordJson.FromJsonObject(RecordJson.ToJsonObject(record)).Metadata));
    }
}
