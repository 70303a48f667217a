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
    private MerkleEdge _edge = new();

    /// <summary>What an append did, to keep with <see cref="Accept"/> once the write has committed.</summary>
    public sealed record Pending(long Size, MerkleEdge Edge);

    /// <summary>Leaves made ahead of their append: their texts and hashes, and the stored subtrees they complete.</summary>
    public sealed record Made(long Size, IReadOnlyList<LeafDraft> Drafts, string[] Texts, byte[][] Hashes,
        List<(MerkleNode Node, byte[] Hash)> Nodes, MerkleEdge Edge);

    /// <summary>
    /// Starts making <paramref name="drafts"/>' leaves on the thread pool, numbered from the log's size as this appender
    /// last committed it, while the write puts in its own rows; <c>null</c> when it does not know the size. Call inside
    /// the write's lock, before the rows; <see cref="Append"/> uses what was made only if the log still has that size
    /// and the same drafts are appended (every row changed something).
    /// </summary>
    public Task<Made>? MakeAhead(IReadOnlyList<LeafDraft> drafts)
    {
        if (_size < 0) return null;
        long size = _size;
        var edge = _edge.Copy();
        return Task.Run(() =>
        {
            var texts = new string[drafts.Count];
            var hashes = new byte[drafts.Count][];
            var nodes = new List<(MerkleNode Node, byte[] Hash)>();
            for (int i = 0; i < drafts.Count; i++)
            {
                texts[i] = drafts[i].Text(size + i, out hashes[i]);
                edge.Append(size + i, hashes[i], (node, hash) =>
                {
                    if (node.Level >= TileLevel) nodes.Add((node, hash));
                });
            }
            return new Made(size, drafts, texts, hashes, nodes, edge);
        });
    }

    /// <summary>
    /// Appends <paramref name="drafts"/> in order, numbering them from the log's current size, with what
    /// <paramref name="ahead"/> made when it applies. Call inside the write's transaction or lock; then
    /// <see cref="Accept"/> after it commits (or nothing, if it fails: the edge is re-read).
    /// </summary>
    public Pending Append(ILedgerRows rows, IReadOnlyList<LeafDraft> drafts, Task<Made>? ahead = null)
    {
        long size = rows.Size();
        if (Usable(ahead, size, drafts) is { } made)
        {
            for (int i = 0; i < drafts.Count; i++) rows.AddLeaf(size + i, drafts[i], made.Texts[i], made.Hashes[i]);
            foreach (var (node, hash) in made.Nodes) rows.AddNode(node, hash);
            return new Pending(size + drafts.Count, made.Edge);
        }
        var edge = size == _size ? _edge.Copy() : MerkleEdge.Read(rows, size);
        Action<MerkleNode, byte[]> completed = (node, hash) =>
        {
            if (node.Level >= TileLevel) rows.AddNode(node, hash);
        };
        foreach (var draft in drafts)
        {
            string text = draft.Text(size, out byte[] leafHash);
            rows.AddLeaf(size, draft, text, leafHash);
            edge.Append(size, leafHash, completed);
            size++;
        }
        return new Pending(size, edge);
    }

    // What ahead made, if it is these drafts numbered from size. A failure ahead (a copied leaf whose number moved) is
    // made again inline, where it is reported.
    private static Made? Usable(Task<Made>? ahead, long size, IReadOnlyList<LeafDraft> drafts)
    {
        if (ahead is null) return null;
        Made made;
        try
        {
            made = ahead.GetAwaiter().GetResult();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
        if (made.Size != size || made.Drafts.Count != drafts.Count) return null;
        for (int i = 0; i < drafts.Count; i++)
        {
            if (!ReferenceEquals(made.Drafts[i], drafts[i])) return null;
        }
        return made;
    }

    /// <summary>Keeps the right edge of a committed append for the next one.</summary>
    public void Accept(Pending pending)
    {
        _edge = pending.Edge;
        _size = pending.Size;
    }

    /// <summary>Forgets the right edge (after a failed write, or when the log was replaced).</summary>
    public void Invalidate() => _size = -1;
}

/// <summary>
/// The right edge of a log: the complete subtrees its size decomposes into, largest (leftmost) first — at most 64
/// hashes, enough to append a leaf and to know the root.
/// </summary>
internal sealed class MerkleEdge
{
    private readonly List<(MerkleNode Node, byte[] Hash)> _nodes;

    /// <summary>The edge of an empty log.</summary>
    public MerkleEdge() => _nodes = [];

    private MerkleEdge(List<(MerkleNode Node, byte[] Hash)> nodes) => _nodes = nodes;

    /// <summary>An independent copy.</summary>
    public MerkleEdge Copy() => new([.. _nodes]);

    /// <summary>The edge of the first <paramref name="size"/> leaves of a stored log.</summary>
    public static MerkleEdge Read(ILedgerNodeSource source, long size)
    {
        var nodes = new List<(MerkleNode Node, byte[] Hash)>();
        long start = 0;
        for (int level = 62; level >= 0; level--)
        {
            if ((size & (1L << level)) == 0) continue;
            var node = new MerkleNode(level, start >> level);
            nodes.Add((node, LedgerNodes.Resolve(source, node)));
            start += 1L << level;
        }
        return new MerkleEdge(nodes);
    }

    /// <summary>
    /// Appends leaf <paramref name="index"/>; <paramref name="completed"/>, when given, sees every subtree above the
    /// leaves that this completes.
    /// </summary>
    public void Append(long index, byte[] leafHash, Action<MerkleNode, byte[]>? completed = null)
    {
        _nodes.Add((new MerkleNode(0, index), leafHash));
        // Two subtrees of one height side by side make the next one up (the binary carry of size + 1).
        while (_nodes.Count >= 2 && _nodes[^1].Node.Level == _nodes[^2].Node.Level)
        {
            var (right, rightHash) = _nodes[^1];
            var parent = new MerkleNode(right.Level + 1, right.Index >> 1);
            byte[] hash = MerkleTree.NodeHash(_nodes[^2].Hash, rightHash);
            _nodes.RemoveRange(_nodes.Count - 2, 2);
            _nodes.Add((parent, hash));
            completed?.Invoke(parent, hash);
        }
    }

    /// <summary>The root hash of the log this is the edge of.</summary>
    public byte[] Root()
    {
        if (_nodes.Count == 0) return MerkleTree.EmptyRoot;
        byte[] acc = _nodes[^1].Hash;
        for (int i = _nodes.Count - 2; i >= 0; i--) acc = MerkleTree.NodeHash(_nodes[i].Hash, acc);
        return acc;
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
