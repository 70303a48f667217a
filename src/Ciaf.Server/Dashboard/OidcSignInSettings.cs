namespace Ciaf.Server.Dashboard;

/// <summary>
/// OIDC sign-in to the dashboard (authorization code flow with PKCE): on when <see cref="ClientId"/> is set. The
/// provider is the bearer tokens' authority (<see cref="JwtSettings.Authority"/>), and the ID token's claims are read as
/// a bearer token's are: <see cref="JwtSettings.NameClaim"/> names the user (<c>oidc:&lt;name&gt;</c> in the audit trail),
/// <see cref="JwtSettings.RoleClaim"/> holds the CIAF roles.
/// </summary>
public sealed class OidcSignInSettings
{
    /// <summary>The client id registered at the provider (<c>server_oidc_client_id</c>).</summary>
    public string? ClientId { get; set; }

    /// <summary>The client secret of a confidential client (<c>server_oidc_client_secret</c>); <c>null</c> for a public client.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>Scopes asked for besides <c>openid</c> (<c>server_oidc_scopes</c>; default <c>profile</c>).</summary>
    public IList<string> Scopes { get; init; } = ["profile"];

    /// <summary>Whether the dashboard offers OIDC sign-in.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(ClientId);

    internal void Validate(IDictionary<string, string> errors, JwtSettings jwt)
    {
        if (!Enabled) return;
        if (string.IsNullOrWhiteSpace(jwt.Authority))
            errors[ServerConfigKeys.OidcClientId] = "OIDC sign-in needs the provider: set server_jwt_authority (its discovery document gives the sign-in endpoints).";
        foreach (string scope in Scopes)
        {
            if (string.IsNullOrWhiteSpace(scope) || scope.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
                errors[ServerConfigKeys.OidcScopes] = $"'{scope}' is not a scope: one word each, no spaces.";
        }
    }
}
