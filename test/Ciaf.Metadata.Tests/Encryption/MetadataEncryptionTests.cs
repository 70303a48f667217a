using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Encryption;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Encryption;

public sealed class MetadataEncryptionTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void GenerateKey_WritesBase64KeyOwnerOnly_AndRefusesToOverwrite()
    {
        string path = _folder.Combine("keys", "metadata.key");
        string kid = MetadataEncryption.GenerateKey(path);

        byte[] key = MetadataEncryption.LoadKey(path);
        Assert.Equal(32, key.Length);
        Assert.Equal(kid, MetadataEncryption.KeyId(key));
        Assert.Matches("^[0-9a-f]{8}$", kid);
        Assert.Equal(Convert.ToBase64String(key) + "\n", File.ReadAllText(path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        Assert.Throws<IOException>(() => MetadataEncryption.GenerateKey(path));
        Assert.NotEqual(kid, MetadataEncryption.GenerateKey(path, overwrite: true));
    }

    [Fact]
    public void LoadKey_RawBase64AndHex_ReadTheSameKey()
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        File.WriteAllBytes(_folder.Combine("raw.key"), key);
        File.WriteAllText(_folder.Combine("b64.key"), "  " + Convert.ToBase64String(key) + "\r\n");
        File.WriteAllText(_folder.Combine("hex.key"), Convert.ToHexString(key));
        Assert.Equal(key, MetadataEncryption.LoadKey(_folder.Combine("raw.key")));
        Assert.Equal(key, MetadataEncryption.LoadKey(_folder.Combine("b64.key")));
        Assert.Equal(key, MetadataEncryption.LoadKey(_folder.Combine("hex.key")));

        File.WriteAllText(_folder.Combine("short.key"), Convert.ToBase64String(key[..16]));
        var ex = Assert.Throws<InvalidDataException>(() => MetadataEncryption.LoadKey(_folder.Combine("short.key")));
        Assert.Contains("short.key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cipher_EncryptsSensitiveKeysAtAnyDepthIgnoringCase_AndRoundTrips()
    {
        var cipher = new SensitiveDataCipher(RandomNumberGenerator.GetBytes(32), ["ssn", "email"]);
        var metadata = (JsonObject)JsonNode.Parse("""{"a": 1, "SSN": "1", "deep": {"list": [{"Email": {"x": [1.5, null]}}, 2]}, "ssn_note": "kept"}""")!;
        string original = PythonJson.Canonical(metadata);

        Assert.Equal(2, cipher.Encrypt(metadata));
        Assert.True(MetadataEncryption.IsEncryptedValue(metadata["SSN"]));
        Assert.True(MetadataEncryption.IsEncryptedValue(metadata["deep"]!["list"]![0]!["Email"]));
        Assert.Equal("kept", (string?)metadata["ssn_note"]);
        Assert.Equal(0, cipher.Encrypt(metadata)); // already sealed values are left alone

        string stored = PythonJson.Canonical(metadata);
        var decrypted = cipher.Decrypt(metadata, "r1");
        Assert.Equal(original, PythonJson.Canonical(decrypted));
        Assert.Equal(stored, PythonJson.Canonical(metadata)); // the argument is not changed
    }

    [Fact]
    public void Cipher_SameValueTwice_DifferentNonceAndCiphertext()
    {
        var cipher = new SensitiveDataCipher(RandomNumberGenerator.GetBytes(32), ["ssn"]);
        var a = new JsonObject { ["ssn"] = "123" };
        var b = new JsonObject { ["ssn"] = "123" };
        cipher.Encrypt(a);
        cipher.Encrypt(b);
        Assert.NotEqual((string?)a["ssn"]!["nonce"], (string?)b["ssn"]!["nonce"]);
        Assert.NotEqual((string?)a["ssn"]!["ct"], (string?)b["ssn"]!["ct"]);
    }

    [Fact]
    public void Cipher_AlteredCiphertext_ThrowsNamingRecordAndField()
    {
        var cipher = new SensitiveDataCipher(RandomNumberGenerator.GetBytes(32), ["ssn"]);
        var metadata = new JsonObject { ["p"] = new JsonObject { ["ssn"] = "123-45-6789" } };
        cipher.Encrypt(metadata);
        var marker = metadata["p"]!["ssn"]!;
        byte[] ct = Convert.FromBase64String((string)marker["ct"]!);
        ct[0] ^= 1;
        marker["ct"] = Convert.ToBase64String(ct);

        var ex = Assert.Throws<MetadataEncryptionException>(() => cipher.Decrypt(metadata, "rec-1"));
        Assert.Equal(("rec-1", "$.p.ssn"), (ex.RecordId, ex.FieldPath));
        Assert.Contains("rec-1", ex.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<CryptographicException>(ex);
    }

    [Fact]
    public void Cipher_OtherKey_ThrowsWithBothKeyIds()
    {
        var writer = new SensitiveDataCipher(RandomNumberGenerator.GetBytes(32), ["ssn"]);
        var reader = new SensitiveDataCipher(RandomNumberGenerator.GetBytes(32), ["ssn"]);
        var metadata = new JsonObject { ["ssn"] = "1" };
        writer.Encrypt(metadata);
        var ex = Assert.Throws<MetadataEncryptionException>(() => reader.Decrypt(metadata, "r"));
        Assert.Equal((writer.KeyId, reader.KeyId), (ex.StoredKeyId, ex.ConfiguredKeyId));
        Assert.Contains(writer.KeyId, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cipher_MalformedMarker_ThrowsClearly()
    {
        var cipher = new SensitiveDataCipher(RandomNumberGenerator.GetBytes(32), ["ssn"]);
        var metadata = new JsonObject
        {
            ["ssn"] = new JsonObject { ["$ciaf_encrypted"] = "v1", ["alg"] = "AES-256-GCM", ["kid"] = cipher.KeyId, ["nonce"] = "!!", ["ct"] = "", ["tag"] = "" },
        };
        var ex = Assert.Throws<MetadataEncryptionException>(() => cipher.Decrypt(metadata, "r"));
        Assert.Contains("malformed", ex.Message, StringComparison.Ordinal);
        metadata["ssn"]!["$ciaf_encrypted"] = "v9";
        Assert.Contains("v9", Assert.Throws<MetadataEncryptionException>(() => cipher.Decrypt(metadata, "r")).Message, StringComparison.Ordinal);
    }
}
