using Ciaf.Metadata.Access;

namespace Ciaf.Metadata;

// Access: the store's API keys (Access/ApiKeyRegistry), which the HTTP server checks and `ciaf apikey` manages.
public sealed partial class MetadataStorage
{
    /// <summary>The store's API keys: create, list, revoke, check (kept as SHA-256 hashes in the store's state).</summary>
    public ApiKeyRegistry ApiKeys => _apiKeys;
}
