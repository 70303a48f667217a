using System.Security.Cryptography;
using System.Text;
using Ciaf.Metadata.Ledger;

namespace Ciaf.Metadata.Tests.Ledger;

public sealed class LedgerReceiptTests
{
    /// <summary>A signed log of <paramref name="size"/> record leaves and the receipt of leaf <paramref name="index"/>.</summary>
    internal static (LedgerReceipt Receipt, MerkleLog Log) SignedReceipt(ECDsa key, int size = 13, int index = 9)
    {
        var log = new MerkleLog();
        for (int i = 0; i < size; i++) log.Append(Encoding.UTF8.GetBytes(Leaf(i)));
        var checkpoint = LedgerCheckpoint.Sign("test-store", log.Size, log.RootHash(), key);
        return (LedgerReceipt.Create(Leaf(index), index, log.InclusionProof(index), checkpoint), log);
    }

    internal static string Leaf(int seq) =>
        $"{{\"content_sha256\":\"{Convert.ToHexStringLower(SHA256.HashData(BitConverter.GetBytes(seq)))}\",\"id\":\"rec-{seq}\",\"kind\":\"record\",\"seq\":{seq},\"timestamp\":\"2026-12-01T05:00:00\"}}";

    [Fact]
    public void ToJson_Receipt_HasExactlyTheDocumentedPropertiesInOrder()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (receipt, log) = SignedReceipt(key);
        string json = receipt.ToJson();
        string[] order = ["\"leaf\":", "\"leaf_index\": 9", "\"tree_size\": 13", "\"inclusion_path\":", "\"root_hash\":", "\"checkpoint\":"];
        int[] positions = [.. order.Select(p => json.IndexOf(p, StringComparison.Ordinal))];
        Assert.All(positions, p => Assert.True(p > 0, json));
        Assert.Equal(positions.Order(), positions);
        Assert.Contains(Convert.ToHexStringLower(log.RootHash()), json, StringComparison.Ordinal);
        Assert.Contains("\u2014 test-store", json, StringComparison.Ordinal);

        var parsed = LedgerReceipt.Parse(json);
        Assert.Equal(receipt.Leaf, parsed.Leaf);
        Assert.Equal(receipt.LeafIndex, parsed.LeafIndex);
        Assert.Equal(receipt.TreeSize, parsed.TreeSize);
        Assert.Equal(receipt.InclusionPath, parsed.InclusionPath);
        Assert.Equal(receipt.RootHash, parsed.RootHash);
        Assert.Equal(receipt.Checkpoint, parsed.Checkpoint);
        Assert.Equal(json, parsed.ToJson());
    }

    [Fact]
    public void Verify_GenuineReceipt_IsValidAndNamesTheLeaf()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (receipt, _) = SignedReceipt(key);
        var result = receipt.Verify(key, "rec-9");
        Assert.True(result.IsValid, string.Join("; ", result.Failures));
        Assert.Equal(("record", "rec-9"), (result.Kind, result.Id));
        Assert.True(receipt.Verify(key).IsValid);
        var single = SignedReceipt(key, size: 1, index: 0).Receipt;
        Assert.Empty(single.InclusionPath);
        Assert.True(single.Verify(key, "rec-0").IsValid);
    }

    [Fact]
    public void Verify_EachTampering_FailsNamingTheCheck()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (receipt, log) = SignedReceipt(key);
        string otherRoot = Convert.ToHexStringLower(log.RootHash(12));

        AssertFails(receipt.Verify(other), "checkpoint signature");
        AssertFails(receipt.Verify(key, "rec-8"), "leaf: it names id 'rec-9', not 'rec-8'");
        AssertFails(receipt with { Leaf = receipt.Leaf.Replace("record", "recorD", StringComparison.Ordinal) }, key, "inclusion");
        AssertFails(receipt with { Leaf = Leaf(8) }, key, "inclusion", "\"seq\"");
        AssertFails(receipt with { LeafIndex = 8 }, key, "inclusion", "\"seq\"");
        AssertFails(receipt with { RootHash = otherRoot }, key, "checkpoint: the root hash", "inclusion");
        AssertFails(receipt with { TreeSize = 12 }, key, "checkpoint: it signs a tree of 13 leaves", "inclusion");
        AssertFails(receipt with { Checkpoint = LedgerCheckpoint.Sign("test-store", 12, log.RootHash(12), key).Text }, key, "checkpoint: it signs a tree of 12", "checkpoint: the root hash");
        AssertFails(receipt with { Checkpoint = receipt.Checkpoint.Replace("\n13\n", "\n14\n", StringComparison.Ordinal) }, key, "checkpoint signature", "checkpoint: it signs a tree of 14");
        AssertFails(receipt with { Checkpoint = "garbage" }, key, "checkpoint: Not a ledger checkpoint");
        AssertFails(receipt with { Leaf = "[1]" }, key, "leaf: not a JSON object");
        AssertFails(receipt with { Leaf = "{" }, key, "leaf: not JSON");
        for (int i = 0; i < receipt.InclusionPath.Count; i++)
        {
            var path = receipt.InclusionPath.ToArray();
            path[i] = (path[i][0] == '0' ? "1" : "0") + path[i][1..];
            AssertFails(receipt with { InclusionPath = path }, key, "inclusion");
        }
        AssertFails(receipt with { InclusionPath = receipt.InclusionPath.Take(receipt.InclusionPath.Count - 1).ToArray() }, key, "inclusion");
    }

    public static TheoryData<string, string> MalformedReceipts()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string good = SignedReceipt(key).Receipt.ToJson();
        return new TheoryData<string, string>
        {
            { "[]", "not a JSON object" },
            { "{", "invalid JSON" },
            { good.Replace("\"leaf_index\": 9", "\"leaf_index\": 9, \"extra\": 1", StringComparison.Ordinal), "unknown property \"extra\"" },
            { good.Replace("\"leaf_index\": 9", "\"leaf_index\": 9, \"leaf_index\": 9", StringComparison.Ordinal), "\"leaf_index\" appears twice" },
            { good.Replace("\"leaf_index\": 9,", "", StringComparison.Ordinal), "\"leaf_index\" is missing" },
            { good.Replace("\"leaf_index\": 9", "\"leaf_index\": -1", StringComparison.Ordinal), "\"leaf_index\" is not a non-negative integer" },
            { good.Replace("\"leaf_index\": 9", "\"leaf_index\": 9.5", StringComparison.Ordinal), "\"leaf_index\" is not a non-negative integer" },
            { good.Replace("\"leaf_index\": 9", "\"leaf_index\": \"9\"", StringComparison.Ordinal), "\"leaf_index\" is not a non-negative integer" },
            { good.Replace("\"leaf_index\": 9", "\"leaf_index\": 13", StringComparison.Ordinal), "leaf_index 13 is not inside a tree of 13 leaves" },
            { good.Replace("\"root_hash\": \"", "\"root_hash\": \"A", StringComparison.Ordinal), "\"root_hash\" is not a SHA-256 hash" },
            { good.Replace("\"inclusion_path\": [", "\"inclusion_path\": [\"00\",", StringComparison.Ordinal), "\"inclusion_path\"[0] is not a SHA-256 hash" },
            { good.Replace("\"inclusion_path\": [", "\"inclusion_path\": [1,", StringComparison.Ordinal), "\"inclusion_path\"[0] is not a string" },
            { good.Replace("\"checkpoint\": \"", "\"checkpoint\": 1, \"x\": \"", StringComparison.Ordinal), "unknown property \"x\"" },
        };
    }

    [Theory]
    [MemberData(nameof(MalformedReceipts))]
    public void Parse_MalformedReceipt_ThrowsSayingWhy(string json, string expected)
    {
        var e = Assert.Throws<FormatException>(() => LedgerReceipt.Parse(json));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("Not a ledger receipt", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Consistency_RoundTripAndVerify_DetectsTampering()
    {
        var log = new MerkleLog();
        for (int i = 0; i < 29; i++) log.Append(Encoding.UTF8.GetBytes(Leaf(i)));
        var proof = LedgerConsistency.Create(11, 29, log.RootHash(11), log.RootHash(29), log.ConsistencyProof(11, 29));
        string json = proof.ToJson();
        Assert.Matches("^\\{\\s*\"first\": 11,\\s*\"second\": 29,\\s*\"first_root\": \"[0-9a-f]{64}\",\\s*\"second_root\": \"[0-9a-f]{64}\",\\s*\"proof\": \\[", json);
        var parsed = LedgerConsistency.Parse(json);
        Assert.True(parsed.Verify());
        Assert.Equal(json, parsed.ToJson());

        Assert.False((parsed with { First = 12 }).Verify());
        Assert.False((parsed with { SecondRoot = parsed.FirstRoot }).Verify());
        Assert.False((parsed with { Proof = parsed.Proof.Skip(1).ToArray() }).Verify());
        Assert.False((parsed with { Proof = ["XYZ"] }).Verify());

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var older = LedgerCheckpoint.Sign("s", 11, log.RootHash(11), key);
        var newer = LedgerCheckpoint.Sign("s", 29, log.RootHash(29), key);
        Assert.True(parsed.Matches(older, newer));
        Assert.False(parsed.Matches(LedgerCheckpoint.Sign("s", 11, log.RootHash(10), key), newer));

        Assert.True(LedgerConsistency.Parse(LedgerConsistency.Create(5, 5, log.RootHash(5), log.RootHash(5), []).ToJson()).Verify());
        Assert.Contains("first (0) must be at least 1",
            Assert.Throws<FormatException>(() => LedgerConsistency.Parse(json.Replace("\"first\": 11", "\"first\": 0", StringComparison.Ordinal))).Message,
            StringComparison.Ordinal);
        Assert.Contains("\"proof\" is missing",
            Assert.Throws<FormatException>(() => LedgerConsistency.Parse("{\"first\": 1, \"second\": 1, \"first_root\": \"" + new string('a', 64) + "\", \"second_root\": \"" + new string('a', 64) + "\"}")).Message,
            StringComparison.Ordinal);
    }

    private static void AssertFails(LedgerReceipt receipt, ECDsa key, params string[] expected) => AssertFails(receipt.Verify(key, "rec-9"), expected);

    private static void AssertFails(ReceiptVerification result, params string[] expected)
    {
        Assert.False(result.IsValid);
        string all = string.Join("\n", result.Failures);
        foreach (string text in expected) Assert.Contains(text, all, StringComparison.Ordinal);
    }
}
