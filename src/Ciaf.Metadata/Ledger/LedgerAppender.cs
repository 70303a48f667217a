namespace Ciaf.Metadata.Ledger;

/// <summary>
/// Where a backend keeps its log, seen from inside one write (a transaction, or the store lock): the leaves so far and
/// the stored subtrees. Only subtrees of <see cref="LedgerAppender.TileLevel"/> levels and more are stored (one row per
/// 16 leaves, one per 32, ...): a smaller one is rebuilt from at most 8 leaf hashes, so a proof still reads O(log n)
/// rows while an append writes one leaf row and, on average, an eighth of a node row.
/// </summary>
internal interface ILedgerRows : ILedgerNodeSource
{
    /// <summary>How many leaves the log holds (the next leaf's <c>seq</c>).</summary>
    long Size();

    /// <summary>Adds leaf <paramref name="seq"/>.</summary>
    void AddLeaf(long seq, LeafDraft draft, string text, byte[] leafHash);

    /// <summary>Stores a completed subtree of <see cref="LedgerAppender.TileLevel"/> levels or more.</summary>
    void AddNode(MerkleNode node, byte[] hash);
}

/// <summary>Read access to a log's leaf hashes and stored subtrees, for proofs and appends.</summary>
internal interface ILedgerNodeSource
{
    /// <summary>The hashes of leaves <paramref name="start"/> (inclusive) to <paramref name="end"/> (exclusive), in order.</summary>
    IReadOnlyList<byte[]> LeafHashes(long start, long end);

    /// <summary>A stored subtree's hash (level ≥ <see cref="LedgerAppender.TileLevel"/>), or <c>null</c> if it is missing.</summary>
    byte[]? StoredNode(MerkleNode node);
}

/// <summary>Resolves any complete subtree's hash from a <see cref="ILedgerNodeSource"/>.</summary>
internal static class LedgerNodes
{
    /// <summary>The hash of <paramref name="node"/>: stored, or rebuilt from its leaves below the tile level.</summary>
    /// <exception cref="LedgerCorruptException">A leaf or stored subtree the node needs is missing.</exception>
    public static byte[] Resolve(ILedgerNodeSource source, MerkleNode node)
    {
        if (node.Level >= LedgerAppender.TileLevel)
        {
            return source.StoredNode(node) ?? throw new LedgerCorruptException($"the ledger has lost its subtree at level {node.Level}, index {node.Index}");
        }
        long start = node.Index << node.Level, end = (node.Index + 1) << node.Level;
        var leaves = source.LeafHashes(start, end);
        if (leaves.Count != end - start) throw new LedgerCorruptException($"the ledger has lost leaves between {start} and {end - 1}");
        var level = leaves.ToArray();
        for (int width = level.Length; width > 1; width /= 2)
        {
            for (int i = 0; i < width / 2; i++) level[i] = MerkleTree.NodeHash(level[2 * i], level[2 * i + 1]);
        }
        return level[0];
    }

    /// <summary>The root hash of the first <paramref name="size"/> leaves.</summary>
    public static byte[] Root(ILedgerNodeSource source, long size) => MerkleTree.RootHash(size, node => Resolve(source, node));
}

/// <summary>
/// Appends leaves inside a backend's write. Keeps the log's right edge (the complete subtrees the tree size decomposes
/// into, at most 64) between writes, so an append reads nothing but the log's size; when another process has appended
/// since, the edge is read again (O(log n) rows). One instance per backend; the backend serializes writes.
/// </summary>
internal sealed class LedgerAppender
{
    /// <summary>Subtrees this many levels high (16 leaves) and higher are stored; smaller ones are rebuilt from leaves.</summary>
    public const int TileLevel = 4;

    private long _size = -1;
    private List<(MerkleNode Node, byte[] Hash)> _edge = [];

    /// <summary>What an append did, to keep with <see cref="Accept"/> once the write has committed.</summary>
    public sealed record Pending(long Size, List<(MerkleNode Node, byte[] Hash)> Edge, long FirstSeq);

    /// <summary>
    /// Appends <paramref name="drafts"/> in order, numbering them from the log's current size. Call inside the write's
    /// transaction or lock; then <see cref="Accept"/> after it commits (or nothing, if it fails: the edge is re-read).
    /// </summary>
    public Pending Append(ILedgerRows rows, IReadOnlyList<LeafDraft> drafts)
    {
        long size = rows.Size();
        var edge = size == _size ? new List<(MerkleNode Node, byte[] Hash)>(_edge) : ReadEdge(rows, size);
        long first = size;
        foreach (var draft in drafts)
        {
            string text = draft.Text(size);
            byte[] leafHash = MerkleTree.LeafHash(System.Text.Encoding.ASCII.GetBytes(text));
            rows.AddLeaf(size, draft, text, leafHash);
            edge.Add((new MerkleNode(0, size), leafHash));
            // Two subtrees of one height side by side make the next one up (the binary carry of size + 1).
            while (edge.Count >= 2 && edge[^1].Node.Level == edge[^2].Node.Level)
            {
                var (right, rightHash) = edge[^1];
                var (_, leftHash) = edge[^2];
                var parent = new MerkleNode(right.Level + 1, right.Index >> 1);
                byte[] hash = MerkleTree.NodeHash(leftHash, rightHash);
                edge.RemoveRange(edge.Count - 2, 2);
                edge.Add((parent, hash));
                if (parent.Level >= TileLevel) rows.AddNode(parent, hash);
            }
            size++;
        }
        return new Pending(size, edge, first);
    }

    /// <summary>Keeps the right edge of a committed append for the next one.</summary>
    public void Accept(Pending pending)
    {
        _edge = pending.Edge;
        _size = pending.Size;
    }

    /// <summary>Forgets the right edge (after a failed write, or when the log was replaced).</summary>
    public void Invalidate() => _size = -1;

    // The complete subtrees a log of this size decomposes into, largest (leftmost) first.
    private static List<(MerkleNode Node, byte[] Hash)> ReadEdge(ILedgerNodeSource source, long size)
    {
        var edge = new List<(MerkleNode Node, byte[] Hash)>();
        long start = 0;
        for (int level = 62; level >= 0; level--)
        {
            if ((size & (1L << level)) == 0) continue;
            var node = new MerkleNode(level, start >> level);
            edge.Add((node, LedgerNodes.Resolve(source, node)));
            start += 1L << level;
        }
        return edge;
    }
}

/// <summary>The ledger's own rows are inconsistent (a leaf or stored subtree is missing): the log cannot be extended or proven.</summary>
public sealed class LedgerCorruptException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LedgerCorruptException(string message) : base(message)
    {
    }
}
