using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Ciaf.Metadata.Ledger;

/// <summary>
/// A signed checkpoint of the ledger: a C2SP <c>tlog-checkpoint</c> in a C2SP <c>signed-note</c>, exactly
/// <code>
/// &lt;origin&gt;\n&lt;tree size&gt;\n&lt;base64 root hash&gt;\n
/// \n
/// — &lt;origin&gt; &lt;base64(key id ‖ signature)&gt;\n
/// </code>
/// The signature is ECDSA P-256 over the SHA-256 of the body (the first three lines, their newlines included), DER
/// encoded; the key id is <see cref="LedgerKeys.KeyId"/> (4 bytes). The signature line starts with U+2014 (em dash)
/// and a space.
/// </summary>
/// <remarks>
/// Parsing is strict: one body of exactly three lines (no extension lines), a decimal size without sign or leading
/// zeros, canonical base64 of a 32-byte root, exactly one signature line naming the origin, and a final newline. A
/// note that differs in any byte from what <see cref="Sign"/> writes is refused, so the text that was verified is the
/// text that is shown.
/// </remarks>
public sealed class LedgerCheckpoint
{
    private const string SignaturePrefix = "\u2014 ";
    private const int KeyIdSize = 4;

    private readonly byte[] _rootHash;
    private readonly byte[] _keyId;
    private readonly byte[] _signature;

    private LedgerCheckpoint(string origin, long treeSize, byte[] rootHash, byte[] keyId, byte[] signature)
    {
        Origin = origin;
        TreeSize = treeSize;
        _rootHash = rootHash;
        _keyId = keyId;
        _signature = signature;
        Body = BodyOf(origin, treeSize, rootHash);
        Text = $"{Body}\n{SignaturePrefix}{origin} {Convert.ToBase64String([.. keyId, .. signature])}\n";
    }

    /// <summary>The log's name (a single token: no spaces, no <c>+</c>, no control characters).</summary>
    public string Origin { get; }

    /// <summary>The number of leaves the checkpoint covers.</summary>
    public long TreeSize { get; }

    /// <summary>The RFC 9162 root hash of the first <see cref="TreeSize"/> leaves (a copy).</summary>
    public byte[] RootHash => [.. _rootHash];

    /// <summary>The signer's key id, <see cref="LedgerKeys.KeyId"/> (a copy).</summary>
    public byte[] KeyId => [.. _keyId];

    /// <summary>The signed body: the three lines, each ending with a newline.</summary>
    public string Body { get; }

    /// <summary>The whole signed note, as stored, witnessed and put in receipts.</summary>
    public string Text { get; }

    /// <summary>Signs a checkpoint of <paramref name="treeSize"/> leaves with root <paramref name="rootHash"/>.</summary>
    /// <exception cref="ArgumentException">The origin is not a single token, the size is negative, the root is not 32 bytes, or the key is not a P-256 private key.</exception>
    public static LedgerCheckpoint Sign(string origin, long treeSize, byte[] rootHash, ECDsa privateKey)
    {
        ArgumentNullException.ThrowIfNull(rootHash);
        if (OriginProblem(origin) is { } problem) throw new ArgumentException($"Checkpoint origin {problem}.", nameof(origin));
        ArgumentOutOfRangeException.ThrowIfNegative(treeSize);
        if (rootHash.Length != MerkleTree.HashSize) throw new ArgumentException($"A root hash has {MerkleTree.HashSize} bytes, not {rootHash.Length}.", nameof(rootHash));
        LedgerKeys.EnsureP256(privateKey, nameof(privateKey));
        byte[] signature = privateKey.SignData(Encoding.UTF8.GetBytes(BodyOf(origin, treeSize, rootHash)), HashAlgorithmName.SHA256,
            DSASignatureFormat.Rfc3279DerSequence);
        return new LedgerCheckpoint(origin, treeSize, [.. rootHash], LedgerKeys.KeyId(privateKey), signature);
    }

    /// <summary>Parses a signed note written by <see cref="Sign"/> (it does not check the signature: see <see cref="Verify"/>).</summary>
    /// <exception cref="FormatException">The text is not such a note; the message says what is wrong.</exception>
    public static LedgerCheckpoint Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int blank = text.IndexOf("\n\n", StringComparison.Ordinal);
        if (blank < 0) throw Malformed("there is no blank line between the body and the signature line");
        string[] body = text[..blank].Split('\n');
        if (body.Length != 3) throw Malformed($"the body has {body.Length} line(s); a checkpoint has 3 (origin, tree size, base64 root hash)");
        string origin = body[0];
        if (OriginProblem(origin) is { } problem) throw Malformed($"the origin {problem}");
        if (body[1].Length == 0 || body[1].Length > 19 || !body[1].All(char.IsAsciiDigit) || (body[1].Length > 1 && body[1][0] == '0')
            || !long.TryParse(body[1], NumberStyles.None, CultureInfo.InvariantCulture, out long treeSize))
        {
            throw Malformed($"the tree size '{Shorten(body[1])}' is not a decimal number without sign or leading zeros");
        }
        byte[] rootHash = Base64(body[2], "root hash");
        if (rootHash.Length != MerkleTree.HashSize) throw Malformed($"the root hash has {rootHash.Length} bytes, not {MerkleTree.HashSize}");

        string signatures = text[(blank + 2)..];
        if (!signatures.EndsWith('\n')) throw Malformed("it does not end with a newline");
        string line = signatures[..^1];
        if (line.Contains('\n')) throw Malformed("it has more than one signature line (or text after it)");
        if (!line.StartsWith(SignaturePrefix, StringComparison.Ordinal)) throw Malformed("the signature line does not start with '\u2014 ' (U+2014 em dash, space)");
        string[] parts = line[SignaturePrefix.Length..].Split(' ');
        if (parts.Length != 2) throw Malformed("the signature line is not '\u2014 <origin> <base64 signature>'");
        if (parts[0] != origin) throw Malformed($"the signature names '{Shorten(parts[0])}', not the origin '{origin}'");
        byte[] signed = Base64(parts[1], "signature");
        if (signed.Length <= KeyIdSize) throw Malformed($"the signature has {signed.Length} bytes: too short for a {KeyIdSize}-byte key id and a signature");
        return new LedgerCheckpoint(origin, treeSize, rootHash, signed[..KeyIdSize], signed[KeyIdSize..]);
    }

    /// <summary>
    /// Whether the note was signed by <paramref name="publicKey"/>: its key id matches and the ECDSA signature over the
    /// body verifies. A note signed by any other key (or a key on another curve) is false.
    /// </summary>
    public bool Verify(ECDsa publicKey)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        try
        {
            LedgerKeys.EnsureP256(publicKey, nameof(publicKey));
            return LedgerKeys.KeyId(publicKey).AsSpan().SequenceEqual(_keyId)
                && publicKey.VerifyData(Encoding.UTF8.GetBytes(Body), _signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            return false;
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Text;

    private static string BodyOf(string origin, long treeSize, byte[] rootHash) =>
        string.Create(CultureInfo.InvariantCulture, $"{origin}\n{treeSize}\n{Convert.ToBase64String(rootHash)}\n");

    /// <summary>
    /// Why <paramref name="origin"/> cannot be a note's origin, or null. It is the signature line's key name, so the
    /// signed-note rules apply: non-empty, no Unicode spaces or '+', and (for one-line notes) no control characters.
    /// </summary>
    private static string? OriginProblem(string? origin) => origin switch
    {
        null or "" => "is empty",
        _ when origin.Any(char.IsWhiteSpace) => $"'{Shorten(origin)}' contains a space or line break",
        _ when origin.Any(char.IsControl) => $"'{Shorten(origin)}' contains a control character",
        _ when origin.Contains('+') => $"'{Shorten(origin)}' contains '+'",
        _ => null,
    };

    private static byte[] Base64(string text, string what)
    {
        var buffer = new byte[text.Length];
        if (!Convert.TryFromBase64String(text, buffer, out int written) || Convert.ToBase64String(buffer, 0, written) != text)
        {
            throw Malformed($"the {what} '{Shorten(text)}' is not canonical base64");
        }
        return buffer[..written];
    }

    private static FormatException Malformed(string why) => new($"Not a ledger checkpoint (C2SP signed note): {why}.");

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..60] + "…";
}
