using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Ciaf.Metadata;
using Ciaf.Metadata.Access;
using Ciaf.Metadata.Encryption;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Tests.Support;
using Ciaf.Remote.Tests.Support;
using Microsoft.AspNetCore.TestHost;

namespace Ciaf.Remote.Tests;

/// <summary>
/// The server's side, over plain HTTP: <c>POST /api/v1/records</c> with records their client built (stored as sent,
/// checked, idempotent by id) and the backend operations' refusals.
/// </summary>
public sealed class StoredRecordsEndpointTests : IAsyncLifetime
{
    private RemoteServer _server = null!;

    public async Task InitializeAsync() => _server = await RemoteServer.StartAsync();

    public Task DisposeAsync() => _server.DisposeAsync().AsTask();

    private static MetadataRecord Record(string metadataJson, string model = "m")
    {
        var metadata = (JsonObject)PythonJson.Parse(metadataJson)!;
        return new MetadataRecord(Guid.CreateVersion7().ToString(), model, "1.0.0", "training", "trained", PythonTimestamp.Now(),
            PythonJson.Hash(metadata), "sent by a test", metadata);
    }

    private static StringContent Body(params JsonObject[] records) =>
        new(PythonJson.Serialize(new JsonArray([.. records.Select(r => r.DeepClone())]), PythonJsonStyle.Compact), Encoding.UTF8, "application/json");

    private async Task<(HttpStatusCode Status, JsonObject Body)> PostAsync(HttpContent content, string role = AccessRoles.Writer, bool retry = false, string path = "api/v1/records")
    {
        using var client = _server.Client(role);
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (retry) request.Headers.Add("Ciaf-Retry", "1");
        using var response = await client.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? [] : (JsonObject)JsonNode.Parse(text)!);
    }

    [Fact]
    public async Task Post_ClientBuiltRecords_StoredAsSent_IdempotentByIdAndLoggedOnceWhenResent()
    {
        var a = Record("""{"accuracy": 0.9, "epochs": 10}""");
        var b = Record("""{"loss": 1e-05, "tags": ["ü"]}""");
        var body = new[] { RecordJson.ToJsonObject(a), RecordJson.ToJsonObject(b) };

        var (status, answer) = await PostAsync(Body(body));
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal([a.Id, b.Id], answer["ids"]!.AsArray().Select(n => (string)n!));
        foreach (var sent in new[] { a, b })
        {
            var stored = (await _server.Storage.GetMetadataAsync(sent.Id))!;
            Assert.Equal((sent.Timestamp, sent.MetadataHash, sent.Details), (stored.Timestamp, stored.MetadataHash, stored.Details));
        }
        Assert.Equal(2, (await _server.Storage.Ledger.StatusAsync()).Size);

        // Sent again as a retry: held unchanged, so neither stored nor logged twice.
        Assert.Equal(HttpStatusCode.Created, (await PostAsync(Body(body), retry: true)).Status);
        Assert.Equal(2, (await _server.Storage.GetPerformanceMetricsAsync()).RecordCount);
        Assert.Equal(2, (await _server.Storage.Ledger.StatusAsync()).Size);

        // Sent again as new: the same ids are written over (stored once); the log records the rewrite.
        Assert.Equal(HttpStatusCode.Created, (await PostAsync(Body(body))).Status);
        Assert.Equal(2, (await _server.Storage.GetPerformanceMetricsAsync()).RecordCount);
        Assert.Equal(4, (await _server.Storage.Ledger.StatusAsync()).Size);
        Assert.True((await _server.Storage.VerifyAsync()).IsValid);
    }

    [Fact]
    public async Task Post_PythonFloatsNaNAndBigIntegers_ArriveExactlyAsHashed()
    {
        var record = Record("""{"loss": NaN, "f1": 100.0, "neg": -0.0, "big": 12345678901234567890, "inf": Infinity}""");

        var (status, _) = await PostAsync(Body(RecordJson.ToJsonObject(record)));

        Assert.Equal(HttpStatusCode.Created, status);
        var stored = (await _server.Storage.GetMetadataAsync(record.Id))!;
        Assert.Equal(record.MetadataHash, stored.MetadataHash);
        Assert.Equal(record.MetadataHash, PythonJson.Hash(stored.Metadata));
        Assert.Equal("""{"loss": NaN, "f1": 100.0, "neg": -0.0, "big": 12345678901234567890, "inf": Infinity}""",
            PythonJson.Serialize(stored.Metadata, PythonJsonStyle.Compact));
    }

    public static TheoryData<string, string> BadRecords() => new()
    {
        { "hash", "[0].metadata_hash" },
        { "no timestamp", "[0].timestamp" },
        { "unknown field", "[0].extra" },
        { "bad model name", "[0].model_name" },
        { "bad id", "[0].id" },
    };

    [Theory]
    [MemberData(nameof(BadRecords))]
    public async Task Post_BrokenClientBuiltRecord_400NamingTheFieldAndNothingStored(string fault, string field)
    {
        var good = RecordJson.ToJsonObject(Record("""{"a": 1}"""));
        var bad = RecordJson.ToJsonObject(Record("""{"a": 2}"""));
        switch (fault)
        {
            case "hash": bad["metadata"] = new JsonObject { ["a"] = 3 }; break;
            case "no timestamp": bad.Remove("timestamp"); break;
            case "unknown field": bad["extra"] = true; break;
            case "bad model name": bad["model_name"] = "../escape"; break;
            case "bad id": bad["id"] = " padded "; break;
        }

        var (status, problem) = await PostAsync(Body(bad, good));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(field, (string?)problem["field"]);
        Assert.Equal(0, (await _server.Storage.GetPerformanceMetricsAsync()).RecordCount);
    }

    [Fact]
    public async Task Post_PlaintextSensitiveValue_ToAStoreThatEncrypts_Refused()
    {
        using var keys = new TempDirectory();
        string key = keys.Combine("store.key");
        MetadataEncryption.GenerateKey(key);
        await using var encrypting = await RemoteServer.StartAsync(o =>
        {
            o.EncryptSensitiveData = true;
            o.EncryptionKeyPath = key;
        });
        using var client = encrypting.Client(AccessRoles.Writer);
        var record = Record("""{"ssn": "123-45-6789"}""");

        using var response = await client.PostAsync("api/v1/records", Body(RecordJson.ToJsonObject(record)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("ssn", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null(await encrypting.Storage.GetMetadataAsync(record.Id));
    }

    [Fact]
    public async Task BackendOperations_RefuseWhatTheyShould()
    {
        var json = () => new StringContent("{}", Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(json(), path: "api/v1/backend/drop_tables")).Status);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await PostAsync(new StringContent("{}"), path: "api/v1/backend/count")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(new StringContent("[1]", Encoding.UTF8, "application/json"), path: "api/v1/backend/count")).Status);

        var (status, problem) = await PostAsync(new StringContent("""{"head": {}, "items": ["x"]}""", Encoding.UTF8, "application/json"), AccessRoles.Writer,
            path: "api/v1/backend/delete");
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("admin", (string)problem["detail"]!, StringComparison.Ordinal);

        (status, problem) = await PostAsync(new StringContent("""{"scope": "api_keys"}""", Encoding.UTF8, "application/json"), AccessRoles.Admin,
            path: "api/v1/backend/read_state");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("scope", (string?)problem["field"]);

        (status, _) = await PostAsync(new StringContent("""{"scope": "legal_holds", "key": "model:m", "value": "x"}""", Encoding.UTF8, "application/json"),
            AccessRoles.Writer, path: "api/v1/backend/add_state");
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Empty(await _server.Storage.GetLegalHoldsAsync());

        using var anonymous = _server.App.GetTestClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("api/v1/backend/info")).StatusCode);
    }
}
