namespace Ciaf.Metadata.Access;

/// <summary>The outcome of <see cref="ApiKeyRegistry.CheckAsync"/>: whether a presented key works, and whose it is.</summary>
/// <param name="Status">Whether it works, or why not.</param>
/// <param name="Key">The matching key (also when expired or revoked); <c>null</c> when <see cref="ApiKeyStatus.Unknown"/>.</param>
public sealed record ApiKeyCheck(ApiKeyStatus Status, ApiKeyInfo? Key)
{
    /// <summary>Whether the key works.</summary>
    public bool IsActive => Status == ApiKeyStatus.Active;
}
