using System.Text.Json.Nodes;
using Ciaf.Metadata;
using Ciaf.Metadata.Access;
using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Retention;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;
using Ciaf.Remote.Tests.Support;

namespace Ciaf.Remote.Tests;

/// <summary>What each role's key lets a remote store do, what the server keeps for itself, and who the trail says acted.</summary>
public sealed class RemoteAccessTests() : ServedStoreTests(o => o.AuditAllAccess = true)
{
    private MetadataStorage Open(string role, bool audit = false, string user = "alice") => Server.Open(new MetadataStorageOptions
    {
        StoragePath = Client.Path,
        Backend = RemoteBuilderExtensions.BackendName,
        AuditAllAccess = audit,
        UserId = user,
    }, role);

    [Fact]
    public async Task Reader_ReadsButNeitherWritesNorHoldsNorCleansUp()
    {
        string id = await Server.Storage.SaveMetadataAsync("m", "training", "trained", new { a = 1 });
        await using var reader = Open(AccessRoles.Reader);

        Assert.Equal(id, reader.GetMetadata(id)!.Id);
        Assert.Single(reader.GetModelMetadata("m"));
        var write = Assert.Throws<MetadataStorageException>(() => reader.SaveMetadata("m", "training", "e", new { a = 2 }));
        Assert.Contains("403", write.Message, StringComparison.Ordinal);
        Assert.Contains("role", write.Message, StringComparison.Ordinal);
        Assert.Contains("403", Assert.Throws<MetadataStorageException>(() => reader.PlaceLegalHold("m", "case 1")).Message, StringComparison.Ordinal);
        Assert.Contains("403", Assert.Throws<MetadataStorageException>(() => reader.CleanupOldMetadata(0)).Message, StringComparison.Ordinal);
        Assert.Contains("403", Assert.Throws<MetadataStorageException>(() => reader.GetAuditTrail()).Message, StringComparison.Ordinal);
        Assert.Equal(1, (await Server.Storage.GetPerformanceMetricsAsync()).RecordCount);
        Assert.Empty(await Server.Storage.GetLegalHoldsAsync());
    }

    [Fact]
    public async Task Writer_SavesRecordsAndEvents_AuditorReadsTheTrail_OnlyAdminHolds()
    {
        await using var writer = Open(AccessRoles.Writer);
        string id = writer.SaveMetadata("m", "training", "trained", new { a = 1 });
        string ev = writer.AddComplianceEvent(id, "GDPR", 0.9, "passed");
        Assert.Contains("403", Assert.Throws<MetadataStorageException>(() => writer.PlaceLegalHold("m", "case 1")).Message, StringComparison.Ordinal);

        await using var auditor = Open(AccessRoles.Auditor);
        Assert.Contains(auditor.GetAuditTrail(), e => e.ParentId == id && e.Action == AuditActions.Save);
        Assert.Contains("403", Assert.Throws<MetadataStorageException>(() => auditor.SaveMetadata("m", "training", "e", new { a = 2 })).Message, StringComparison.Ordinal);

        await using var admin = Open(AccessRoles.Admin);
        admin.PlaceLegalHold("m", "case 1");
        Assert.Equal("case 1", Assert.Single(await Server.Storage.GetLegalHoldsAsync()).Reason);
        Assert.Equal([ev], (await Server.Storage.GetComplianceEventsAsync(new ComplianceEventQuery())).Select(e => e.Id));
    }

    [Fact]
    public async Task ServerAuditing_AttributesWhatRemoteClientsDoToTheirKeys_WhateverTheClientAudits()
    {
        // The client audits nothing itself; the server's audit_all_access still sees every access, under the key's identity.
        await using (var writer = Open(AccessRoles.Writer, audit: false))
        {
            string id = writer.SaveMetadata("m", "training", "trained", new { a = 1 });
            Assert.NotNull(writer.GetMetadata(id));
            Assert.Single(writer.GetModelMetadata("m"));
        }
        await Server.Storage.FlushAsync();
        var trail = await Server.Storage.GetAuditTrailAsync(new AuditQuery { UserId = "apikey:test-writer", Order = RecordOrder.OldestFirst });
        Assert.Equal([AuditActions.Save, AuditActions.Read, AuditActions.Query], trail.Select(e => e.Action));
        Assert.DoesNotContain(trail, e => e.UserId == "alice");
    }

    [Fact]
    public async Task ClientAuditEntries_KeepTheirUserAndSayWhichKeySentThem()
    {
        await using (var client = Open(AccessRoles.Admin, audit: true, user: "alice"))
        {
            client.SaveMetadata("m", "training", "trained", new { a = 1 });
        }
        await Server.Storage.FlushAsync();
        var fromClient = Assert.Single(await Server.Storage.GetAuditTrailAsync(new AuditQuery { UserId = "alice" }));
        Assert.Equal(AuditActions.Save, fromClient.Action);
        var details = (JsonObject)JsonNode.Parse(fromClient.Details!)!;
        Assert.Equal("apikey:test-admin", (string?)details["via"]);
        Assert.Equal("m", (string?)details["model_name"]);
    }

    [Fact]
    public async Task ApiKeys_AreTheServersOwn_NotServedToRemoteStores()
    {
        await using var admin = Open(AccessRoles.Admin);
        var refused = await Assert.ThrowsAsync<ArgumentException>(async () => await admin.ApiKeys.ListAsync());
        Assert.Contains("api_keys", refused.Message, StringComparison.Ordinal);
        Assert.Contains("not served", refused.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(async () => await admin.ApiKeys.CreateAsync("sneaky", AccessRoles.Admin));
        Assert.Equal(4, (await Server.Storage.ApiKeys.ListAsync()).Count);
    }

    [Fact]
    public void WrongKey_RefusedWhenTheStoreOpens_WithoutShowingIt()
    {
        string key = "ciaf_0123456789abcdef_" + Guid.NewGuid().ToString("N");
        var ex = Assert.Throws<MetadataStorageException>(() => new MetadataStorageBuilder(new MetadataStorageOptions { StoragePath = Client.Path })
            .UseRemote(o =>
            {
                o.ServerUrl = RemoteServer.Url;
                o.ApiKey = key;
                o.Handler = Server.Handler();
            }).Build());
        Assert.Contains("401", ex.Message, StringComparison.Ordinal);
        Assert.Contains("CIAF_API_KEY", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(key, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriterWithSubjectFields_CreatesTheSubjectsKey_OnlyAdminErases()
    {
        string key = Path.Combine(Client.Path, "store.key");
        Ciaf.Metadata.Encryption.MetadataEncryption.GenerateKey(key);
        MetadataStorage OpenSealed(string role) => Server.Open(new MetadataStorageOptions
        {
            StoragePath = Client.Combine("sealed"),
            Backend = RemoteBuilderExtensions.BackendName,
            EncryptSensitiveData = true,
            EncryptionKeyPath = key,
            SensitiveFields = ["ssn"],
            SubjectFields = ["applicant"],
        }, role);
        await using var writer = OpenSealed(AccessRoles.Writer);
        string id = writer.SaveMetadata("credit", "inference", "scored", new { applicant = "A-1", ssn = "123-45-6789" });
        Assert.Equal("123-45-6789", (string?)writer.GetMetadata(id)!.Metadata["ssn"]);
        Assert.Contains("403", Assert.Throws<MetadataStorageException>(() => writer.EraseSubject("A-1", "request")).Message, StringComparison.Ordinal);

        await using var admin = OpenSealed(AccessRoles.Admin);
        Assert.False(admin.EraseSubject("A-1", "GDPR request").AlreadyErased);
        Assert.Equal("v1", (string?)admin.GetMetadata(id)!.Metadata["ssn"]!["$ciaf_erased"]);
    }
}
