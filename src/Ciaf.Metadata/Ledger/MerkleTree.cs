using System.Numerics;
using System.Security.Cryptography;

namespace Ciaf.Metadata.Ledger;

/// <summary>
/// The Merkle tree of RFC 9162 §2.1 (Certificate Transparency v2, the same tree as RFC 6962), byte-exact so any
/// RFC 9162 verifier checks the ledger's roots and proofs: leaf hash <c>SHA-256(0x00 ‖ leaf)</c>, node hash
/// <c>SHA-256(0x01 ‖ left ‖ right)</c>, the empty tree <c>SHA-256("")</c>, a tree of n &gt; 1 leaves split at the
/// largest power of two smaller than n.
/// </summary>
/// <remarks>
/// <para>
/// Hand-written on purpose: .NET has no RFC 9162 library, and the hashes must match other implementations to the
/// byte. A store keeps only complete aligned subtrees (<see cref="MerkleNode"/>); every hash the RFC needs is a fold
/// of at most ~2 log2 n of them (<see cref="RangeNodes"/>), so a root or a proof reads O(log n) rows.
/// </para>
/// <para>
/// Proofs come in two steps so a store can read every node it needs in one query: a plan
/// (<see cref="InclusionProofRanges"/>, <see cref="ConsistencyProofRanges"/>: the leaf ranges whose hashes form
/// the proof), the nodes of those ranges (<see cref="NodesOf"/>), then <see cref="RangeHash"/> on what was read.
/// The <see cref="Func{T, TResult}"/> overloads do all three against a node lookup.
/// </para>
/// </remarks>
public static class MerkleTree
{
    /// <summary>The size of every hash in the tree (SHA-256).</summary>
    public const int HashSize = 32;

    private const byte LeafPrefix = 0x00;
    private const byte NodePrefix = 0x01;

    /// <summary>The root of the empty tree, <c>SHA-256("")</c> (a fresh copy each call).</summary>
    public static byte[] EmptyRoot => SHA256.HashData(ReadOnlySpan<byte>.Empty);

    /// <summary>The leaf hash <c>SHA-256(0x00 ‖ leaf)</c> of RFC 9162 §2.1.1.</summary>
    public static byte[] LeafHash(ReadOnlySpan<byte> leaf)
    {
        byte[] hash = new byte[HashSize];
        Hashing.Sha256.Hash(LeafPrefix, leaf, hash);
        return hash;
    }

    /// <summary>The interior node hash <c>SHA-256(0x01 ‖ left ‖ right)</c> of RFC 9162 §2.1.1.</summary>
    public static byte[] NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        var hash = new byte[HashSize];
        NodeHash(left, right, hash);
        return hash;
    }

    /// <summary>
    /// The complete aligned subtrees, largest (leftmost) first, whose right-to-left fold
    /// (<c>acc = NodeHash(node, acc)</c>) is <c>MTH(D[start:end])</c>: one node per set bit of the length.
    /// </summary>
    /// <remarks>
    /// The fold equals RFC 9162's recursive MTH only for the ranges that recursion produces: those starting at a
    /// multiple of a power of two at least as large as their length (every <c>[0, n)</c>, and every range in a
    /// plan from <see cref="InclusionProofRanges"/> or <see cref="ConsistencyProofRanges"/>). Others are refused.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="start"/> is negative or the range is empty.</exception>
    /// <exception cref="ArgumentException">The range is not aligned as described.</exception>
    public static IReadOnlyList<MerkleNode> RangeNodes(long start, long end)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(end, start);
        long length = end - start;
        long alignment = (long)BitOperations.RoundUpToPowerOf2((ulong)length);
        if (start % alignment != 0)
        {
            throw new ArgumentException(
                $"The leaf range [{start}, {end}) is not one of RFC 9162's subtrees: its start must be a multiple of {alignment} (a power of two at least its length).",
                nameof(start));
        }
        var nodes = new List<MerkleNode>(BitOperations.PopCount((ulong)length));
        long position = start;
        for (int level = 63 - BitOperations.LeadingZeroCount((ulong)length); level >= 0; level--)
        {
            if ((length & (1L << level)) == 0) continue;
            nodes.Add(new MerkleNode(level, position >> level));
            position += 1L << level;
        }
        return nodes;
    }

    /// <summary>
    /// The plan of the inclusion proof <c>PATH(index, D[size])</c> of RFC 9162 §2.1.3.1: the leaf ranges whose
    /// MTHs, in this order (leaf side first), are the proof. Empty for a tree of one leaf.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not in <c>[0, size)</c>.</exception>
    public static IReadOnlyList<(long Start, long End)> InclusionProofRanges(long index, long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, size);
        // The recursion, walked from the root down: each level contributes the MTH of the half not holding the
        // leaf, and the RFC lists them from the bottom up, so the list is reversed at the end.
        var ranges = new List<(long Start, long End)>();
        long low = 0, high = size;
        while (high - low > 1)
        {
            long k = LargestPowerOfTwoBelow(high - low);
            if (index < low + k)
            {
                ranges.Add((low + k, high));
                high = low + k;
            }
            else
            {
                ranges.Add((low, low + k));
                low += k;
            }
        }
        ranges.Reverse();
        return ranges;
    }

    /// <summary>
    /// The plan of the consistency proof <c>PROOF(m, D[n])</c> of RFC 9162 §2.1.4.1 (<c>SUBPROOF(m, D[n], true)</c>):
    /// the leaf ranges whose MTHs, in this order, are the proof. Empty when <paramref name="m"/> equals
    /// <paramref name="n"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="m"/> is not in <c>[1, n]</c> (RFC 9162 defines no proof from the empty tree).</exception>
    public static IReadOnlyList<(long Start, long End)> ConsistencyProofRanges(long m, long n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(m, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(m, n);
        var ranges = new List<(long Start, long End)>();
        long low = 0, high = n, size = m;
        bool wholeOldTree = true;
        while (size != high - low)
        {
            long k = LargestPowerOfTwoBelow(high - low);
            if (size <= k)
            {
                ranges.Add((low + k, high));
                high = low + k;
            }
            else
            {
                ranges.Add((low, low + k));
                low += k;
                size -= k;
                wholeOldTree = false;
            }
        }
        // SUBPROOF(m, D[m], true) is empty (the verifier has that root); with b false it is {MTH(D[m])}.
        if (!wholeOldTree) ranges.Add((low, high));
        ranges.Reverse();
        return ranges;
    }

    /// <summary>Every node the ranges of a plan fold, each once: what a store reads to answer it.</summary>
    public static IReadOnlyList<MerkleNode> NodesOf(IEnumerable<(long Start, long End)> ranges)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        var nodes = new HashSet<MerkleNode>();
        foreach (var (start, end) in ranges) nodes.UnionWith(RangeNodes(start, end));
        return [.. nodes];
    }

    /// <summary><c>MTH(D[start:end])</c> from nodes already read (see <see cref="RangeNodes"/> for which ranges qualify).</summary>
    /// <exception cref="KeyNotFoundException">A node of the range is not in <paramref name="nodes"/>.</exception>
    public static byte[] RangeHash(long start, long end, IReadOnlyDictionary<MerkleNode, byte[]> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        return Fold(RangeNodes(start, end), node => nodes.TryGetValue(node, out var hash) ? hash : null);
    }

    /// <summary>The root <c>MTH(D[size])</c>; <see cref="EmptyRoot"/> for size 0.</summary>
    /// <param name="size">The tree size.</param>
    /// <param name="node">Reads a complete node's hash (null if the store lacks it).</param>
    /// <exception cref="KeyNotFoundException"><paramref name="node"/> returned null.</exception>
    public static byte[] RootHash(long size, Func<MerkleNode, byte[]?> node)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentNullException.ThrowIfNull(node);
        return size == 0 ? EmptyRoot : Fold(RangeNodes(0, size), node);
    }

    /// <summary>The inclusion proof of RFC 9162 §2.1.3.1 for leaf <paramref name="index"/> in the tree of <paramref name="size"/> leaves.</summary>
    /// <inheritdoc cref="RootHash" path="/param[@name='node']"/>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not in <c>[0, size)</c>.</exception>
    /// <exception cref="KeyNotFoundException"><paramref name="node"/> returned null.</exception>
    public static byte[][] InclusionProof(long index, long size, Func<MerkleNode, byte[]?> node) =>
        Hashes(InclusionProofRanges(index, size), node);

    /// <summary>The consistency proof of RFC 9162 §2.1.4.1 between the trees of <paramref name="m"/> and <paramref name="n"/> leaves.</summary>
    /// <inheritdoc cref="RootHash" path="/param[@name='node']"/>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="m"/> is not in <c>[1, n]</c>.</exception>
    /// <exception cref="KeyNotFoundException"><paramref name="node"/> returned null.</exception>
    public static byte[][] ConsistencyProof(long m, long n, Func<MerkleNode, byte[]?> node) =>
        Hashes(ConsistencyProofRanges(m, n), node);

    /// <summary>
    /// The nodes that become complete when leaf <paramref name="leafIndex"/> is appended, bottom up: the leaf itself
    /// (level 0), then one parent per trailing 1 bit of the index. Reads only the left siblings (at most log2 n).
    /// </summary>
    /// <param name="leafIndex">The new leaf's index (the tree size before the append).</param>
    /// <param name="leafHash">Its <see cref="LeafHash"/>.</param>
    /// <param name="node">Reads a complete node's hash (null if the store lacks it).</param>
    /// <exception cref="KeyNotFoundException">A left sibling is missing.</exception>
    public static IReadOnlyList<(MerkleNode Node, byte[] Hash)> CompletedBy(long leafIndex, byte[] leafHash, Func<MerkleNode, byte[]?> node)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(leafIndex);
        ArgumentNullException.ThrowIfNull(leafHash);
        ArgumentNullException.ThrowIfNull(node);
        if (leafHash.Length != HashSize) throw new ArgumentException($"A leaf hash has {HashSize} bytes, not {leafHash.Length}.", nameof(leafHash));
        var completed = new List<(MerkleNode, byte[])> { (new MerkleNode(0, leafIndex), leafHash) };
        byte[] hash = leafHash;
        long index = leafIndex;
        for (int level = 0; (index & 1) == 1; level++)
        {
            hash = NodeHash(Read(node, new MerkleNode(level, index - 1)), hash);
            index >>= 1;
            completed.Add((new MerkleNode(level + 1, index), hash));
        }
        return completed;
    }

    /// <summary>
    /// Verifies an inclusion proof with the algorithm of RFC 9162 §2.1.3.2. False for an index outside the tree
    /// and for hashes that are not <see cref="HashSize"/> bytes.
    /// </summary>
    public static bool VerifyInclusion(ReadOnlySpan<byte> leafHash, long index, long size, IReadOnlyList<byte[]> path, ReadOnlySpan<byte> root)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (index < 0 || index >= size || leafHash.Length != HashSize || root.Length != HashSize) return false;
        long fn = index, sn = size - 1;
        Span<byte> r = stackalloc byte[HashSize];
        leafHash.CopyTo(r);
        foreach (byte[] p in path)
        {
            if (p is null || p.Length != HashSize || sn == 0) return false;
            if ((fn & 1) == 1 || fn == sn)
            {
                NodeHash(p, r, r);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                NodeHash(r, p, r);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && r.SequenceEqual(root);
    }

    /// <summary>
    /// Verifies a consistency proof with the algorithm of RFC 9162 §2.1.4.2 (which assumes <c>0 &lt; m &lt; n</c>).
    /// For <c>m == n</c> the proof must be empty and the roots equal (§2.1.4.1 gives the empty proof); <c>m</c> of 0
    /// (nothing to be consistent with), <c>m &gt; n</c> and hashes that are not <see cref="HashSize"/> bytes are false.
    /// </summary>
    public static bool VerifyConsistency(long m, long n, ReadOnlySpan<byte> firstRoot, ReadOnlySpan<byte> secondRoot, IReadOnlyList<byte[]> proof)
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (m < 1 || m > n || firstRoot.Length != HashSize || secondRoot.Length != HashSize) return false;
        if (m == n) return proof.Count == 0 && firstRoot.SequenceEqual(secondRoot);
        if (proof.Count == 0) return false;
        foreach (byte[] c in proof)
        {
            if (c is null || c.Length != HashSize) return false;
        }
        // Step 2 prepends first_hash when m is a power of two; steps 5-6 start from the first value, then fold the rest.
        bool prepend = BitOperations.IsPow2(m);
        Span<byte> fr = stackalloc byte[HashSize];
        Span<byte> sr = stackalloc byte[HashSize];
        (prepend ? firstRoot : proof[0]).CopyTo(fr);
        fr.CopyTo(sr);
        long fn = m - 1, sn = n - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }
        for (int i = prepend ? 0 : 1; i < proof.Count; i++)
        {
            byte[] c = proof[i];
            if (sn == 0) return false;
            if ((fn & 1) == 1 || fn == sn)
            {
                NodeHash(c, fr, fr);
                NodeHash(c, sr, sr);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                NodeHash(sr, c, sr);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return fr.SequenceEqual(firstRoot) && sr.SequenceEqual(secondRoot) && sn == 0;
    }

    /// <summary>The largest power of two strictly smaller than <paramref name="n"/> (n ≥ 2): RFC 9162's split point k.</summary>
    internal static long LargestPowerOfTwoBelow(long n) => 1L << (63 - BitOperations.LeadingZeroCount((ulong)(n - 1)));

    private static byte[][] Hashes(IReadOnlyList<(long Start, long End)> ranges, Func<MerkleNode, byte[]?> node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var hashes = new byte[ranges.Count][];
        for (int i = 0; i < hashes.Length; i++) hashes[i] = Fold(RangeNodes(ranges[i].Start, ranges[i].End), node);
        return hashes;
    }

    private static byte[] Fold(IReadOnlyList<MerkleNode> nodes, Func<MerkleNode, byte[]?> node)
    {
        byte[] acc = Read(node, nodes[^1]);
        for (int i = nodes.Count - 2; i >= 0; i--) acc = NodeHash(Read(node, nodes[i]), acc);
        return acc;
    }

    private static byte[] Read(Func<MerkleNode, byte[]?> node, MerkleNode key) =>
        node(key) ?? throw new KeyNotFoundException($"The Merkle node at level {key.Level}, index {key.Index} (leaves [{key.Start}, {key.End})) is missing.");

    /// <summary>Writes <c>SHA-256(0x01 ‖ left ‖ right)</c> to <paramref name="destination"/>, which may overlap either input.</summary>
    private static void NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> destination) =>
        Hashing.Sha256.Hash(NodePrefix, left, right, destination);
}
