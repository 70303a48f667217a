using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Ledger;

namespace Ciaf.Metadata.Tests.Ledger;

/// <summary>The hashes of a record whose canonical text the save handed to the writer (a large record in buffered mode).</summary>
public sealed class ContentHashTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 1, 17, 0, 0, TimeSpan.Zero);

    private static (MetadataRecord Deferred, MetadataRecord Plain) Records(object payload)
    {
        Assert.True(MetadataConverter.TryWriteText(payload, out byte[] compact, out _, out string hash, wantCanonical: true, out var canonical));
        byte[] text = canonical!.Written.ToArray();
        canonical.Return();
        var deferred = new MetadataRecord("r-1", "model", "1.0.0", "training", "trained", At, "d", compact, text, contentHash: true);
        var plain = new MetadataRecord("r-1", "model", "1.0.0", "training", "trained", At, hash, "d", compact);
        return (deferred, plain);
    }

    [Fact]
    public void DeferredHashes_AreWhatTheRecordItselfHashesTo()
    {
        var (deferred, plain) = Records(new { b = "x, y: \"z\"", a = new[] { 1.5, 2.0 }, c = new { z = 1, y = "é" } });

        Assert.True(deferred.IsDeferred);
        Assert.Equal(string.Empty, deferred.MetadataHash); // until the writer hashes it
        Assert.Equal(plain.MetadataHash, deferred.Resolved.MetadataHash);
        Assert.Equal(PythonJson.Hash(plain.Metadata), deferred.Resolved.MetadataHash);
        Assert.Equal(LeafDraft.ContentHash(plain), LeafDraft.ContentHash(deferred));
        Assert.Equal(LeafDraft.ContentHash(plain), deferred.Resolved.CachedContentSha256());
        Assert.Equal(plain.MetadataHash, StoreCoreClone(deferred).MetadataHash); // a reader's copy carries the hash
        Assert.Same(deferred.Resolved, deferred.Resolved); // hashed once
        Assert.True(deferred.SamePayload(deferred.Resolved)); // the pending record is recognised once written
    }

    [Fact]
    public void DeferredHashes_CopyThatChangesAField_IsHashedFromItsOwnFields()
    {
        var (deferred, _) = Records(new { b = 2, a = 1 });
        var moved = deferred with { Stage = "validation" };

        Assert.Equal("validation", moved.Resolved.Stage);
        Assert.Equal(deferred.Resolved.MetadataHash, moved.Resolved.MetadataHash);
        Assert.NotEqual(LeafDraft.ContentHash(deferred), LeafDraft.ContentHash(moved));
    }

    private static MetadataRecord StoreCoreClone(MetadataRecord record) => Ciaf.Metadata.Storage.StoreCore.Clone(record);
}
