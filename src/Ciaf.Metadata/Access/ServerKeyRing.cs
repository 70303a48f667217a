using System.Text;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Backends.Remote;
using Ciaf.Metadata.Storage;
using Microsoft.Extensions.Logging;

namespace Ciaf.Metadata.Access;

/// <summary>
/// The key ring the HTTP server protects dashboard sessions and anti-forgery tokens with (ASP.NET Core Data Protection),
/// kept in the store's own state (<c>storage.ServerKeyRing</c>), so that every server instance serving the store shares it
/// with no setup: a session cookie issued by one instance is accepted by the others.
/// </summary>
/// <remarks>
/// Entries live in the state scope <c>server_key_ring</c> (the <c>ciaf_state</c> table, or <c>audit/server_key_ring/</c>
/// in a file store), one per element the key manager writes, added once and never changed (<see cref="IStoreState.AddStateAsync"/>:
/// two instances creating a key at once both keep theirs). When the store encrypts (<c>encrypt_sensitive_data</c> with a
/// key), each entry is sealed with the store key (AES-GCM), so a copy of the store without its key gives no session key
/// away; otherwise entries are the XML as ASP.NET Core writes it, and whoever can read the store's state can forge a
/// dashboard session. The remote backend never serves this scope. Values are never logged.
/// </remarks>
public sealed class ServerKeyRing
{
    private readonly StoreCore _core;

    internal ServerKeyRing(StoreCore core) => _core = core;

    /// <summary>
    /// Whether the store can keep the key ring: its backend keeps state, and is neither a remote store (which is not
    /// served this state) nor one of the reference's read-only compressed stores.
    /// </summary>
    public bool IsAvailable => _core.Backend is IStoreState && _core.Backend.Name is not (RemoteBuilderExtensions.BackendName
        or Backends.Compressed.CompressedSqliteBackend.BackendName or Backends.Compressed.CompressedJsonBackend.BackendName);

    /// <summary>Whether new entries are sealed with the store key (the store encrypts sensitive data).</summary>
    public bool IsSealed => _core.Cipher is not null;

    /// <summary>Every entry's XML text, by entry name. Entries sealed with a store key this instance lacks are left out (and logged, by name).</summary>
    /// <exception cref="NotSupportedException">The store cannot keep the key ring (<see cref="IsAvailable"/> is false).</exception>
    /// <exception cref="Encryption.MetadataEncryptionException">An entry was sealed with another store key, or altered.</exception>
    public IReadOnlyList<string> ReadAll() => SyncOverAsync.Run(ReadAllAsync());

    /// <inheritdoc cref="ReadAll"/>
    public async ValueTask<IReadOnlyList<string>> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        _core.ThrowIfDisposed();
        var state = await State().ReadStateAsync(StateScopes.ServerKeyRing, cancellationToken).ConfigureAwait(false);
        var result = new List<string>(state.Count);
        foreach (var (name, value) in state.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (value.StartsWith('<')) result.Add(value);
            else if (_core.Cipher is { } cipher) result.Add(Encoding.UTF8.GetString(cipher.Unwrap(JsonNode.Parse(value)!.AsObject(), $"server key ring entry {name}")));
            else _core.Logger.LogWarning("Server key ring entry {Name} is sealed with the store key, which this instance was not given: left out", name);
        }
        return result;
    }

    /// <summary>Adds an entry (sealed when <see cref="IsSealed"/>), unless one with this name exists: entries never change.</summary>
    /// <param name="name">The entry's name (ASP.NET Core's <c>key-&lt;guid&gt;</c>).</param>
    /// <param name="xml">The entry's XML text.</param>
    /// <exception cref="NotSupportedException">The store cannot keep the key ring (<see cref="IsAvailable"/> is false).</exception>
    public void Add(string name, string xml) => SyncOverAsync.Run(AddAsync(name, xml));

    /// <inheritdoc cref="Add"/>
    public async ValueTask AddAsync(string name, string xml, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(xml);
        if (!xml.StartsWith('<')) throw new ArgumentException("A key ring entry is an XML element.", nameof(xml));
        _core.ThrowIfDisposed();
        string value = _core.Cipher is { } cipher ? cipher.Wrap(Encoding.UTF8.GetBytes(xml)).ToJsonString() : xml;
        await State().AddStateAsync(StateScopes.ServerKeyRing, name, value, cancellationToken).ConfigureAwait(false);
    }

    private IStoreState State() => IsAvailable
        ? (IStoreState)_core.Backend
        : throw new NotSupportedException($"The {_core.Backend.Name} backend cannot keep the server's key ring: give the server a folder for it (server_data_protection_keys_path).");
}
