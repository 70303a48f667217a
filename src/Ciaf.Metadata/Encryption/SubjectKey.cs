namespace Ciaf.Metadata.Encryption;

/// <summary>A data subject's own key (crypto-shredding): what seals its records' sensitive values until it is erased.</summary>
/// <param name="Reference">The subject's reference: an HMAC of its id under the store key, never the id.</param>
/// <param name="KeyId">The key's id, as markers name it.</param>
/// <param name="Key">The 32-byte key, or <c>null</c> once the subject was erased.</param>
internal sealed record SubjectKey(string Reference, string KeyId, byte[]? Key);
