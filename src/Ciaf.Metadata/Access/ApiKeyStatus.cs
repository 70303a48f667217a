namespace Ciaf.Metadata.Access;

/// <summary>Whether an API key works (<see cref="ApiKeyInfo.StatusAt"/>, <see cref="ApiKeyCheck"/>).</summary>
public enum ApiKeyStatus
{
    /// <summary>Known, not expired, not revoked.</summary>
    Active,

    /// <summary>Past its expiry time.</summary>
    Expired,

    /// <summary>Revoked.</summary>
    Revoked,

    /// <summary>No key in the store matches (unknown id, wrong secret, or not a key at all).</summary>
    Unknown,
}
