namespace Ciaf.Server.Authentication;

/// <summary>
/// The authentication schemes of the server. <see cref="Default"/> is a policy scheme that picks, per request,
/// <see cref="ApiKey"/> when an <c>X-API-Key</c> header is present, <see cref="Bearer"/> for <c>Authorization: Bearer</c>
/// (when tokens are configured), and otherwise, outside <c>/api</c>, the browser scheme a front end registers
/// (<see cref="CiafServerOptions.BrowserScheme"/>); the API itself never reads cookies, so it needs no antiforgery.
/// </summary>
public static class CiafAuthenticationSchemes
{
    /// <summary>The policy scheme every endpoint authenticates with.</summary>
    public const string Default = "Ciaf";

    /// <summary>API keys in the <c>X-API-Key</c> header.</summary>
    public const string ApiKey = "ApiKey";

    /// <summary>OIDC/JWT bearer tokens.</summary>
    public const string Bearer = "Bearer";

    /// <summary>The header an API key is sent in.</summary>
    public const string ApiKeyHeader = "X-API-Key";
}
