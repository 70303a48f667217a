using System.Buffers;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Ledger;

namespace Ciaf.Metadata.Tests.Ledger;

/// <summary>The ledger's content hash of a record whose canonical text the save handed to the writer (large records).</summary>
public sealed class ContentHashTests
{
    private static (MetadataRecord Record, byte[] Compact) Deferred(object payload)
    {
        Assert.True(MetadataConverter.TryWriteText(payload, out byte[] compact, out int length, out string hash, wantCanonical: true, out var canonical));
        var kept = ArrayPool<byte>.Shared.Rent(length);
        canonical!.Written.CopyTo(kept);
        canonical.Return();
        var record = new MetadataRecord("r-1", "model", "1.0.0", "training", "trained",
            new DateTimeOffset(2026, 12, 1, 17, 0, 0, TimeSpan.Zero), hash, "d", compact);
        record.DeferContentSha256(kept, length);
        return (record, compact);
    }

    [Fact]
    public void DeferredCanonical_HashesToWhatTheRecordItselfHashesTo()
    {
        var (record, compact) = Deferred(new { b = "x, y: \"z\"", a = new[] { 1.5, 2.0 }, c = new { z = 1, y = "é" } });
        var plain = new MetadataRecord(record.Id, record.ModelName, record.ModelVersion, record.Stage, record.EventType,
            record.Timestamp, record.MetadataHash, record.Details, compact);
        Assert.Equal(LeafDraft.ContentHash(plain), LeafDraft.ContentHash(record));
        Assert.Equal(LeafDraft.ContentHash(plain), record.CachedContentSha256());
    }

    [Fact]
    public void DeferredCanonical_SharedByACopy_IsTakenOnce_AndBothHashAlike()
    {
        // `with` copies the kept text's holder: only one of the two may take (and return to the pool) the pooled array.
        var (record, _) = Deferred(new { b = 2, a = 1 });
        var copy = record with { Details = record.Details };
        string first = LeafDraft.ContentHash(record);
        Assert.Null(copy.TakeCanonical());
        Assert.Equal(first, LeafDraft.ContentHash(copy));
    }

    [Fact]
    public void DeferredCanonical_CopyThatChangesAField_IsHashedFromItsOwnFields()
    {
        var (record, _) = Deferred(new { b = 2, a = 1 });
        var moved = record with { Stage = "validation" };
        Assert.Null(moved.TakeCanonical());
        Assert.NotEqual(LeafDraft.ContentHash(record), LeafDraft.ContentHash(moved));
    }
}
