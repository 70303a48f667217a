using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Retention;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Audit;

/// <summary><c>ActingAs</c>: each call carries the user of its async flow into the audit trail and legal holds.</summary>
public sealed class ActingUserTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private MetadataStorage Open(WriteMode mode) => new(new MetadataStorageOptions
    {
        StoragePath = _folder.Combine(mode.ToString()), Backend = "sqlite", AuditAllAccess = true, UserId = "service", WriteMode = mode,
    });

    [Theory]
    [InlineData(WriteMode.Immediate)]
    [InlineData(WriteMode.Buffered)]
    public async Task ActingAs_SavesReadsAndHolds_AuditedUnderTheCallersUser(WriteMode mode)
    {
        await using var storage = Open(mode);
        string aliceRecord, bobRecord;
        using (storage.ActingAs("alice"))
        {
            aliceRecord = await storage.SaveMetadataAsync("m", "training", "e", new { a = 1 });
            await Task.Yield(); // the scope flows across awaits
            await storage.GetMetadataAsync(aliceRecord);
            await storage.PlaceLegalHoldAsync("m", "case 1");
        }
        // Another flow at the same time has its own user; outside any scope, the store's.
        bobRecord = await Task.Run(async () =>
        {
            using (storage.ActingAs("bob")) return await storage.SaveMetadataAsync("m", "training", "e", new { b = 2 });
        });
        string own = storage.SaveMetadata("m", "training", "e", new { c = 3 });

        var trail = storage.GetAuditTrail(new AuditQuery { Limit = 100 });

        Assert.Equal("alice", trail.Single(e => e.Action == AuditActions.Save && e.ParentId == aliceRecord).UserId);
        Assert.Equal("alice", trail.Single(e => e.Action == AuditActions.Read && e.ParentId == aliceRecord).UserId);
        Assert.Equal("alice", trail.Single(e => e.Action == AuditActions.Hold).UserId);
        Assert.Equal("bob", trail.Single(e => e.Action == AuditActions.Save && e.ParentId == bobRecord).UserId);
        Assert.Equal("service", trail.Single(e => e.Action == AuditActions.Save && e.ParentId == own).UserId);
        Assert.Equal("alice", Assert.Single(storage.GetLegalHolds()).PlacedBy);
        Assert.Equal("service", storage.UserId);
    }

    [Fact]
    public void ActingAs_NestedScopes_RestoreTheOuterUser()
    {
        using var storage = Open(WriteMode.Immediate);
        using (storage.ActingAs("outer"))
        {
            using (storage.ActingAs("inner")) storage.PlaceLegalHold("inner_model", "x");
            storage.PlaceLegalHold("outer_model", "y");
        }
        var holds = storage.GetLegalHolds().ToDictionary(h => h.Target, h => h.PlacedBy);
        Assert.Equal("inner", holds["inner_model"]);
        Assert.Equal("outer", holds["outer_model"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("eve\nroot")]
    public void ActingAs_EmptyOrControlCharacters_Refused(string user)
    {
        using var storage = Open(WriteMode.Immediate);
        Assert.ThrowsAny<ArgumentException>(() => storage.ActingAs(user));
    }
}
