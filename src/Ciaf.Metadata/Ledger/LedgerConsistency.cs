namespace Ciaf.Metadata.Ledger;

/// <summary>
/// A consistency proof between two sizes of the ledger (RFC 9162 §2.1.4): the tree of <see cref="First"/> leaves is a
/// prefix of the tree of <see cref="Second"/> leaves, so nothing in it was changed or removed. Its JSON
/// (<see cref="ToJson"/>) is
/// <code>
/// {"first": m, "second": n, "first_root": "&lt;hex&gt;", "second_root": "&lt;hex&gt;", "proof": ["&lt;hex&gt;", ...]}
/// </code>
/// Checked against two checkpoints, it shows a log was only appended to between them.
/// </summary>
/// <param name="First">The older tree size (at least 1).</param>
/// <param name="Second">The newer tree size (at least <paramref name="First"/>).</param>
/// <param name="FirstRoot">The older root, lowercase hex.</param>
/// <param name="SecondRoot">The newer root, lowercase hex.</param>
/// <param name="Proof">The proof, lowercase hex (empty when the sizes are equal).</param>
public sealed record LedgerConsistency(long First, long Second, string FirstRoot, string SecondRoot, IReadOnlyList<string> Proof)
{
    private const string What = "consistency proof";
    private static readonly string[] Names = ["first", "second", "first_root", "second_root", "proof"];

    /// <summary>A consistency proof from raw hashes.</summary>
    public static LedgerConsistency Create(long first, long second, byte[] firstRoot, byte[] secondRoot, IReadOnlyList<byte[]> proof)
    {
        ArgumentNullException.ThrowIfNull(firstRoot);
        ArgumentNullException.ThrowIfNull(secondRoot);
        ArgumentNullException.ThrowIfNull(proof);
        return new LedgerConsistency(first, second, LedgerJson.Hex(firstRoot), LedgerJson.Hex(secondRoot), [.. proof.Select(LedgerJson.Hex)]);
    }

    /// <summary>The proof as JSON, properties in the documented order, indented, ending with a newline.</summary>
    public string ToJson() => LedgerJson.Write(writer =>
    {
        writer.WriteNumber("first", First);
        writer.WriteNumber("second", Second);
        writer.WriteString("first_root", FirstRoot);
        writer.WriteString("second_root", SecondRoot);
        LedgerJson.WriteHexArray(writer, "proof", Proof);
    });

    /// <summary>Reads the JSON strictly (exactly the five properties, hashes as 64 lowercase hex digits, 1 ≤ first ≤ second).</summary>
    /// <exception cref="FormatException">The JSON is not a consistency proof; the message says why.</exception>
    public static LedgerConsistency Parse(string json) => LedgerJson.Read(json, What, Names, p =>
    {
        var proof = new LedgerConsistency(
            LedgerJson.Count(p, "first", What), LedgerJson.Count(p, "second", What),
            LedgerJson.Hash(p, "first_root", What), LedgerJson.Hash(p, "second_root", What), LedgerJson.HashArray(p, "proof", What));
        if (proof.First < 1 || proof.First > proof.Second)
        {
            throw LedgerJson.Malformed(What, $"first ({proof.First}) must be at least 1 and at most second ({proof.Second})");
        }
        return proof;
    });

    /// <summary>Whether the proof shows the two roots consistent (RFC 9162 §2.1.4.2; see <see cref="MerkleTree.VerifyConsistency"/>).</summary>
    public bool Verify()
    {
        if (!LedgerJson.IsHash(FirstRoot) || !LedgerJson.IsHash(SecondRoot) || !Proof.All(LedgerJson.IsHash)) return false;
        return MerkleTree.VerifyConsistency(First, Second, Convert.FromHexString(FirstRoot), Convert.FromHexString(SecondRoot),
            [.. Proof.Select(Convert.FromHexString)]);
    }

    /// <summary>Whether the proof verifies and its roots are the ones <paramref name="older"/> and <paramref name="newer"/> sign (signatures are the caller's to check).</summary>
    public bool Matches(LedgerCheckpoint older, LedgerCheckpoint newer)
    {
        ArgumentNullException.ThrowIfNull(older);
        ArgumentNullException.ThrowIfNull(newer);
        return older.TreeSize == First && newer.TreeSize == Second
            && LedgerJson.Hex(older.RootHash) == FirstRoot && LedgerJson.Hex(newer.RootHash) == SecondRoot && Verify();
    }
}
