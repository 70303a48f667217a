namespace Ciaf.Metadata.Ledger;

/// <summary>
/// A complete, aligned subtree of the log's Merkle tree: the hash of the leaves
/// <c>[Index &lt;&lt; Level, (Index + 1) &lt;&lt; Level)</c>. Level 0 nodes are leaf hashes. These are the only
/// nodes a store keeps: once complete they never change, so every proof and every root is a fold of them.
/// </summary>
/// <param name="Level">The height above the leaves (0 for a leaf hash).</param>
/// <param name="Index">The position among the nodes of that level, from 0.</param>
public readonly record struct MerkleNode(int Level, long Index)
{
    /// <summary>The first leaf the node covers.</summary>
    public long Start => Index << Level;

    /// <summary>One past the last leaf the node covers.</summary>
    public long End => (Index + 1) << Level;
}
