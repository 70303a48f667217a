using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;
using Microsoft.Extensions.Logging;

namespace Ciaf.Metadata.Access;

/// <summary>
/// The store's API keys (<c>storage.ApiKeys</c>): created, listed, revoked and checked. The HTTP server
/// (<c>ciaf serve</c>) accepts them in the <c>X-API-Key</c> header; <c>ciaf apikey</c> manages them.
/// </summary>
/// <remarks>
/// A key is <c>ciaf_&lt;id&gt;_&lt;secret&gt;</c>: a public id of 16 hex digits and 32 random bytes (base64url). The store
/// keeps only the SHA-256 of the whole key, in its state (scope <c>api_keys</c>, one entry per id), so every process
/// serving the store sees the same keys and a copy of the store gives no key away. A presented key is found by its id
/// and its hash compared in constant time. 256 random bits need no slow hash: nothing can be guessed from the digest.
/// Creating and revoking are audited (<c>apikey_create</c>, <c>apikey_revoke</c>) without the key.
/// </remarks>
public sealed class ApiKeyRegistry
{
    /// <summary>What every key starts with (so secret scanners and people recognise one).</summary>
    public const string KeyPrefix = "ciaf_";

    /// <summary>The longest key name.</summary>
    public const int MaxNameLength = 100;

    private const int IdBytes = 8;
    private const int SecretBytes = 32;
    private static readonly int SecretChars = System.Buffers.Text.Base64Url.GetEncodedLength(SecretBytes);
    private static readonly int KeyLength = KeyPrefix.Length + IdBytes * 2 + 1 + SecretChars;

    private readonly StoreCore _core;

    internal ApiKeyRegistry(StoreCore core) => _core = core;

    /// <summary>
    /// Creates a key for <paramref name="name"/> with <paramref name="role"/>. The returned key text is shown once: the
    /// store keeps only its hash.
    /// </summary>
    /// <param name="name">Who it is for: 1-100 ASCII letters, digits, <c>. _ - @</c>; no other active key may have it.</param>
    /// <param name="role">One of <see cref="AccessRoles.All"/>.</param>
    /// <param name="expiresAt">When it stops working (in the future), or <c>null</c> for never.</param>
    /// <exception cref="ArgumentException">The name breaks the rule or is taken by an active key, the role is unknown, or the expiry is not in the future.</exception>
    /// <exception cref="NotSupportedException">The backend keeps no store state.</exception>
    public CreatedApiKey Create(string name, string role, DateTimeOffset? expiresAt = null) =>
        SyncOverAsync.Run(CreateAsync(name, role, expiresAt));

    /// <inheritdoc cref="Create"/>
    public async ValueTask<CreatedApiKey> CreateAsync(string name, string role, DateTimeOffset? expiresAt = null,
        CancellationToken cancellationToken = default)
    {
        ValidateName(name);
        if (!AccessRoles.IsKnown(role))
            throw new ArgumentException($"Unknown role '{role}': use one of {string.Join(", ", AccessRoles.All)}.", nameof(role));
        var now = PythonTimestamp.Now(_core.Clock);
        if (expiresAt is { } expires && expires <= now)
            throw new ArgumentException($"The expiry {PythonTimestamp.Format(expires)} is not in the future.", nameof(expiresAt));
        _core.ThrowIfDisposed();
        var keys = await LoadAsync(cancellationToken).ConfigureAwait(false);
        if (keys.Any(k => k.Info.Name == name && k.Info.StatusAt(now) == ApiKeyStatus.Active))
            throw new ArgumentException($"An active API key named '{name}' exists: revoke it first, or choose another name.", nameof(name));

        string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(IdBytes));
        string key = KeyPrefix + id + "_" + System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(SecretBytes));
        var info = new ApiKeyInfo(id, name, role, now, _core.ActingUser, expiresAt is { } e ? PythonTimestamp.Truncate(e) : null, null, null);
        await _core.State.WriteStateAsync(StateScopes.ApiKeys, id, ToJson(info, Digest(key)).ToJsonString(), cancellationToken).ConfigureAwait(false);
        _core.Audit(AuditActions.ApiKeyCreate, null, Details(info));
        await _core.FlushAuditAsync(cancellationToken).ConfigureAwait(false);
        _core.Logger.LogInformation("API key {Id} ({Name}, {Role}) created by {User}", id, name, role, _core.ActingUser);
        return new CreatedApiKey(info, key);
    }

    /// <summary>Every key the store knows (active, expired and revoked), oldest first.</summary>
    /// <exception cref="NotSupportedException">The backend keeps no store state.</exception>
    public IReadOnlyList<ApiKeyInfo> List() => SyncOverAsync.Run(ListAsync());

    /// <inheritdoc cref="List"/>
    public async ValueTask<IReadOnlyList<ApiKeyInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        _core.ThrowIfDisposed();
        var keys = await LoadAsync(cancellationToken).ConfigureAwait(false);
        return [.. keys.Select(k => k.Info)];
    }

    /// <summary>Revokes the active key with this name or id; it stops working at once, in every process.</summary>
    /// <param name="nameOrId">The key's name, or its id.</param>
    /// <returns>The key as revoked, or <c>null</c> when no active key has that name or id.</returns>
    /// <exception cref="NotSupportedException">The backend keeps no store state.</exception>
    public ApiKeyInfo? Revoke(string nameOrId) => SyncOverAsync.Run(RevokeAsync(nameOrId));

    /// <inheritdoc cref="Revoke"/>
    public async ValueTask<ApiKeyInfo?> RevokeAsync(string nameOrId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrId);
        _core.ThrowIfDisposed();
        var now = PythonTimestamp.Now(_core.Clock);
        var keys = await LoadAsync(cancellationToken).ConfigureAwait(false);
        var match = keys.FirstOrDefault(k => k.Info.RevokedAt is null && (k.Info.Id == nameOrId || k.Info.Name == nameOrId)
            && k.Info.StatusAt(now) == ApiKeyStatus.Active)
            ?? keys.FirstOrDefault(k => k.Info.RevokedAt is null && (k.Info.Id == nameOrId || k.Info.Name == nameOrId));
        if (match is null) return null;
        var revoked = match.Info with { RevokedAt = now, RevokedBy = _core.ActingUser };
        await _core.State.WriteStateAsync(StateScopes.ApiKeys, revoked.Id, ToJson(revoked, match.Digest).ToJsonString(), cancellationToken).ConfigureAwait(false);
        _core.Audit(AuditActions.ApiKeyRevoke, null, Details(revoked));
        await _core.FlushAuditAsync(cancellationToken).ConfigureAwait(false);
        _core.Logger.LogInformation("API key {Id} ({Name}) revoked by {User}", revoked.Id, revoked.Name, _core.ActingUser);
        return revoked;
    }

    /// <summary>
    /// Checks a presented key: finds the stored key by its id and compares the SHA-256 of the presented text with the
    /// stored one in constant time. Nothing is logged or audited here (the caller knows the context).
    /// </summary>
    /// <param name="presentedKey">The key as presented (e.g. the <c>X-API-Key</c> header).</param>
    /// <returns>Whether it works and whose it is; <see cref="ApiKeyStatus.Unknown"/> for anything that is not a stored key.</returns>
    /// <exception cref="NotSupportedException">The backend keeps no store state.</exception>
    public ApiKeyCheck Check(string presentedKey) => SyncOverAsync.Run(CheckAsync(presentedKey));

    /// <inheritdoc cref="Check"/>
    public async ValueTask<ApiKeyCheck> CheckAsync(string presentedKey, CancellationToken cancellationToken = default)
    {
        var unknown = new ApiKeyCheck(ApiKeyStatus.Unknown, null);
        if (!TryGetId(presentedKey, out string? id)) return unknown;
        _core.ThrowIfDisposed();
        string? json = await _core.State.ReadStateEntryAsync(StateScopes.ApiKeys, id, cancellationToken).ConfigureAwait(false);
        if (json is null || Parse(id, json) is not { } stored) return unknown;
        byte[] presented = SHA256.HashData(Encoding.UTF8.GetBytes(presentedKey));
        if (!CryptographicOperations.FixedTimeEquals(presented, Convert.FromHexString(stored.Digest))) return unknown;
        return new ApiKeyCheck(stored.Info.StatusAt(_core.Clock.GetUtcNow()), stored.Info);
    }

    /// <summary>Throws unless <paramref name="name"/> is 1-100 ASCII letters, digits, <c>. _ - @</c>.</summary>
    /// <exception cref="ArgumentException">It is not.</exception>
    public static void ValidateName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Length > MaxNameLength)
            throw new ArgumentException($"An API key name has at most {MaxNameLength} characters; '{name[..20]}...' has {name.Length}.", nameof(name));
        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '@'))
                throw new ArgumentException($"The API key name '{name}' may hold only ASCII letters, digits, '.', '_', '-' and '@'.", nameof(name));
        }
    }

    private static bool TryGetId(string? key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? id)
    {
        id = null;
        if (key is null || key.Length != KeyLength || !key.StartsWith(KeyPrefix, StringComparison.Ordinal)) return false;
        var idPart = key.AsSpan(KeyPrefix.Length, IdBytes * 2);
        if (key[KeyPrefix.Length + IdBytes * 2] != '_') return false;
        foreach (char c in idPart)
        {
            if (!char.IsAsciiHexDigitLower(c)) return false;
        }
        id = idPart.ToString();
        return true;
    }

    private async ValueTask<List<StoredKey>> LoadAsync(CancellationToken cancellationToken)
    {
        var state = await _core.State.ReadStateAsync(StateScopes.ApiKeys, cancellationToken).ConfigureAwait(false);
        var keys = new List<StoredKey>(state.Count);
        foreach (var (id, json) in state)
        {
            if (Parse(id, json) is { } key) keys.Add(key);
            else _core.Logger.LogError("The API key entry {Id} cannot be read; it is ignored (no key authenticates with it)", id);
        }
        keys.Sort((a, b) => a.Info.CreatedAt != b.Info.CreatedAt ? a.Info.CreatedAt.CompareTo(b.Info.CreatedAt) : string.CompareOrdinal(a.Info.Id, b.Info.Id));
        return keys;
    }

    private static StoredKey? Parse(string id, string json)
    {
        try
        {
            if (JsonNode.Parse(json) is not JsonObject o) return null;
            string? digest = (string?)o["sha256"];
            string? name = (string?)o["name"];
            string? role = (string?)o["role"];
            if (digest is not { Length: 64 } || !digest.All(char.IsAsciiHexDigit) || name is null || role is null
                || !PythonTimestamp.TryParse((string?)o["created_at"], out var created))
            {
                return null;
            }
            return new StoredKey(new ApiKeyInfo(id, name, role, created, (string?)o["created_by"],
                OptionalTime(o["expires_at"]), OptionalTime(o["revoked_at"]), (string?)o["revoked_by"]), digest);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    private static DateTimeOffset? OptionalTime(JsonNode? node) =>
        node is not null && PythonTimestamp.TryParse((string?)node, out var value) ? value : null;

    private static JsonObject ToJson(ApiKeyInfo info, string digest) => new()
    {
        ["name"] = info.Name,
        ["role"] = info.Role,
        ["sha256"] = digest,
        ["created_at"] = PythonTimestamp.Format(info.CreatedAt),
        ["created_by"] = info.CreatedBy,
        ["expires_at"] = info.ExpiresAt is { } e ? PythonTimestamp.Format(e) : null,
        ["revoked_at"] = info.RevokedAt is { } r ? PythonTimestamp.Format(r) : null,
        ["revoked_by"] = info.RevokedBy,
    };

    private static JsonObject Details(ApiKeyInfo info) => new()
    {
        ["key_id"] = info.Id,
        ["name"] = info.Name,
        ["role"] = info.Role,
        ["expires_at"] = info.ExpiresAt is { } e ? PythonTimestamp.Format(e) : null,
    };

    private static string Digest(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));


    private sealed record StoredKey(ApiKeyInfo Info, string Digest);
}
