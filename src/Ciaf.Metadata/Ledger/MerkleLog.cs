namespace Ciaf.Metadata.Ledger;

/// <summary>
/// A Merkle log held in memory: the complete nodes of <see cref="MerkleTree"/>, built leaf by leaf with
/// <see cref="MerkleTree.CompletedBy"/>. For tests and for stores that load a small log whole. Not thread-safe.
/// </summary>
public sealed class MerkleLog
{
    private readonly Dictionary<MerkleNode, byte[]> _nodes = [];

    /// <summary>The number of leaves.</summary>
    public long Size { get; private set; }

    /// <summary>Every complete node, level 0 (the leaf hashes) included.</summary>
    public IReadOnlyDictionary<MerkleNode, byte[]> Nodes => _nodes;

    /// <summary>Appends a leaf (its bytes, hashed with <see cref="MerkleTree.LeafHash"/>); returns its index.</summary>
    public long Append(ReadOnlySpan<byte> leaf) => AppendHash(MerkleTree.LeafHash(leaf));

    /// <summary>Appends a leaf by its <see cref="MerkleTree.LeafHash"/>; returns its index.</summary>
    public long AppendHash(byte[] leafHash)
    {
        foreach (var (node, hash) in MerkleTree.CompletedBy(Size, leafHash, Node)) _nodes[node] = hash;
        return Size++;
    }

    /// <summary>The leaf hash at <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not in <c>[0, Size)</c>.</exception>
    public byte[] LeafHash(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Size);
        return _nodes[new MerkleNode(0, index)];
    }

    /// <summary>The root of the first <paramref name="size"/> leaves (default: all).</summary>
    public byte[] RootHash(long? size = null) => MerkleTree.RootHash(CheckSize(size ?? Size), Node);

    /// <summary>The inclusion proof of leaf <paramref name="index"/> in the tree of <paramref name="size"/> leaves (default: all).</summary>
    public byte[][] InclusionProof(long index, long? size = null) => MerkleTree.InclusionProof(index, CheckSize(size ?? Size), Node);

    /// <summary>The consistency proof between the trees of <paramref name="m"/> and <paramref name="n"/> leaves (default: all).</summary>
    public byte[][] ConsistencyProof(long m, long? n = null) => MerkleTree.ConsistencyProof(m, CheckSize(n ?? Size), Node);

    private byte[]? Node(MerkleNode node) => _nodes.GetValueOrDefault(node);

    private long CheckSize(long size)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, Size);
        return size;
    }
}
