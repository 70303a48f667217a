using System.Net;
using Ciaf.Metadata;
using Ciaf.Metadata.Access;
using Ciaf.Metadata.Ledger;
using Ciaf.Metadata.PostgreSql;
using Ciaf.Metadata.Tests.Backends.PostgreSql;
using Ciaf.Metadata.Tests.Support;
using Ciaf.Server.Tests.Support;

namespace Ciaf.Server.Tests;

[CollectionDefinition(Name)]
public sealed class ServerPostgreSqlCollection : ICollectionFixture<PostgreSqlServer>
{
    public const string Name = "Server PostgreSQL server";
}

/// <summary>
/// Two server instances over one PostgreSQL store (as two processes behind a load balancer would be): each sees the
/// other's writes and keys, and the ledger stays one log. The PostgreSQL fixture never skips: under CI a missing server fails.
/// </summary>
[Collection(ServerPostgreSqlCollection.Name)]
public sealed class TwoServersOnePostgreSqlStoreTests(PostgreSqlServer server)
{
    [Fact]
    public async Task TwoInstances_SeeEachOthersWrites_AndTheLedgerIsOneLog()
    {
        using var keys = new TempDirectory();
        string keyPath = keys.Combine("ledger.pem");
        LedgerKeys.Create(keyPath).Dispose();
        string connection = server.NewSchemaConnectionString("server");
        MetadataStorage Open() => MetadataStorage.Create(b => b.UsePostgreSql(connection)
            .Configure(o =>
            {
                o.StoragePath = keys.Combine("exports");
                o.AuditAllAccess = true;
                o.LedgerKeyPath = keyPath;
            }));
        await using var storageA = Open();
        await using var storageB = Open();
        await using var a = await TestServerHost.StartAsync(o => o.RateLimit.Requests = 0, storage: storageA);
        // The store's state is shared: keys created through one instance work on the other (used crosswise below).
        await using var b = await TestServerHost.StartAsync(o => o.RateLimit.Requests = 0, storage: storageB, keyPrefix: "b-");

        var ids = new List<string>();
        for (int i = 0; i < 6; i++)
        {
            var via = i % 2 == 0 ? a : b;
            var response = await via.ClientWithKey(a.Keys[AccessRoles.Writer]).PostAsync("/api/v1/records",
                Json.Body($$$"""{"model_name": "shared", "stage": "training", "event_type": "e{{{i}}}", "metadata": {"i": {{{i}}}}}"""));
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            ids.Add((string)(await TestServerHost.JsonAsync(response))["ids"]![0]!);
        }
        for (int i = 0; i < ids.Count; i++)
        {
            var other = i % 2 == 0 ? b : a;
            Assert.Equal(HttpStatusCode.OK, (await other.ClientWithKey(b.Keys[AccessRoles.Reader]).GetAsync($"/api/v1/records/{ids[i]}")).StatusCode);
        }

        // One log: every write through either server is one leaf of the same tree, and each server proves the other's writes.
        var status = await storageA.Ledger.StatusAsync();
        Assert.Equal(status.Size, (await storageB.Ledger.StatusAsync()).Size);
        using var publicKey = LedgerKeys.LoadPrivate(keyPath);
        for (int i = 0; i < ids.Count; i++)
        {
            var other = i % 2 == 0 ? b : a;
            string receipt = await other.ClientWithKey(a.Keys[AccessRoles.Reader]).GetStringAsync($"/api/v1/records/{ids[i]}/proof");
            Assert.True(LedgerReceipt.Parse(receipt).Verify(publicKey, ids[i]).IsValid);
        }
        var report = await TestServerHost.JsonAsync(await a.ClientWithKey(b.Keys[AccessRoles.Auditor]).PostAsync("/api/v1/verify", Json.Empty()));
        Assert.True((bool)report["is_valid"]!, report.ToJsonString());
        Assert.Equal(status.Size, (long)report["ledger"]!["size"]!);
    }
}
