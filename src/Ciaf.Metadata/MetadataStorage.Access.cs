using Ciaf.Metadata.Access;

namespace Ciaf.Metadata;

// Access: the store's API keys (Access/ApiKeyRegistry), which the HTTP server checks and `ciaf apikey` manages, and the
// server's key ring (Access/ServerKeyRing).
public sealed partial class MetadataStorage
{
    /// <summary>The store's API keys: create, list, revoke, check (kept as SHA-256 hashes in the store's state).</summary>
    public ApiKeyRegistry ApiKeys => _apiKeys;

    /// <summary>
    /// The key ring of the HTTP server's session cookies and anti-forgery tokens, kept in the store's state so every
    /// server instance of the store shares it (<c>ciaf serve</c> uses it; docs/server.md).
    /// </summary>
    public ServerKeyRing ServerKeyRing => _serverKeyRing;
}
