using System.Security.Cryptography;
using System.Text;
using Ciaf.Metadata.Ledger;
using CsCheck;

namespace Ciaf.Metadata.Tests.Ledger;

public sealed class MerkleTreeTests
{
    // Reference vectors of RFC 6962/9162 trees, from transparency-dev/merkle (Apache-2.0):
    // rfc6962/rfc6962_test.go (hasher) and proof/verify_test.go (leaves, roots, inclusion and consistency proofs;
    // its inclusion vectors number leaves from 1, converted here to 0-based indices). The same vectors are in
    // google/certificate-transparency-go's merkletree tests.
    private static readonly byte[][] Leaves =
    [
        [], H("00"), H("10"), H("2021"), H("3031"), H("40414243"), H("5051525354555657"), H("606162636465666768696a6b6c6d6e6f"),
    ];

    private static readonly string[] Roots =
    [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    public static TheoryData<long, long, string[]> InclusionVectors => new()
    {
        { 0, 1, [] },
        { 0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"] },
        { 5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"] },
        { 2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"] },
        { 1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"] },
    };

    public static TheoryData<long, long, string[]> ConsistencyVectors => new()
    {
        { 1, 1, [] },
        { 1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"] },
        { 6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"] },
        { 2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"] },
        { 6, 7, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"] },
    };

    [Fact]
    public void Hashes_ReferenceVectors_Match()
    {
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Hex(MerkleTree.EmptyRoot));
        Assert.Equal("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", Hex(MerkleTree.LeafHash([])));
        Assert.Equal("395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56", Hex(MerkleTree.LeafHash("L123456"u8)));
        Assert.Equal("aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb", Hex(MerkleTree.NodeHash("N123"u8, "N456"u8)));
        // Long inputs take the pooled-buffer path: same bytes hashed.
        Assert.Equal(Hex(SHA256.HashData([0x01, .. new byte[599]])), Hex(MerkleTree.NodeHash([], new byte[599])));
        Assert.Equal(Hex(SHA256.HashData([0x00, .. new byte[700]])), Hex(MerkleTree.LeafHash(new byte[700])));
    }

    [Fact]
    public void RootHash_ReferenceTrees_MatchPublishedRoots()
    {
        var log = ReferenceLog();
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Hex(log.RootHash(0)));
        for (int size = 1; size <= 8; size++) Assert.Equal(Roots[size - 1], Hex(log.RootHash(size)));
    }

    [Theory]
    [MemberData(nameof(InclusionVectors))]
    public void InclusionProof_ReferenceVectors_MatchAndVerify(long index, long size, string[] expected)
    {
        var log = ReferenceLog();
        byte[][] proof = log.InclusionProof(index, size);
        Assert.Equal(expected, proof.Select(Hex));
        Assert.True(MerkleTree.VerifyInclusion(log.LeafHash(index), index, size, proof, H(Roots[size - 1])));
    }

    [Theory]
    [MemberData(nameof(ConsistencyVectors))]
    public void ConsistencyProof_ReferenceVectors_MatchAndVerify(long m, long n, string[] expected)
    {
        var log = ReferenceLog();
        byte[][] proof = log.ConsistencyProof(m, n);
        Assert.Equal(expected, proof.Select(Hex));
        Assert.True(MerkleTree.VerifyConsistency(m, n, H(Roots[m - 1]), H(Roots[n - 1]), proof));
    }

    [Fact]
    public void Proofs_EverySmallTree_EqualTheRfcRecursionAndVerify()
    {
        for (int n = 1; n <= 70; n++)
        {
            var leaves = LeafHashes(n, seed: n);
            var log = Build(leaves);
            byte[] root = NaiveMth(leaves, 0, n);
            Assert.Equal(Hex(root), Hex(log.RootHash()));
            for (int i = 0; i < n; i++)
            {
                byte[][] path = log.InclusionProof(i);
                Assert.Equal(NaivePath(leaves, i, 0, n).Select(Hex), path.Select(Hex));
                Assert.True(MerkleTree.VerifyInclusion(leaves[i], i, n, path, root), $"inclusion {i} in {n}");
            }
            for (int m = 1; m <= n; m++)
            {
                byte[][] proof = log.ConsistencyProof(m);
                Assert.Equal(NaiveSubproof(leaves, m, 0, n, true).Select(Hex), proof.Select(Hex));
                Assert.True(MerkleTree.VerifyConsistency(m, n, NaiveMth(leaves, 0, m), root, proof), $"consistency {m} to {n}");
            }
        }
    }

    [Fact]
    public void Proofs_RandomLargeTrees_VerifyAgainstNaiveRoots()
    {
        Gen.Select(Gen.Int[1, 4000], Gen.Int[0, 1 << 20], Gen.Int[0, 1 << 20]).Sample((n, a, b) =>
        {
            var leaves = LeafHashes(n, seed: a);
            var log = Build(leaves);
            byte[] root = NaiveMth(leaves, 0, n);
            int index = a % n;
            int m = b % n + 1;
            byte[][] path = log.InclusionProof(index);
            byte[][] proof = log.ConsistencyProof(m);
            return Hex(log.RootHash()) == Hex(root)
                && path.Select(Hex).SequenceEqual(NaivePath(leaves, index, 0, n).Select(Hex))
                && MerkleTree.VerifyInclusion(leaves[index], index, n, path, root)
                && proof.Select(Hex).SequenceEqual(NaiveSubproof(leaves, m, 0, n, true).Select(Hex))
                && MerkleTree.VerifyConsistency(m, n, NaiveMth(leaves, 0, m), root, proof);
        }, iter: 60);
    }

    [Fact]
    public void VerifyInclusion_AnyTamperedInput_Fails()
    {
        Gen.Select(Gen.Int[1, 3000], Gen.Int[0, 1 << 20], Gen.Int[0, 255]).Sample((n, a, bit) =>
        {
            var leaves = LeafHashes(n, seed: a);
            var log = Build(leaves);
            int index = a % n;
            byte[] root = log.RootHash();
            byte[][] path = log.InclusionProof(index);
            byte[] leaf = leaves[index];
            var probes = new List<(string What, bool Verified)>
            {
                ("flipped leaf", MerkleTree.VerifyInclusion(Flip(leaf, bit), index, n, path, root)),
                ("flipped root", MerkleTree.VerifyInclusion(leaf, index, n, path, Flip(root, bit))),
                ("index - 1", MerkleTree.VerifyInclusion(leaf, index - 1, n, path, root)),
                ("index + 1", MerkleTree.VerifyInclusion(leaf, index + 1, n, path, root)),
                ("index ^ 2", MerkleTree.VerifyInclusion(leaf, index ^ 2, n, path, root)),
                ("size * 2", MerkleTree.VerifyInclusion(leaf, index, n * 2, path, root)),
                ("trailing root", MerkleTree.VerifyInclusion(leaf, index, n, [.. path, root], root)),
                ("preceding root", MerkleTree.VerifyInclusion(leaf, index, n, [root, .. path], root)),
            };
            if (n / 2 != n) probes.Add(("size / 2", MerkleTree.VerifyInclusion(leaf, index, n / 2, path, root)));
            if (path.Length > 0) probes.Add(("removed element", MerkleTree.VerifyInclusion(leaf, index, n, path[..^1], root)));
            for (int i = 0; i < path.Length; i++)
            {
                byte[][] tampered = [.. path];
                tampered[i] = Flip(path[i], bit);
                probes.Add(($"flipped path[{i}]", MerkleTree.VerifyInclusion(leaf, index, n, tampered, root)));
            }
            var wrong = probes.Where(p => p.Verified).Select(p => p.What).ToList();
            Assert.True(wrong.Count == 0, $"n={n} index={index} verified with: {string.Join(", ", wrong)}");
        }, iter: 150);
    }

    [Fact]
    public void VerifyConsistency_AnyTamperedInput_Fails()
    {
        Gen.Select(Gen.Int[2, 3000], Gen.Int[0, 1 << 20], Gen.Int[0, 255]).Sample((n, a, bit) =>
        {
            var leaves = LeafHashes(n, seed: a);
            var log = Build(leaves);
            int m = a % (n - 1) + 1;
            byte[] first = log.RootHash(m), second = log.RootHash();
            byte[][] proof = log.ConsistencyProof(m);
            Assert.True(MerkleTree.VerifyConsistency(m, n, first, second, proof));
            var probes = new List<(string What, bool Verified)>
            {
                ("flipped first root", MerkleTree.VerifyConsistency(m, n, Flip(first, bit), second, proof)),
                ("flipped second root", MerkleTree.VerifyConsistency(m, n, first, Flip(second, bit), proof)),
                ("swapped roots", MerkleTree.VerifyConsistency(m, n, second, first, proof)),
                ("m - 1", MerkleTree.VerifyConsistency(m - 1, n, first, second, proof)),
                ("m + 1", MerkleTree.VerifyConsistency(m + 1, n, first, second, proof)),
                ("m ^ 2", MerkleTree.VerifyConsistency(m ^ 2, n, first, second, proof)),
                ("n * 2", MerkleTree.VerifyConsistency(m, n * 2, first, second, proof)),
                ("n / 2", MerkleTree.VerifyConsistency(m, n / 2, first, second, proof)),
                ("empty proof", MerkleTree.VerifyConsistency(m, n, first, second, [])),
                ("truncated proof", MerkleTree.VerifyConsistency(m, n, first, second, proof[..^1])),
                ("trailing root", MerkleTree.VerifyConsistency(m, n, first, second, [.. proof, second])),
                ("preceding proof[0]", MerkleTree.VerifyConsistency(m, n, first, second, [proof[0], .. proof])),
            };
            for (int i = 0; i < proof.Length; i++)
            {
                byte[][] tampered = [.. proof];
                tampered[i] = Flip(proof[i], bit);
                probes.Add(($"flipped proof[{i}]", MerkleTree.VerifyConsistency(m, n, first, second, tampered)));
            }
            var wrong = probes.Where(p => p.Verified).Select(p => p.What).ToList();
            Assert.True(wrong.Count == 0, $"m={m} n={n} verified with: {string.Join(", ", wrong)}");
        }, iter: 150);
    }

    [Fact]
    public void VerifyConsistency_EdgeSizes_FollowTheRfc()
    {
        var log = ReferenceLog();
        byte[] root3 = log.RootHash(3);
        Assert.True(MerkleTree.VerifyConsistency(3, 3, root3, root3, []));
        Assert.False(MerkleTree.VerifyConsistency(3, 3, root3, log.RootHash(4), []));
        Assert.False(MerkleTree.VerifyConsistency(3, 3, root3, root3, [root3]));
        Assert.False(MerkleTree.VerifyConsistency(0, 3, MerkleTree.EmptyRoot, root3, []));
        Assert.False(MerkleTree.VerifyConsistency(4, 3, log.RootHash(4), root3, log.ConsistencyProof(3, 4)));
        Assert.False(MerkleTree.VerifyConsistency(3, 4, root3[..31], log.RootHash(4), log.ConsistencyProof(3, 4)));
    }

    [Fact]
    public void VerifyInclusion_WrongLengthsOrOutOfRange_Fail()
    {
        var log = ReferenceLog();
        byte[] leaf = log.LeafHash(0);
        Assert.True(MerkleTree.VerifyInclusion(leaf, 0, 1, [], leaf));
        Assert.False(MerkleTree.VerifyInclusion(leaf[..31], 0, 1, [], leaf[..31]));
        Assert.False(MerkleTree.VerifyInclusion(leaf, 0, 0, [], leaf));
        Assert.False(MerkleTree.VerifyInclusion(leaf, -1, 1, [], leaf));
        Assert.False(MerkleTree.VerifyInclusion(leaf, 0, 8, [.. log.InclusionProof(0, 8)[..2], []], H(Roots[7])));
    }

    [Fact]
    public void ProofPlans_InvalidArguments_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MerkleTree.InclusionProofRanges(5, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => MerkleTree.InclusionProofRanges(-1, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => MerkleTree.ConsistencyProofRanges(0, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => MerkleTree.ConsistencyProofRanges(6, 5));
        Assert.Empty(MerkleTree.ConsistencyProofRanges(5, 5));
        Assert.Empty(MerkleTree.InclusionProofRanges(0, 1));
    }

    [Fact]
    public void RangeNodes_AlignedRange_AreTheBinaryDecomposition()
    {
        Assert.Equal([new MerkleNode(2, 0), new MerkleNode(1, 2), new MerkleNode(0, 6)], MerkleTree.RangeNodes(0, 7));
        Assert.Equal([new MerkleNode(1, 4), new MerkleNode(0, 10)], MerkleTree.RangeNodes(8, 11));
        Assert.Equal([new MerkleNode(3, 2)], MerkleTree.RangeNodes(16, 24));
        var e = Assert.Throws<ArgumentException>(() => MerkleTree.RangeNodes(2, 5));
        Assert.Contains("multiple of 4", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => MerkleTree.RangeNodes(3, 3));
    }

    [Fact]
    public void BatchedPlan_OneReadOfItsNodes_GivesTheSameProofs()
    {
        var leaves = LeafHashes(1000, seed: 7);
        var log = Build(leaves);
        var inclusion = MerkleTree.InclusionProofRanges(617, 1000);
        var consistency = MerkleTree.ConsistencyProofRanges(333, 1000);
        var needed = MerkleTree.NodesOf(inclusion.Concat(consistency));
        Assert.Equal(needed.Count, needed.Distinct().Count());
        var read = needed.ToDictionary(n => n, n => log.Nodes[n]);
        Assert.Equal(log.InclusionProof(617).Select(Hex), inclusion.Select(r => Hex(MerkleTree.RangeHash(r.Start, r.End, read))));
        Assert.Equal(log.ConsistencyProof(333).Select(Hex), consistency.Select(r => Hex(MerkleTree.RangeHash(r.Start, r.End, read))));
        Assert.True(needed.Count <= 2 * 10 * 2, $"{needed.Count} nodes for two proofs in a tree of 1000");
        var missing = Assert.Throws<KeyNotFoundException>(() => MerkleTree.RangeHash(0, 1000, new Dictionary<MerkleNode, byte[]>()));
        Assert.Contains("level", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CompletedBy_EachAppend_ReadsOnlyLeftSiblingsAndCompletesAlignedNodes()
    {
        var log = new MerkleLog();
        for (int i = 0; i < 7; i++) log.Append([(byte)i]);
        var reads = new List<MerkleNode>();
        var completed = MerkleTree.CompletedBy(7, MerkleTree.LeafHash([7]), node =>
        {
            reads.Add(node);
            return log.Nodes[node];
        });
        Assert.Equal([new MerkleNode(0, 6), new MerkleNode(1, 2), new MerkleNode(2, 0)], reads);
        Assert.Equal([new MerkleNode(0, 7), new MerkleNode(1, 3), new MerkleNode(2, 1), new MerkleNode(3, 0)], completed.Select(c => c.Node));
        log.Append([7]);
        Assert.Equal(Hex(log.RootHash()), Hex(completed[^1].Hash));
        Assert.Single(MerkleTree.CompletedBy(8, MerkleTree.LeafHash([8]), _ => throw new InvalidOperationException("an even index reads nothing")));
    }

    private static MerkleLog ReferenceLog()
    {
        var log = new MerkleLog();
        foreach (byte[] leaf in Leaves) log.Append(leaf);
        return log;
    }

    private static MerkleLog Build(byte[][] leafHashes)
    {
        var log = new MerkleLog();
        foreach (byte[] hash in leafHashes) log.AppendHash(hash);
        return log;
    }

    private static byte[][] LeafHashes(int n, int seed) =>
        [.. Enumerable.Range(0, n).Select(i => MerkleTree.LeafHash(Encoding.UTF8.GetBytes($"{{\"seed\":{seed},\"seq\":{i}}}")))];

    // The RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1 recursions written as literally as possible, from the leaf list.
    private static byte[] NaiveMth(byte[][] leafHashes, int low, int high)
    {
        int n = high - low;
        if (n == 0) return SHA256.HashData([]);
        if (n == 1) return leafHashes[low];
        int k = SplitPoint(n);
        return SHA256.HashData([0x01, .. NaiveMth(leafHashes, low, low + k), .. NaiveMth(leafHashes, low + k, high)]);
    }

    private static List<byte[]> NaivePath(byte[][] leafHashes, int m, int low, int high)
    {
        int n = high - low;
        if (n == 1) return [];
        int k = SplitPoint(n);
        return m < k
            ? [.. NaivePath(leafHashes, m, low, low + k), NaiveMth(leafHashes, low + k, high)]
            : [.. NaivePath(leafHashes, m - k, low + k, high), NaiveMth(leafHashes, low, low + k)];
    }

    private static List<byte[]> NaiveSubproof(byte[][] leafHashes, int m, int low, int high, bool b)
    {
        int n = high - low;
        if (m == n) return b ? [] : [NaiveMth(leafHashes, low, high)];
        int k = SplitPoint(n);
        return m <= k
            ? [.. NaiveSubproof(leafHashes, m, low, low + k, b), NaiveMth(leafHashes, low + k, high)]
            : [.. NaiveSubproof(leafHashes, m - k, low + k, high, false), NaiveMth(leafHashes, low, low + k)];
    }

    private static int SplitPoint(int n)
    {
        int k = 1;
        while (k * 2 < n) k *= 2;
        return k;
    }

    private static byte[] Flip(byte[] hash, int bit)
    {
        byte[] copy = [.. hash];
        copy[bit / 8 % copy.Length] ^= (byte)(1 << (bit % 8));
        return copy;
    }

    private static byte[] H(string hex) => Convert.FromHexString(hex);

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
