using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ciaf.Metadata.Ledger;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Ledger;

public sealed class LedgerCheckpointTests
{
    private static readonly byte[] Root = SHA256.HashData("root"u8);

    [Fact]
    public void Sign_Text_IsTheC2spSignedNoteLayout()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var checkpoint = LedgerCheckpoint.Sign("ciaf.example/store", 42, Root, key);

        string b64Root = Convert.ToBase64String(Root);
        Assert.Equal($"ciaf.example/store\n42\n{b64Root}\n", checkpoint.Body);
        string[] parts = checkpoint.Text.Split("\n\n");
        Assert.Equal(2, parts.Length);
        Assert.Equal(checkpoint.Body, parts[0] + "\n");
        Assert.StartsWith("\u2014 ciaf.example/store ", parts[1], StringComparison.Ordinal);
        Assert.EndsWith("\n", parts[1], StringComparison.Ordinal);
        byte[] signed = Convert.FromBase64String(parts[1]["\u2014 ciaf.example/store ".Length..^1]);
        Assert.Equal(LedgerKeys.KeyId(key), signed[..4]);
        // The signature is DER (an ASN.1 SEQUENCE), over the SHA-256 of the body.
        Assert.Equal(0x30, signed[4]);
        Assert.True(key.VerifyData(Encoding.UTF8.GetBytes(checkpoint.Body), signed[4..], HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
    }

    [Fact]
    public void Parse_SignedText_RoundTripsEveryField()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var signed = LedgerCheckpoint.Sign("origin", 0, MerkleTree.EmptyRoot, key);
        var parsed = LedgerCheckpoint.Parse(signed.Text);
        Assert.Equal(signed.Text, parsed.Text);
        Assert.Equal("origin", parsed.Origin);
        Assert.Equal(0, parsed.TreeSize);
        Assert.Equal(MerkleTree.EmptyRoot, parsed.RootHash);
        Assert.Equal(LedgerKeys.KeyId(key), parsed.KeyId);
        Assert.True(parsed.Verify(key));
    }

    [Fact]
    public void Verify_OtherKeyOrTamperedNote_Fails()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var checkpoint = LedgerCheckpoint.Sign("origin", 7, Root, key);
        Assert.True(checkpoint.Verify(key));
        Assert.False(checkpoint.Verify(other));
        Assert.False(checkpoint.Verify(p384));

        // A note rewritten with another key but the right key id (a forger copying the id) still fails.
        var forged = LedgerCheckpoint.Sign("origin", 7, Root, other);
        string forgedText = ReplaceSignature(forged.Text, [.. LedgerKeys.KeyId(key), .. SignatureOf(forged.Text)[4..]]);
        Assert.False(LedgerCheckpoint.Parse(forgedText).Verify(key));

        string[] tampered =
        [
            checkpoint.Text.Replace("\n7\n", "\n8\n", StringComparison.Ordinal),
            checkpoint.Text.Replace(Convert.ToBase64String(Root), Convert.ToBase64String(SHA256.HashData("other"u8)), StringComparison.Ordinal),
            checkpoint.Text.Replace("origin\n", "origim\n", StringComparison.Ordinal).Replace("\u2014 origin ", "\u2014 origim ", StringComparison.Ordinal),
        ];
        foreach (string text in tampered) Assert.False(LedgerCheckpoint.Parse(text).Verify(key), text);
        byte[] signature = SignatureOf(checkpoint.Text);
        for (int i = 4; i < signature.Length; i += 7)
        {
            byte[] flipped = [.. signature];
            flipped[i] ^= 0x01;
            Assert.False(LedgerCheckpoint.Parse(ReplaceSignature(checkpoint.Text, flipped)).Verify(key), $"byte {i}");
        }
    }

    public static TheoryData<string, string> MalformedNotes()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string good = LedgerCheckpoint.Sign("origin", 12, Root, key).Text;
        string root = Convert.ToBase64String(Root);
        string sig = good[(good.IndexOf('\u2014', StringComparison.Ordinal))..];
        return new TheoryData<string, string>
        {
            { good.Replace("\n\n", "\n", StringComparison.Ordinal), "no blank line" },
            { $"origin\n12\n{root}\nextension\n\n{sig}", "the body has 4 line(s)" },
            { $"origin\n12\n\n{sig}", "the body has 2 line(s)" },
            { $"origin\n012\n{root}\n\n{sig}", "tree size '012'" },
            { $"origin\n-1\n{root}\n\n{sig}", "tree size '-1'" },
            { $"origin\n99999999999999999999\n{root}\n\n{sig}", "tree size" },
            { $"origin\n12\n{root[..^4]}\n\n{sig}", "root hash has 30 bytes" },
            { $"origin\n12\n{root.TrimEnd('=')}\n\n{sig}", "not canonical base64" },
            { $"origin\n12\n{root}\n\n{sig.TrimEnd('\n')}", "does not end with a newline" },
            { $"{good}\u2014 witness AAAAAAAA\n", "more than one signature line" },
            { good.Replace("\u2014 ", "-- ", StringComparison.Ordinal), "em dash" },
            { good.Replace("\u2014 origin", "\u2014 other", StringComparison.Ordinal), "names 'other'" },
            { good.Replace("\u2014 origin ", "\u2014 origin  ", StringComparison.Ordinal), "is not '\u2014 <origin>" },
            { $"origin\n12\n{root}\n\n\u2014 origin AAAA\n", "too short" },
            { good.Replace("origin", "or igin", StringComparison.Ordinal), "contains a space" },
            { good.Replace("origin", "or+igin", StringComparison.Ordinal), "contains '+'" },
            { good.Replace("origin", "", StringComparison.Ordinal), "origin is empty" },
            { good.Replace("\n", "\r\n", StringComparison.Ordinal), "no blank line" },
        };
    }

    [Theory]
    [MemberData(nameof(MalformedNotes))]
    public void Parse_MalformedNote_ThrowsSayingWhy(string text, string expected)
    {
        var e = Assert.Throws<FormatException>(() => LedgerCheckpoint.Parse(text));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("Not a ledger checkpoint", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sign_InvalidArguments_Throw()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        Assert.Equal("origin", Assert.Throws<ArgumentException>(() => LedgerCheckpoint.Sign("two words", 1, Root, key)).ParamName);
        Assert.Equal("origin", Assert.Throws<ArgumentException>(() => LedgerCheckpoint.Sign("line\nbreak", 1, Root, key)).ParamName);
        Assert.Equal("origin", Assert.Throws<ArgumentException>(() => LedgerCheckpoint.Sign("", 1, Root, key)).ParamName);
        Assert.Equal("treeSize", Assert.Throws<ArgumentOutOfRangeException>(() => LedgerCheckpoint.Sign("o", -1, Root, key)).ParamName);
        Assert.Equal("rootHash", Assert.Throws<ArgumentException>(() => LedgerCheckpoint.Sign("o", 1, Root[..31], key)).ParamName);
        Assert.Equal("privateKey", Assert.Throws<ArgumentException>(() => LedgerCheckpoint.Sign("o", 1, Root, p384)).ParamName);
    }

    [SkippableFact]
    public void Signature_PythonCryptography_VerifiesOursAndWeVerifyItsNotes()
    {
        PythonCryptography.Require();
        using var temp = new TempDirectory();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var checkpoint = LedgerCheckpoint.Sign("ciaf:/data/store", 1234567, Root, key);
        string notePath = temp.Combine("note.txt"), pemPath = temp.Combine("public.pem");
        File.WriteAllText(notePath, checkpoint.Text);
        File.WriteAllText(pemPath, LedgerKeys.PublicPem(key));
        Assert.Equal("ok", Python.Run(PythonVerify, notePath, pemPath).Trim());

        File.WriteAllText(notePath, checkpoint.Text.Replace("1234567", "1234568", StringComparison.Ordinal));
        Assert.Throws<InvalidOperationException>(() => Python.Run(PythonVerify, notePath, pemPath));

        using var output = JsonDocument.Parse(Python.Run(PythonSign, Convert.ToBase64String(Root)));
        var fromPython = LedgerCheckpoint.Parse(output.RootElement.GetProperty("note").GetString()!);
        using var pythonKey = LedgerKeys.LoadPublic(output.RootElement.GetProperty("pem").GetString()!);
        Assert.Equal(99, fromPython.TreeSize);
        Assert.True(fromPython.Verify(pythonKey));
        Assert.False(fromPython.Verify(key));
    }

    // Python's cryptography, written from the format description (not from this library): verifies a note.
    private const string PythonVerify = """
        import sys, base64, hashlib
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        note = open(sys.argv[1], encoding="utf-8").read()
        key = serialization.load_pem_public_key(open(sys.argv[2], "rb").read())
        body, signature = note.split("\n\n", 1)
        body += "\n"
        assert signature.startswith("\u2014 ") and signature.endswith("\n")
        name, b64 = signature[2:-1].split(" ")
        assert name == body.split("\n")[0]
        raw = base64.b64decode(b64, validate=True)
        spki = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        assert raw[:4] == hashlib.sha256(spki).digest()[:4], "key id"
        key.verify(raw[4:], body.encode("utf-8"), ec.ECDSA(hashes.SHA256()))
        print("ok")
        """;

    // Signs a note for a tree of 99 leaves with a fresh key; prints the note and the public key as JSON.
    private const string PythonSign = """
        import sys, base64, hashlib, json
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        key = ec.generate_private_key(ec.SECP256R1())
        body = "python-origin\n99\n" + sys.argv[1] + "\n"
        spki = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        signature = key.sign(body.encode("utf-8"), ec.ECDSA(hashes.SHA256()))
        line = "\u2014 python-origin " + base64.b64encode(hashlib.sha256(spki).digest()[:4] + signature).decode() + "\n"
        pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        print(json.dumps({"note": body + "\n" + line, "pem": pem}))
        """;

    private static byte[] SignatureOf(string text) => Convert.FromBase64String(text[(text.LastIndexOf(' ') + 1)..^1]);

    private static string ReplaceSignature(string text, byte[] signed) => text[..(text.LastIndexOf(' ') + 1)] + Convert.ToBase64String(signed) + "\n";
}
