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
}
