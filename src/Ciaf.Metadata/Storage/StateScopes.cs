namespace Ciaf.Metadata.Storage;

/// <summary>The names of the pieces of store state the core keeps through <see cref="IStoreState.WriteStateAsync"/>.</summary>
internal static class StateScopes
{
    /// <summary>Legal holds: key <c>model:&lt;name&gt;</c> or <c>record:&lt;id&gt;</c>, value the hold as JSON.</summary>
    public const string LegalHolds = "legal_holds";

    /// <summary>
    /// Data subjects' keys (crypto-shredding): key the subject's reference (an HMAC of its id, never the id), value the
    /// subject's data key wrapped with the store key, or, once erased, the erasure (when, why, by whom; no key).
    /// </summary>
    public const string SubjectKeys = "subject_keys";

    /// <summary>API keys: key the key's id, value its name, role, SHA-256 and times as JSON (never the key).</summary>
    public const string ApiKeys = "api_keys";

    /// <summary>
    /// The HTTP server's key ring (ASP.NET Core Data Protection: dashboard sessions, anti-forgery tokens): key the entry's
    /// name, value its XML, sealed with the store key when the store encrypts. Never served to remote stores.
    /// </summary>
    public const string ServerKeyRing = "server_key_ring";

    /// <summary>Throws unless <paramref name="scope"/> is lowercase ASCII letters, digits and <c>_</c> (it becomes a folder name).</summary>
    public static void Validate(string scope)
    {
        ArgumentException.ThrowIfNullOrEmpty(scope);
        foreach (char c in scope)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '_'))
                throw new ArgumentException($"The state scope '{scope}' may hold only lowercase ASCII letters, digits and '_'.", nameof(scope));
        }
    }
}
