using System.Security.Cryptography;
using System.Text;
using Ciaf.Metadata.Encryption;
using Microsoft.Extensions.Logging;

namespace Ciaf.Metadata.Ledger;

/// <summary>
/// The ledger's signing keys: ECDSA P-256, the private key a PKCS#8 PEM file (<c>-----BEGIN PRIVATE KEY-----</c>),
/// the public key a SubjectPublicKeyInfo PEM (<c>-----BEGIN PUBLIC KEY-----</c>) that <c>openssl</c>, Python's
/// <c>cryptography</c> and every other toolkit read.
/// </summary>
public static class LedgerKeys
{
    /// <summary>The object identifier of the P-256 curve (secp256r1, prime256v1).</summary>
    private const string P256Oid = "1.2.840.10045.3.1.7";

    /// <summary>
    /// Writes a new random P-256 private key to <paramref name="path"/> as PKCS#8 PEM, owner-only (0600 on Unix),
    /// atomically (the file is whole or absent; the folder is created if missing), and returns the key.
    /// </summary>
    /// <exception cref="IOException">The file already exists (it is never replaced: checkpoints signed with it
    /// could no longer be told apart from forgeries by its key id), or it cannot be written.</exception>
    public static ECDsa Create(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        char[] pem = PemEncoding.Write("PRIVATE KEY", key.ExportPkcs8PrivateKey());
        byte[] bytes = Encoding.ASCII.GetBytes([.. pem, '\n']);
        try
        {
            KeyFiles.WriteNew(path, bytes);
            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
            Array.Clear(pem);
        }
    }

    /// <summary>
    /// Reads a private key file (PKCS#8 or SEC1 <c>EC PRIVATE KEY</c> PEM, P-256). A file other users can read is
    /// used, with a warning through <paramref name="logger"/>, as encryption key files are.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file holds no P-256 private key.</exception>
    public static ECDsa LoadPrivate(string path, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path);
        var key = Import(File.ReadAllText(full), $"The ledger key file '{full}'");
        try
        {
            key.ExportParameters(includePrivateParameters: true);
        }
        catch (CryptographicException)
        {
            key.Dispose();
            throw new InvalidDataException($"The ledger key file '{full}' holds a public key; signing needs the private key (see LedgerKeys.Create).");
        }
        if (KeyFiles.IsReadableByOthers(full))
        {
            logger?.LogWarning("The ledger signing key file {Path} can be read by other users; restrict it to its owner (chmod 600)", full);
        }
        return key;
    }

    /// <summary>
    /// Reads a public key: <paramref name="pemOrPath"/> is either PEM text (a <c>PUBLIC KEY</c>, or a private key whose
    /// public half is taken) or the path of a file holding it. Only the public half is kept.
    /// </summary>
    /// <exception cref="FileNotFoundException">The path does not exist.</exception>
    /// <exception cref="InvalidDataException">No P-256 key is found.</exception>
    public static ECDsa LoadPublic(string pemOrPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pemOrPath);
        bool isPem = pemOrPath.Contains("-----BEGIN", StringComparison.Ordinal);
        string? file = isPem ? null : Path.GetFullPath(pemOrPath);
        using var key = Import(file is null ? pemOrPath : File.ReadAllText(file), file is null ? "The PEM text" : $"The key file '{file}'");
        var publicKey = ECDsa.Create();
        publicKey.ImportSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _);
        return publicKey;
    }

    /// <summary>The public key as SubjectPublicKeyInfo PEM (<c>-----BEGIN PUBLIC KEY-----</c>), ending with a newline.</summary>
    public static string PublicPem(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.ExportSubjectPublicKeyInfoPem() + "\n";
    }

    /// <summary>
    /// The key id of checkpoint signatures: the first 4 bytes of the SHA-256 of the public key's DER
    /// SubjectPublicKeyInfo.
    /// </summary>
    public static byte[] KeyId(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return SHA256.HashData(key.ExportSubjectPublicKeyInfo())[..4];
    }

    /// <summary>Throws unless <paramref name="key"/> is on P-256, the only curve checkpoints use.</summary>
    internal static void EnsureP256(ECDsa key, string paramName)
    {
        ArgumentNullException.ThrowIfNull(key, paramName);
        if (key.ExportParameters(includePrivateParameters: false).Curve.Oid?.Value != P256Oid)
        {
            throw new ArgumentException("Ledger keys are ECDSA P-256 (secp256r1); this key is on another curve.", paramName);
        }
    }

    private static ECDsa Import(string pem, string source)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            EnsureP256(key, nameof(pem));
            return key;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new InvalidDataException($"{source} holds no ECDSA P-256 key in PEM form: {e.Message}", e);
        }
    }
}
