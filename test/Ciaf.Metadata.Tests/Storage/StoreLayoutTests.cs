using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;
using Ciaf.Metadata.Transfer;

namespace Ciaf.Metadata.Tests.Storage;

/// <summary>The layout capability: store detection and locations come from the backends, not from their callers.</summary>
public sealed class StoreLayoutTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("sqlite")]
    [InlineData("pickle")]
    [InlineData("json")]
    public void Detect_StoreWithARecord_NamesItsBackend(string backend)
    {
        string path = _folder.Combine(backend);
        using (var storage = new MetadataStorage(path, backend)) storage.SaveMetadata("m", "training", "e", new { a = 1 });

        Assert.Equal(backend, MetadataBackends.Detect(path));
    }

    [Fact]
    public void Detect_MissingOrEmptyFolder_IsTheDefaultBackend()
    {
        Assert.Equal(MetadataStorageOptions.DefaultBackend, MetadataBackends.Detect(_folder.Combine("nothing")));
        Assert.Equal(MetadataStorageOptions.DefaultBackend, MetadataBackends.Detect(_folder.Path));
    }

    [Theory]
    [InlineData("json")]
    [InlineData("sqlite")]
    public async Task Verify_DanglingComplianceEvent_LocatedWhereTheBackendKeepsIt(string backend)
    {
        string path = _folder.Combine(backend);
        string id = "ev/with:odd*chars";
        await using (var storage = new MetadataStorage(path, backend))
        {
            await storage.Core.WriteStoredAsync([], [new ComplianceEvent(id, "gone", "GDPR", 0.5, "failed", PythonTimestamp.Now(), null)]);
        }
        await using var reopened = new MetadataStorage(path, backend);

        var dangling = Assert.Single(reopened.Verify().OfKind(VerificationIssueKind.DanglingComplianceEvent));

        if (backend == "sqlite")
        {
            Assert.Equal($"{reopened.DbPath}#compliance_events/{id}", dangling.Location);
        }
        else
        {
            // The file the backend really wrote (the id escaped for a file name), not "<id>.json".
            Assert.True(File.Exists(dangling.Location), dangling.Location);
        }
    }
}
