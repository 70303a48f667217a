using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Ciaf.Metadata.Encryption;

/// <summary>
/// Encryption at rest of sensitive metadata values: the key file format, the key generator, and the
/// stored form of an encrypted value.
/// </summary>
/// <remarks>
/// <para>
/// <b>Stored form.</b> With <c>encrypt_sensitive_data</c> on, the value of every metadata key named in
/// <c>sensitive_fields</c> (at any depth, compared without case; the whole value, whatever its type, including
/// <c>null</c>) is replaced before hashing by a marker object:
/// <code>
/// {"$ciaf_encrypted": "v1", "alg": "AES-256-GCM", "kid": "1a2b3c4d",
///  "nonce": "&lt;base64, 12 bytes&gt;", "ct": "&lt;base64&gt;", "tag": "&lt;base64, 16 bytes&gt;"}
/// </code>
/// The plaintext is the UTF-8 of the value's compact JSON text as Python's <c>json.dumps</c> writes it
/// (ASCII, <c>", "</c> and <c>": "</c> separators); the nonce is random per value; there is no associated data.
/// <c>kid</c> is the first 8 hex digits (lowercase) of the SHA-256 of the key, so a wrong key is told apart
/// from damaged data. The record's <c>metadata_hash</c> covers this stored form, so integrity can be verified
/// without the key. Record fields other than <c>metadata</c> (<c>details</c>, names) are never encrypted.
/// </para>
/// <para>
/// <b>Reading.</b> With a key, every marker anywhere in the metadata is decrypted (whatever the current
/// <c>sensitive_fields</c>); without one, markers are returned as they are. A marker with another key id, or
/// whose tag does not verify, raises <see cref="MetadataEncryptionException"/>.
/// </para>
/// <para>
/// <b>Key file.</b> 32 bytes, stored either raw (a 32-byte file) or as text: base64 (44 characters) or hex
/// (64 characters), surrounding whitespace ignored. <see cref="GenerateKey"/> writes base64 and a newline,
/// with permissions 0600 on Unix.
/// </para>
/// </remarks>
public static class MetadataEncryption
{
    /// <summary>The marker's property that identifies an encrypted value; its value is the format version.</summary>
    public const string MarkerProperty = "$ciaf_encrypted";

    /// <summary>The marker format version written.</summary>
    public const string MarkerVersion = "v1";

    /// <summary>The algorithm name written in the marker.</summary>
    public const string Algorithm = "AES-256-GCM";

    /// <summary>
    /// The marker's property naming the data subject whose own key sealed the value (its reference, an HMAC of the
    /// subject's id; <c>subject_fields</c>). Absent when the store key sealed it.
    /// </summary>
    public const string SubjectProperty = "sub";

    /// <summary>What a value sealed with an erased data subject's key reads as: <c>{"$ciaf_erased": "v1", "sub": "&lt;reference&gt;"}</c>.</summary>
    public const string ErasedProperty = "$ciaf_erased";

    /// <summary>The key size in bytes (AES-256).</summary>
    public const int KeySize = 32;

    /// <summary>
    /// Creates a new random 32-byte key file at <paramref name="path"/> (base64 text and a newline; mode
    /// 0600 on Unix; the folder is created if missing) and returns its key id.
    /// </summary>
    /// <param name="path">Where to write the key.</param>
    /// <param name="overwrite">Replace an existing file. Off by default: losing a key loses every value encrypted with it.</param>
    /// <exception cref="IOException">The file exists and <paramref name="overwrite"/> is off, or it cannot be written.</exception>
    public static string GenerateKey(string path, bool overwrite = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        byte[] key = RandomNumberGenerator.GetBytes(KeySize);
        try
        {
            var options = new FileStreamOptions
            {
                Mode = overwrite ? FileMode.Create : FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
            };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var stream = new FileStream(full, options))
            {
                stream.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(key) + "\n"));
                stream.Flush(flushToDisk: true);
            }
            // UnixCreateMode applies only to a new file: an overwritten one gets its mode tightened too.
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(full, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            return KeyId(key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Reads a key file (raw 32 bytes, base64 or hex text).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file holds no 32-byte key in a known form.</exception>
    public static byte[] LoadKey(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        byte[] content = File.ReadAllBytes(path);
        if (content.Length == KeySize) return content;
        string text = Encoding.ASCII.GetString(content).Trim();
        byte[]? key = null;
        if (text.Length == KeySize * 2 && text.All(Uri.IsHexDigit))
        {
            key = Convert.FromHexString(text);
        }
        else
        {
            var buffer = new byte[text.Length];
            if (Convert.TryFromBase64String(text, buffer, out int written) && written == KeySize) key = buffer[..KeySize];
        }
        CryptographicOperations.ZeroMemory(content);
        return key ?? throw new InvalidDataException(
            $"The key file '{path}' holds no {KeySize}-byte key: expected {KeySize} raw bytes, or base64 or hex text of {KeySize} bytes (see MetadataEncryption.GenerateKey).");
    }

    /// <summary>The key id written in markers: the first 8 hex digits (lowercase) of the key's SHA-256.</summary>
    public static string KeyId(ReadOnlySpan<byte> key) => Convert.ToHexStringLower(SHA256.HashData(key))[..8];

    /// <summary>What a value of erased data subject <paramref name="reference"/> reads as.</summary>
    public static JsonObject ErasedValue(string reference) => new() { [ErasedProperty] = MarkerVersion, [SubjectProperty] = reference };

    /// <summary>Whether <paramref name="value"/> is an encrypted-value marker (an object with <see cref="MarkerProperty"/>).</summary>
    public static bool IsEncryptedValue(JsonNode? value) => value is JsonObject obj && obj.ContainsKey(MarkerProperty);
}
