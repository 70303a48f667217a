namespace Ciaf.Server.Authentication;

/// <summary>The claims the server adds to an authenticated request's user.</summary>
public static class CiafClaimTypes
{
    /// <summary>
    /// Who acts, as the store's audit trail records it: <c>apikey:&lt;name&gt;</c> for an API key,
    /// <c>oidc:&lt;name claim&gt;</c> for a bearer token.
    /// </summary>
    public const string Actor = "ciaf:actor";

    /// <summary>How the request was authenticated: <c>apikey</c> or <c>oidc</c>.</summary>
    public const string Method = "ciaf:auth_method";

    /// <summary>The API key's id (for an API key).</summary>
    public const string KeyId = "ciaf:key_id";
}
