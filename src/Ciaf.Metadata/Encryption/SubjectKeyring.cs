using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;

namespace Ciaf.Metadata.Encryption;

/// <summary>
/// Data subjects' own keys (crypto-shredding, <c>subject_fields</c>): a record about a subject has its sensitive values
/// sealed with that subject's key instead of the store key; erasing the subject destroys the key, so those values can
/// never be read again, while the records, their hashes and the ledger stay intact and verify.
/// </summary>
/// <remarks>
/// Each key is kept in the store's <c>subject_keys</c> state under the subject's reference (an HMAC of its id under the
/// store key, so the id is stored nowhere), wrapped with the store key: <c>{"created_at", "key": marker, "kid"}</c>. It is
/// created once for every process (<see cref="IStoreState.AddStateAsync"/>), cached here, and read again after
/// <see cref="Fresh"/> so an erasure by another process takes effect here within that time. Erasure replaces the entry
/// with the <see cref="SubjectErasure"/>, a write the backend logs as an <c>erasure</c> leaf.
/// </remarks>
internal sealed class SubjectKeyring(SensitiveDataCipher cipher, IStoreState state, IEnumerable<string> subjectFields, TimeProvider time)
{
    /// <summary>How long a key read from the store is used before it is read again.</summary>
    public static readonly TimeSpan Fresh = TimeSpan.FromSeconds(30);

    private readonly string[][] _paths = [.. subjectFields.Select(p => p.Split('.'))];
    private readonly ConcurrentDictionary<string, (SubjectKey Key, DateTimeOffset ReadAt)> _cache = new(StringComparer.Ordinal);

    /// <summary>The data subject <paramref name="metadata"/> is about: the first subject path that holds a non-empty string or a number.</summary>
    public string? SubjectOf(JsonObject metadata)
    {
        foreach (var path in _paths)
        {
            JsonNode? node = metadata;
            foreach (var segment in path) node = node is JsonObject obj && obj.TryGetPropertyValue(segment, out var child) ? child : null;
            if (node is JsonValue value)
            {
                switch (value.GetValueKind())
                {
                    case JsonValueKind.String when value.GetValue<string>() is { Length: > 0 } text:
                        return text;
                    case JsonValueKind.Number:
                        return value.ToJsonString();
                }
            }
        }
        return null;
    }

    /// <summary>The subject's reference (what the store keeps instead of its id).</summary>
    public string Reference(string subjectId) => cipher.Reference(subjectId);

    /// <summary>The key to seal a new record about <paramref name="subjectId"/> with, created on first use.</summary>
    /// <exception cref="ArgumentException">The subject was erased: no new record about it is accepted.</exception>
    public SubjectKey ForSubject(string subjectId) => SyncOverAsync.Run(ForSubjectAsync(subjectId));

    private async ValueTask<SubjectKey> ForSubjectAsync(string subjectId)
    {
        string reference = Reference(subjectId);
        var key = await FindAsync(reference).ConfigureAwait(false) ?? await CreateAsync(reference).ConfigureAwait(false);
        return key.Key is not null ? key : throw new ArgumentException(
            $"The data subject this record is about (reference {reference}) was erased (ciaf erase --subject): no new record about it is accepted.", "metadata");
    }

    /// <summary>The key a marker names by <paramref name="reference"/> (erased: no key), or <c>null</c> when the store holds none.</summary>
    public SubjectKey? Resolve(string reference) => SyncOverAsync.Run(FindAsync(reference));

    /// <summary>
    /// Erases <paramref name="subjectId"/>: its key replaced by the erasure (logged by the ledger in the same write).
    /// Erasing again returns the first erasure, marked <see cref="SubjectErasure.AlreadyErased"/>.
    /// </summary>
    /// <exception cref="KeyNotFoundException">The store holds no key for this subject (no record about it was saved with <c>subject_fields</c>).</exception>
    public async ValueTask<SubjectErasure> EraseAsync(string subjectId, string reason, string user, CancellationToken cancellationToken)
    {
        string reference = Reference(subjectId);
        string stored = await state.ReadStateEntryAsync(StateScopes.SubjectKeys, reference, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"This store holds no key for that data subject (reference {reference}): no record about it was saved with subject_fields set.");
        if (SubjectErasure.FromStateValue(reference, stored) is { } earlier) return earlier with { AlreadyErased = true };
        var erasure = new SubjectErasure(reference, Parse(reference, stored).KeyId, PythonTimestamp.Now(time), user, reason);
        await state.WriteStateAsync(StateScopes.SubjectKeys, reference, erasure.ToStateValue(), cancellationToken).ConfigureAwait(false);
        _cache[reference] = (new SubjectKey(reference, erasure.KeyId, null), time.GetUtcNow());
        return erasure;
    }

    private async ValueTask<SubjectKey?> FindAsync(string reference)
    {
        if (_cache.TryGetValue(reference, out var cached) && time.GetUtcNow() - cached.ReadAt < Fresh) return cached.Key;
        string? stored = await state.ReadStateEntryAsync(StateScopes.SubjectKeys, reference).ConfigureAwait(false);
        return stored is null ? null : Remember(Parse(reference, stored));
    }

    private async ValueTask<SubjectKey> CreateAsync(string reference)
    {
        byte[] key = RandomNumberGenerator.GetBytes(MetadataEncryption.KeySize);
        try
        {
            string value = PythonJson.Serialize(new JsonObject
            {
                ["created_at"] = PythonTimestamp.Format(PythonTimestamp.Now(time)),
                ["key"] = cipher.Wrap(key),
                ["kid"] = MetadataEncryption.KeyId(key),
            }, PythonJsonStyle.SortedMinimal);
            // Another process may have created it first: whichever is stored is the subject's key.
            return Remember(Parse(reference, await state.AddStateAsync(StateScopes.SubjectKeys, reference, value).ConfigureAwait(false)));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private SubjectKey Remember(SubjectKey key)
    {
        _cache[key.Reference] = (key, time.GetUtcNow());
        return key;
    }

    private SubjectKey Parse(string reference, string stored)
    {
        if (SubjectErasure.FromStateValue(reference, stored) is { } erasure) return new SubjectKey(reference, erasure.KeyId, null);
        var root = JsonNode.Parse(stored) as JsonObject ?? throw new FormatException($"The stored key of data subject {reference} is not a JSON object.");
        if (root["key"] is not JsonObject wrapped || root["kid"]?.GetValue<string>() is not { } kid)
            throw new FormatException($"The stored key of data subject {reference} has no 'key' or 'kid'.");
        return new SubjectKey(reference, kid, cipher.Unwrap(wrapped, reference));
    }
}
