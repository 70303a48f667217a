namespace Ciaf.Server;

/// <summary>
/// OIDC/JWT bearer tokens (<c>Authorization: Bearer …</c>): on when <see cref="Authority"/> (keys by OIDC discovery) or
/// <see cref="SigningKeyPath"/> (a PEM public key, for identity providers the server cannot reach) is set. A token must
/// be signed by the authority, unexpired, and issued for <see cref="Audience"/>; its <see cref="RoleClaim"/> values
/// that are CIAF roles (reader, writer, auditor, admin) are its roles.
/// </summary>
public sealed class JwtSettings
{
    /// <summary>The default claim holding the roles.</summary>
    public const string DefaultRoleClaim = "roles";

    /// <summary>The default claim naming the user.</summary>
    public const string DefaultNameClaim = "sub";

    /// <summary>The OIDC authority (<c>server_jwt_authority</c>), e.g. <c>https://login.example.com/realms/ml</c>; https unless it is loopback.</summary>
    public string? Authority { get; set; }

    /// <summary>The audience tokens must be issued for (<c>server_jwt_audience</c>); required when tokens are on.</summary>
    public string? Audience { get; set; }

    /// <summary>The issuer tokens must name (<c>server_jwt_issuer</c>); default the authority's; required with <see cref="SigningKeyPath"/> alone.</summary>
    public string? Issuer { get; set; }

    /// <summary>A PEM public key file (RSA or EC) tokens are verified with (<c>server_jwt_signing_key_path</c>), instead of discovery.</summary>
    public string? SigningKeyPath { get; set; }

    /// <summary>The claim holding the roles (<c>server_jwt_role_claim</c>; default <c>roles</c>).</summary>
    public string RoleClaim { get; set; } = DefaultRoleClaim;

    /// <summary>The claim naming the user in the audit trail (<c>server_jwt_name_claim</c>; default <c>sub</c>).</summary>
    public string NameClaim { get; set; } = DefaultNameClaim;

    /// <summary>Whether bearer tokens are accepted.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Authority) || !string.IsNullOrWhiteSpace(SigningKeyPath);

    internal void Validate(IDictionary<string, string> errors)
    {
        if (!Enabled) return;
        if (string.IsNullOrWhiteSpace(Audience)) errors[ServerConfigKeys.JwtAudience] = "Required when bearer tokens are on: the audience tokens must be issued for.";
        if (Authority is { Length: > 0 } authority
            && (!Uri.TryCreate(authority, UriKind.Absolute, out var uri) || !(uri.Scheme == "https" || (uri.Scheme == "http" && uri.IsLoopback))))
        {
            errors[ServerConfigKeys.JwtAuthority] = $"'{authority}' is not an https:// URL (http:// only on loopback).";
        }
        if (SigningKeyPath is { Length: > 0 } path && !File.Exists(path)) errors[ServerConfigKeys.JwtSigningKeyPath] = $"No file at '{path}'.";
        if (string.IsNullOrWhiteSpace(Authority) && string.IsNullOrWhiteSpace(Issuer))
            errors[ServerConfigKeys.JwtIssuer] = "Required with server_jwt_signing_key_path and no authority: the issuer tokens must name.";
        if (string.IsNullOrWhiteSpace(RoleClaim)) errors[ServerConfigKeys.JwtRoleClaim] = "Must not be empty.";
        if (string.IsNullOrWhiteSpace(NameClaim)) errors[ServerConfigKeys.JwtNameClaim] = "Must not be empty.";
    }
}
