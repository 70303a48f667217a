using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Metadata.Encryption;

/// <summary>
/// Encrypts the values of sensitive keys in a metadata object (before hashing) and decrypts every
/// marker on read. The stored form is documented on <see cref="MetadataEncryption"/>. Thread-safe: each
/// call uses its own <see cref="AesGcm"/>.
/// </summary>
internal sealed class SensitiveDataCipher
{
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly byte[] _key;
    private readonly HashSet<string> _fields;

    public SensitiveDataCipher(byte[] key, IEnumerable<string> sensitiveFields)
    {
        if (key.Length != MetadataEncryption.KeySize) throw new ArgumentException($"An AES-256 key is {MetadataEncryption.KeySize} bytes; got {key.Length}.", nameof(key));
        _key = [.. key];
        KeyId = MetadataEncryption.KeyId(_key);
        _fields = new HashSet<string>(sensitiveFields, StringComparer.OrdinalIgnoreCase);
    }

    public string KeyId { get; }

    /// <summary>Finds a data subject's key by its reference when a marker names one (set once, by the store, when it has a keyring).</summary>
    public Func<string, SubjectKey?>? Subjects { get; set; }

    /// <summary>
    /// Replaces, in place, the value of every sensitive key (at any depth) by its marker, sealed with the store key or,
    /// when <paramref name="subject"/> is given, with that data subject's own key (the marker then names the subject's
    /// reference, <c>sub</c>). Returns how many were encrypted.
    /// </summary>
    public int Encrypt(JsonObject metadata, SubjectKey? subject = null)
    {
        if (_fields.Count == 0) return 0;
        using var aes = new AesGcm(subject?.Key ?? _key, TagSize);
        int count = 0;
        ForEachPlaintextField(metadata, (parent, key) =>
        {
            parent[key] = Seal(parent[key], aes, subject);
            count++;
        });
        return count;
    }

    /// <summary>A data subject's reference: HMAC-SHA256 of its id under the store key (hex), so the id itself is stored nowhere.</summary>
    public string Reference(string subjectId) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes("ciaf-subject\n" + subjectId)));

    /// <summary>A data subject's key, sealed with the store key (a marker).</summary>
    public JsonObject Wrap(byte[] subjectKey)
    {
        using var aes = new AesGcm(_key, TagSize);
        return Seal(JsonValue.Create(Convert.ToBase64String(subjectKey)), aes, null);
    }

    /// <summary>A data subject's key from its wrapped form (<see cref="Wrap"/>).</summary>
    /// <exception cref="MetadataEncryptionException">It was wrapped with another store key, or altered.</exception>
    public byte[] Unwrap(JsonObject wrapped, string reference)
    {
        using var aes = new AesGcm(_key, TagSize);
        return Convert.FromBase64String(Open(wrapped, "$.key", $"subject key {reference}", aes)!.GetValue<string>());
    }

    /// <summary>
    /// The sensitive keys (at any depth, as spelt in <paramref name="metadata"/>) whose values are not sealed: what
    /// <see cref="Encrypt"/> would encrypt. Empty for a record saved with encryption on.
    /// </summary>
    public IReadOnlyCollection<string> PlaintextFields(JsonObject metadata)
    {
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        if (_fields.Count > 0) ForEachPlaintextField(metadata, (_, key) => keys.Add(key));
        return keys;
    }

    /// <summary>Whether any marker occurs in <paramref name="node"/>.</summary>
    public static bool ContainsMarker(JsonNode? node) => node switch
    {
        JsonObject obj when MetadataEncryption.IsEncryptedValue(obj) => true,
        JsonObject obj => obj.Any(p => ContainsMarker(p.Value)),
        JsonArray array => array.Any(ContainsMarker),
        _ => false,
    };

    /// <summary>
    /// The metadata with every marker decrypted: <paramref name="metadata"/> itself when it holds none,
    /// else a decrypted copy (the argument is never changed).
    /// </summary>
    /// <exception cref="MetadataEncryptionException">A marker was made with another key, was altered, or is malformed.</exception>
    public JsonObject Decrypt(JsonObject metadata, string recordId)
    {
        if (!ContainsMarker(metadata)) return metadata;
        var copy = (JsonObject)metadata.DeepClone();
        using var aes = new AesGcm(_key, TagSize);
        DecryptChildren(copy, "$", recordId, aes);
        return copy;
    }

    /// <summary>Calls <paramref name="action"/> with each object and sensitive key in it whose value is not sealed (it may replace the value).</summary>
    private void ForEachPlaintextField(JsonObject obj, Action<JsonObject, string> action)
    {
        foreach (var key in obj.Select(p => p.Key).ToList())
        {
            var value = obj[key];
            if (_fields.Contains(key))
            {
                // Already sealed: e.g. a record re-saved as read without the key.
                if (!MetadataEncryption.IsEncryptedValue(value)) action(obj, key);
            }
            else
            {
                ForEachPlaintextFieldIn(value, action);
            }
        }
    }

    private void ForEachPlaintextFieldIn(JsonNode? node, Action<JsonObject, string> action)
    {
        switch (node)
        {
            case JsonObject obj when !MetadataEncryption.IsEncryptedValue(obj):
                ForEachPlaintextField(obj, action);
                break;
            case JsonArray array:
                foreach (var item in array) ForEachPlaintextFieldIn(item, action);
                break;
        }
    }

    private JsonObject Seal(JsonNode? value, AesGcm aes, SubjectKey? subject)
    {
        byte[] plaintext = Encoding.UTF8.GetBytes(PythonJson.Serialize(value, PythonJsonStyle.Compact));
        byte[] nonce = RandomNumberGenerator.GetBytes(NonceSize);
        byte[] ciphertext = new byte[plaintext.Length];
        byte[] tag = new byte[TagSize];
        aes.Encrypt(nonce, plaintext, ciphertext, tag);
        CryptographicOperations.ZeroMemory(plaintext);
        var marker = new JsonObject
        {
            [MetadataEncryption.MarkerProperty] = MetadataEncryption.MarkerVersion,
            ["alg"] = MetadataEncryption.Algorithm,
            ["kid"] = subject?.KeyId ?? KeyId,
            ["nonce"] = Convert.ToBase64String(nonce),
            ["ct"] = Convert.ToBase64String(ciphertext),
            ["tag"] = Convert.ToBase64String(tag),
        };
        if (subject is not null) marker[MetadataEncryption.SubjectProperty] = subject.Reference;
        return marker;
    }

    private void DecryptChildren(JsonNode node, string path, string recordId, AesGcm aes)
    {
        if (node is JsonObject obj)
        {
            foreach (var key in obj.Select(p => p.Key).ToList())
            {
                var value = obj[key];
                string childPath = $"{path}.{key}";
                if (MetadataEncryption.IsEncryptedValue(value)) obj[key] = Open((JsonObject)value!, childPath, recordId, aes);
                else if (value is not null) DecryptChildren(value, childPath, recordId, aes);
            }
        }
        else if (node is JsonArray array)
        {
            for (int i = 0; i < array.Count; i++)
            {
                var value = array[i];
                string childPath = $"{path}[{i}]";
                if (MetadataEncryption.IsEncryptedValue(value)) array[i] = Open((JsonObject)value!, childPath, recordId, aes);
                else if (value is not null) DecryptChildren(value, childPath, recordId, aes);
            }
        }
    }

    private JsonNode? Open(JsonObject marker, string path, string recordId, AesGcm aes)
    {
        string? version = Text(marker, MetadataEncryption.MarkerProperty);
        string? storedKid = Text(marker, "kid");
        MetadataEncryptionException Error(string why, Exception? inner = null)
        {
            string message = $"Cannot decrypt {path} of record '{recordId}': {why}";
            return inner is null
                ? new MetadataEncryptionException(message) { RecordId = recordId, FieldPath = path, StoredKeyId = storedKid, ConfiguredKeyId = KeyId }
                : new MetadataEncryptionException(message, inner) { RecordId = recordId, FieldPath = path, StoredKeyId = storedKid, ConfiguredKeyId = KeyId };
        }

        if (version != MetadataEncryption.MarkerVersion) throw Error($"unsupported marker version '{version}' (this library reads '{MetadataEncryption.MarkerVersion}').");
        if (Text(marker, "alg") != MetadataEncryption.Algorithm) throw Error($"unsupported algorithm '{Text(marker, "alg")}'.");
        AesGcm? own = null;
        if (Text(marker, MetadataEncryption.SubjectProperty) is { } reference)
        {
            // Sealed with a data subject's key: found through the keyring; once erased, the value reads as erased.
            var subject = Subjects?.Invoke(reference) ?? throw Error($"it was sealed with the key of data subject {reference}, which this store does not hold (a store without subject_fields, or its subject_keys state was lost).");
            if (subject.Key is null) return MetadataEncryption.ErasedValue(reference);
            if (!string.Equals(storedKid, subject.KeyId, StringComparison.OrdinalIgnoreCase))
                throw Error($"it was encrypted with key id '{storedKid}', but data subject {reference}'s key has id '{subject.KeyId}'.");
            aes = own = new AesGcm(subject.Key, TagSize);
        }
        else if (!string.Equals(storedKid, KeyId, StringComparison.OrdinalIgnoreCase))
        {
            throw Error($"it was encrypted with key id '{storedKid}', but the configured key has id '{KeyId}' (wrong key file?).");
        }
        using var disposeOwn = own;
        byte[] nonce, ciphertext, tag;
        try
        {
            nonce = Convert.FromBase64String(Text(marker, "nonce") ?? throw new FormatException("'nonce' is missing"));
            ciphertext = Convert.FromBase64String(Text(marker, "ct") ?? throw new FormatException("'ct' is missing"));
            tag = Convert.FromBase64String(Text(marker, "tag") ?? throw new FormatException("'tag' is missing"));
            if (nonce.Length != NonceSize || tag.Length != TagSize) throw new FormatException($"the nonce must be {NonceSize} bytes and the tag {TagSize}");
        }
        catch (FormatException ex)
        {
            throw Error("the marker is malformed: " + ex.Message, ex);
        }
        byte[] plaintext = new byte[ciphertext.Length];
        try
        {
            aes.Decrypt(nonce, ciphertext, tag, plaintext);
            return PythonJson.Parse(plaintext);
        }
        catch (CryptographicException ex)
        {
            throw Error("the authentication tag does not verify: the value was altered, or encrypted with another key of the same id.", ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private static string? Text(JsonObject obj, string name) =>
        obj.TryGetPropertyValue(name, out var node) && node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
