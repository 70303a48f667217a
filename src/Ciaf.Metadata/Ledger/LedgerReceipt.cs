using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Ciaf.Metadata.Ledger;

/// <summary>
/// Proof that one leaf (a record, an event, ...) is in the ledger, checkable offline with the log's public key alone:
/// the leaf's text, its index, the RFC 9162 inclusion path to the root of a tree of <see cref="TreeSize"/> leaves,
/// and the signed checkpoint of that tree. Its JSON (<see cref="ToJson"/>) is
/// <code>
/// {"leaf": "&lt;leaf text&gt;", "leaf_index": i, "tree_size": n, "inclusion_path": ["&lt;hex&gt;", ...],
///  "root_hash": "&lt;hex&gt;", "checkpoint": "&lt;signed note text&gt;"}
/// </code>
/// </summary>
/// <param name="Leaf">The leaf's exact text (UTF-8 JSON with sorted keys: <c>seq</c>, <c>kind</c>, <c>id</c>, ...); its leaf hash is <c>SHA-256(0x00 ‖ UTF-8 bytes)</c>.</param>
/// <param name="LeafIndex">The leaf's index (its <c>seq</c>).</param>
/// <param name="TreeSize">The size of the tree the path leads to (the checkpoint's).</param>
/// <param name="InclusionPath">The inclusion proof, lowercase hex, leaf side first.</param>
/// <param name="RootHash">The root of that tree, lowercase hex.</param>
/// <param name="Checkpoint">The signed checkpoint note (<see cref="LedgerCheckpoint.Text"/>).</param>
public sealed record LedgerReceipt(string Leaf, long LeafIndex, long TreeSize, IReadOnlyList<string> InclusionPath, string RootHash, string Checkpoint)
{
    private const string What = "receipt";
    private static readonly string[] Names = ["leaf", "leaf_index", "tree_size", "inclusion_path", "root_hash", "checkpoint"];

    /// <summary>A receipt from the proof's raw hashes and the checkpoint that signs its root.</summary>
    public static LedgerReceipt Create(string leaf, long leafIndex, IReadOnlyList<byte[]> inclusionPath, LedgerCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        ArgumentNullException.ThrowIfNull(inclusionPath);
        ArgumentNullException.ThrowIfNull(checkpoint);
        return new LedgerReceipt(leaf, leafIndex, checkpoint.TreeSize, [.. inclusionPath.Select(LedgerJson.Hex)],
            LedgerJson.Hex(checkpoint.RootHash), checkpoint.Text);
    }

    /// <summary>The receipt as JSON, properties in the documented order, indented, ending with a newline.</summary>
    public string ToJson() => LedgerJson.Write(writer =>
    {
        writer.WriteString("leaf", Leaf);
        writer.WriteNumber("leaf_index", LeafIndex);
        writer.WriteNumber("tree_size", TreeSize);
        LedgerJson.WriteHexArray(writer, "inclusion_path", InclusionPath);
        writer.WriteString("root_hash", RootHash);
        writer.WriteString("checkpoint", Checkpoint);
    });

    /// <summary>
    /// Reads a receipt's JSON strictly: exactly the six properties, integers where integers go, hashes as 64 lowercase
    /// hex digits, a leaf index inside the tree. It does not verify anything: see <see cref="Verify"/>.
    /// </summary>
    /// <exception cref="FormatException">The JSON is not a receipt; the message says why.</exception>
    public static LedgerReceipt Parse(string json) => LedgerJson.Read(json, What, Names, p =>
    {
        var receipt = new LedgerReceipt(
            LedgerJson.String(p, "leaf", What), LedgerJson.Count(p, "leaf_index", What), LedgerJson.Count(p, "tree_size", What),
            LedgerJson.HashArray(p, "inclusion_path", What), LedgerJson.Hash(p, "root_hash", What), LedgerJson.String(p, "checkpoint", What));
        if (receipt.LeafIndex >= receipt.TreeSize)
        {
            throw LedgerJson.Malformed(What, $"leaf_index {receipt.LeafIndex} is not inside a tree of {receipt.TreeSize} leaves");
        }
        return receipt;
    });

    /// <summary>
    /// Checks the receipt offline against the log's public key: the checkpoint is a well-formed note signed by that
    /// key, for this receipt's tree size and root; the inclusion path leads from this leaf at this index to that root
    /// (RFC 9162 §2.1.3.2); the leaf is a JSON object whose <c>seq</c> is the leaf index and whose <c>id</c> is
    /// <paramref name="expectedId"/> when one is given. Every failing check is listed, not just the first.
    /// </summary>
    public ReceiptVerification Verify(ECDsa publicKey, string? expectedId = null)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        var failures = new List<string>();
        try
        {
            var checkpoint = LedgerCheckpoint.Parse(Checkpoint);
            if (!checkpoint.Verify(publicKey))
            {
                failures.Add($"checkpoint signature: not signed by the given key (the note's key id is {LedgerJson.Hex(checkpoint.KeyId)}, "
                    + $"the key's is {LedgerJson.Hex(LedgerKeys.KeyId(publicKey))})");
            }
            if (checkpoint.TreeSize != TreeSize) failures.Add($"checkpoint: it signs a tree of {checkpoint.TreeSize} leaves, the receipt claims {TreeSize}");
            if (LedgerJson.Hex(checkpoint.RootHash) != RootHash) failures.Add("checkpoint: the root hash it signs differs from the receipt's root_hash");
        }
        catch (FormatException e)
        {
            failures.Add($"checkpoint: {e.Message}");
        }

        if (!ProvesInclusion()) failures.Add($"inclusion: the path does not lead from this leaf at index {LeafIndex} to the root of a tree of {TreeSize} leaves");

        var (kind, id) = CheckLeaf(failures, expectedId);
        return new ReceiptVerification(failures, kind, id);
    }

    private bool ProvesInclusion()
    {
        if (!LedgerJson.IsHash(RootHash) || !InclusionPath.All(LedgerJson.IsHash)) return false;
        byte[][] path = [.. InclusionPath.Select(Convert.FromHexString)];
        return MerkleTree.VerifyInclusion(MerkleTree.LeafHash(Encoding.UTF8.GetBytes(Leaf)), LeafIndex, TreeSize, path, Convert.FromHexString(RootHash));
    }

    private (string? Kind, string? Id) CheckLeaf(List<string> failures, string? expectedId)
    {
        try
        {
            using var leaf = JsonDocument.Parse(Leaf);
            var root = leaf.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                failures.Add("leaf: not a JSON object");
                return (null, null);
            }
            if (!root.TryGetProperty("seq", out var seq) || seq.ValueKind != JsonValueKind.Number || !seq.TryGetInt64(out long value) || value != LeafIndex)
            {
                failures.Add($"leaf: its \"seq\" is not the leaf index {LeafIndex}");
            }
            string? kind = root.TryGetProperty("kind", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
            string? id = root.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
            if (kind is null) failures.Add("leaf: no \"kind\"");
            if (id is null) failures.Add("leaf: no \"id\"");
            else if (expectedId is not null && id != expectedId) failures.Add($"leaf: it names id '{id}', not '{expectedId}'");
            return (kind, id);
        }
        catch (JsonException e)
        {
            failures.Add($"leaf: not JSON ({e.Message})");
            return (null, null);
        }
    }
}
