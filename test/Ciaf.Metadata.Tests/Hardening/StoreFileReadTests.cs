using System.Diagnostics;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;
using Ciaf.Metadata.Transfer;

namespace Ciaf.Metadata.Tests.Hardening;

/// <summary>
/// Issue 11, item 9: store files are read only when they are plain files under the size limit. A FIFO named like a
/// record made <c>list</c> hang, a link to <c>/dev/zero</c> or a large sparse file drove memory to gigabytes. Each is
/// now reported as unreadable, with its path, without being opened. Serial: one test measures allocations.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class StoreFileReadTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private MetadataStorage Open(string backend, long maxMetadataBytes = MetadataStorageOptions.DefaultMaxMetadataBytes) =>
        new(new MetadataStorageOptions { StoragePath = _folder.Combine("store"), Backend = backend, MaxMetadataBytes = maxMetadataBytes });

    /// <summary>Saves one record and returns a path in its model folder named like a record of another id.</summary>
    private static string RecordLikePath(MetadataStorage storage, string model)
    {
        string id = storage.SaveMetadata(model, "training", "training_completed", new { accuracy = 0.9 });
        storage.Flush();
        string real = Assert.Single(Directory.GetFiles(Path.Combine(storage.StoragePath, model)));
        return Path.Combine(Path.GetDirectoryName(real)!, Path.GetFileName(real).Replace(id, Guid.NewGuid().ToString(), StringComparison.Ordinal));
    }

    private static void MakeFifo(string path)
    {
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
    }

    private static async Task<(IReadOnlyList<MetadataRecord> Listed, VerificationReport Report)> ListAndVerifyAsync(MetadataStorage storage, string model)
    {
        // In a task with a timeout: a regression then fails the test instead of hanging the run.
        var listed = await Task.Run(() => storage.QueryMetadata(new MetadataQuery { Limit = null })).WaitAsync(Timeout);
        var byModel = await Task.Run(() => storage.GetModelMetadata(model, limit: null)).WaitAsync(Timeout);
        Assert.Equal(listed.Count, byModel.Count);
        var report = await Task.Run(() => storage.Verify()).WaitAsync(Timeout);
        return (listed, report);
    }

    [SkippableTheory]
    [InlineData("json")]
    [InlineData("pickle")]
    public async Task QueryMetadata_FifoNamedLikeARecord_ReturnsPromptlyAndVerifyListsIt(string backend)
    {
        Skip.If(OperatingSystem.IsWindows(), "FIFOs are a Unix file type.");
        using var storage = Open(backend);
        string fifo = RecordLikePath(storage, "m");
        MakeFifo(fifo);

        var (listed, report) = await ListAndVerifyAsync(storage, "m");

        Assert.Single(listed);
        var issue = Assert.Single(report.OfKind(VerificationIssueKind.Unreadable));
        Assert.Equal(fifo, issue.Location);
        Assert.Contains("not a regular file", issue.Detail, StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData("json")]
    [InlineData("pickle")]
    public async Task QueryMetadata_LinkToDevZeroNamedLikeARecord_RefusedWithoutReading(string backend)
    {
        Skip.If(OperatingSystem.IsWindows(), "/dev/zero is a Unix device.");
        using var storage = Open(backend);
        string link = RecordLikePath(storage, "m");
        File.CreateSymbolicLink(link, "/dev/zero");

        var (listed, report) = await ListAndVerifyAsync(storage, "m");

        Assert.Single(listed);
        var issue = Assert.Single(report.OfKind(VerificationIssueKind.Unreadable));
        Assert.Equal(link, issue.Location);
        Assert.Contains("symbolic link", issue.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("json")]
    [InlineData("pickle")]
    public async Task QueryMetadata_LinkToARealRecordOutsideTheStore_IsNotFollowed(string backend)
    {
        using var storage = Open(backend);
        string link = RecordLikePath(storage, "m");
        // A genuine record file of another store, reached through a link: it must not show up in this one.
        using (var other = new MetadataStorage(new MetadataStorageOptions { StoragePath = _folder.Combine("other"), Backend = backend }))
        {
            other.SaveMetadata("m", "training", "training_completed", new { secret = "outside" });
            other.Flush();
        }
        string outside = Assert.Single(Directory.GetFiles(_folder.Combine("other", "m")));
        File.CreateSymbolicLink(link, outside);

        var (listed, report) = await ListAndVerifyAsync(storage, "m");

        var record = Assert.Single(listed);
        Assert.DoesNotContain("outside", record.Metadata?.ToJsonString() ?? "", StringComparison.Ordinal);
        Assert.Equal(link, Assert.Single(report.OfKind(VerificationIssueKind.Unreadable)).Location);
    }

    [Theory]
    [InlineData("json")]
    [InlineData("pickle")]
    public async Task QueryMetadata_ModelFolderLinkedOutsideTheStore_IsNotFollowed(string backend)
    {
        using var storage = Open(backend);
        RecordLikePath(storage, "m");
        using (var other = new MetadataStorage(new MetadataStorageOptions { StoragePath = _folder.Combine("other"), Backend = backend }))
        {
            other.SaveMetadata("linked", "training", "training_completed", new { secret = "outside" });
            other.Flush();
        }
        string link = Path.Combine(storage.StoragePath, "linked");
        Directory.CreateSymbolicLink(link, _folder.Combine("other", "linked"));

        var (listed, report) = await ListAndVerifyAsync(storage, "m");

        Assert.Equal("m", Assert.Single(listed).ModelName);
        Assert.Empty(storage.GetModelMetadata("linked", limit: null));
        Assert.Contains(report.OfKind(VerificationIssueKind.Unreadable), i => i.Location == link);
    }

    [Theory]
    [InlineData("json")]
    [InlineData("pickle")]
    public async Task QueryMetadata_SparseFileOverTheLimit_RefusedWithoutReadingIt(string backend)
    {
        const long sparseBytes = 100L << 20;
        using var storage = Open(backend, maxMetadataBytes: 64 * 1024);
        string sparse = RecordLikePath(storage, "m");
        using (var file = File.Create(sparse))
        {
            file.SetLength(sparseBytes);
        }

        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var (listed, report) = await ListAndVerifyAsync(storage, "m");
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        Assert.Single(listed);
        var issue = Assert.Single(report.OfKind(VerificationIssueKind.Unreadable));
        Assert.Equal(sparse, issue.Location);
        Assert.Contains($"{sparseBytes} bytes", issue.Detail, StringComparison.Ordinal);
        // Three passes over the store: reading the file once would allocate its 100 MiB at least.
        Assert.True(allocated < sparseBytes / 4, $"{allocated} bytes allocated");
    }

    [SkippableFact]
    public async Task GetAuditTrail_FifoNamedLikeAnAuditDay_ReturnsPromptlyWithTheOtherDays()
    {
        Skip.If(OperatingSystem.IsWindows(), "FIFOs are a Unix file type.");
        using var storage = new MetadataStorage(new MetadataStorageOptions { StoragePath = _folder.Combine("store"), AuditAllAccess = true });
        RecordLikePath(storage, "m");
        string auditFolder = Path.Combine(storage.StoragePath, "audit");
        Directory.CreateDirectory(auditFolder);
        string fifo = Path.Combine(auditFolder, "2020-01-01.jsonl");
        MakeFifo(fifo);

        var trail = await Task.Run(() => storage.GetAuditTrail()).WaitAsync(Timeout);

        // A 0-byte entry of the audit folder is taken for a day file an append is creating: skipped, never opened.
        Assert.NotEmpty(trail);
    }
}
