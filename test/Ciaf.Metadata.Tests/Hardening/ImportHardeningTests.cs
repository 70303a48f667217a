using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Hardening;

/// <summary>Import and migration against hostile input: bad ids, and plaintext sensitive fields going into an encrypting store.</summary>
public sealed class ImportHardeningTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private string WriteJsonl(string name, params MetadataRecord[] records)
    {
        string path = _folder.Combine(name);
        File.WriteAllLines(path, records.Select(r => RecordJson.ToJsonObject(r).ToJsonString()));
        return path;
    }

    [Theory]
    [InlineData("json")]
    [InlineData("sqlite")]
    [InlineData("pickle")]
    public void ImportMetadata_BadIdsAmongGoodEntries_ListsThemAndImportsTheRest(string backend)
    {
        var good1 = SampleRecords.Create(id: "good-1");
        var good2 = SampleRecords.Create(id: "good-2");
        string file = WriteJsonl("bad-ids.jsonl",
            good1, SampleRecords.Create(id: ""), SampleRecords.Create(id: new string('x', 5000)),
            SampleRecords.Create(id: " padded "), SampleRecords.Create(id: "tab\tid"), good2);
        using var storage = new MetadataStorage(new MetadataStorageOptions { StoragePath = _folder.Combine("store"), Backend = backend });

        var result = storage.ImportMetadata(file);

        Assert.Equal(2, result.Imported);
        Assert.Equal(["line 2", "line 3", "line 4", "line 5"], result.Errors.Select(e => e.Position));
        Assert.Contains("the id is empty", result.Errors[0].Reason, StringComparison.Ordinal);
        Assert.Contains("5000 characters", result.Errors[1].Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("model", result.Errors[1].Reason, StringComparison.Ordinal);
        Assert.Contains("whitespace", result.Errors[2].Reason, StringComparison.Ordinal);
        Assert.Contains("control characters", result.Errors[3].Reason, StringComparison.Ordinal);
        Assert.NotNull(storage.GetMetadata("good-1"));
        Assert.NotNull(storage.GetMetadata("good-2"));
        Assert.Equal(2, storage.GetPerformanceMetrics().RecordCount);
    }

    [Fact]
    public void ImportMetadata_ComplianceEventWithEmptyId_IsListedAndTheRestImported()
    {
        string file = _folder.Combine("events.jsonl");
        File.WriteAllLines(file,
        [
            """{"id": "", "metadata_id": "m1", "framework": "GDPR", "compliance_score": 0.9, "validation_status": "passed", "timestamp": "2026-03-01T12:00:00", "details": null}""",
            """{"id": "ev-1", "metadata_id": "m1", "framework": "GDPR", "compliance_score": 0.9, "validation_status": "passed", "timestamp": "2026-03-01T12:00:00", "details": null}""",
        ]);
        using var storage = new MetadataStorage(new MetadataStorageOptions { StoragePath = _folder.Combine("store") });

        var result = storage.ImportMetadata(file);

        Assert.Equal(1, result.ComplianceEventsImported);
        var error = Assert.Single(result.Errors);
        Assert.Equal("line 1", error.Position);
        Assert.Contains("the id is empty", error.Reason, StringComparison.Ordinal);
    }

    // ------------------------------------------------------------------ plaintext sensitive fields into an encrypting store

    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);

    private const string Ssn = "123-45-6789";

    private MetadataStorage Open(string name, bool encrypt, string backend = "json") => new(new MetadataStorageOptions
    {
        StoragePath = _folder.Combine(name),
        Backend = backend,
        EncryptSensitiveData = encrypt,
        EncryptionKey = encrypt ? Key : null,
    });

    private static MetadataRecord WithSsn(string id) =>
        SampleRecords.Create(id: id, metadata: new JsonObject { ["applicant"] = new JsonObject { ["ssn"] = Ssn }, ["score"] = 0.7 });

    private static bool StoreFilesContain(string folder, string text) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Any(f => File.ReadAllText(f).Contains(text, StringComparison.Ordinal));

    [Fact]
    public void ImportMetadata_PlaintextSensitiveIntoEncryptingStore_IsRefusedPerEntry()
    {
        string file = WriteJsonl("plain.jsonl", WithSsn("with-ssn"), SampleRecords.Create(id: "no-ssn"));
        using var storage = Open("store", encrypt: true);

        var result = storage.ImportMetadata(file);

        Assert.Equal(1, result.Imported);
        var error = Assert.Single(result.Errors);
        Assert.Equal("with-ssn", error.Id);
        Assert.Contains("ssn", error.Reason, StringComparison.Ordinal);
        Assert.Contains("plaintext", error.Reason, StringComparison.Ordinal);
        Assert.Null(storage.GetMetadata("with-ssn"));
        storage.Flush();
        Assert.False(StoreFilesContain(_folder.Combine("store"), Ssn));
    }

    [Fact]
    public void ImportMetadata_PlaintextSensitiveAllowed_KeepsRecordAndHashAndCountsIt()
    {
        var record = WithSsn("with-ssn");
        string file = WriteJsonl("plain.jsonl", record);
        using var storage = Open("store", encrypt: true);

        var result = storage.ImportMetadata(file, allowPlaintextSensitiveData: true);

        Assert.True(result.IsClean);
        Assert.Equal(1, result.Imported);
        Assert.Equal(1, result.PlaintextSensitiveImported);
        var stored = storage.GetMetadata("with-ssn")!;
        Assert.Equal(record.MetadataHash, stored.MetadataHash);
        Assert.Equal(Ssn, stored.Metadata["applicant"]!["ssn"]!.GetValue<string>());
    }

    [Fact]
    public void ImportMetadata_PlaintextSensitiveIntoPlainStore_IsImportedAsBefore()
    {
        string file = WriteJsonl("plain.jsonl", WithSsn("with-ssn"));
        using var storage = Open("store", encrypt: false);

        var result = storage.ImportMetadata(file);

        Assert.True(result.IsClean);
        Assert.Equal(0, result.PlaintextSensitiveImported);
    }

    [Theory]
    [InlineData("json")]
    [InlineData("sqlite")]
    public void MigrateTo_PlaintextSensitiveIntoEncryptingTarget_IsRefusedUnlessAllowed(string backend)
    {
        using var source = Open("source", encrypt: false);
        string plainId = source.SaveMetadata("m", "training", "t", new { ssn = Ssn, score = 0.5 });
        string cleanId = source.SaveMetadata("m", "training", "t", new { score = 0.6 });
        source.Flush();
        using var target = Open("target", encrypt: true, backend);

        var refused = source.MigrateTo(target);

        Assert.Equal(1, refused.RecordsCopied);
        var entry = Assert.Single(refused.PlaintextSensitiveRefused);
        Assert.StartsWith(plainId + ": ", entry, StringComparison.Ordinal);
        Assert.Contains("ssn", entry, StringComparison.Ordinal);
        Assert.NotNull(target.GetMetadata(cleanId));
        Assert.Null(target.GetMetadata(plainId));

        var allowed = source.MigrateTo(target, allowPlaintextSensitiveData: true);

        Assert.Empty(allowed.PlaintextSensitiveRefused);
        Assert.Equal(1, allowed.PlaintextSensitiveCopied);
        Assert.Equal(source.GetMetadata(plainId)!.MetadataHash, target.GetMetadata(plainId)!.MetadataHash);
    }

    [Fact]
    public void MigrateTo_EncryptedSourceIntoEncryptingTarget_CopiesEverything()
    {
        using var source = Open("source", encrypt: true);
        string id = source.SaveMetadata("m", "training", "t", new { ssn = Ssn });
        source.Flush();
        using var target = Open("target", encrypt: true, "sqlite");

        var report = source.MigrateTo(target);

        Assert.Empty(report.PlaintextSensitiveRefused);
        Assert.Equal(1, report.RecordsCopied);
        Assert.Equal(Ssn, target.GetMetadata(id)!.Metadata["ssn"]!.GetValue<string>());
    }
}
