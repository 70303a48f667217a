using Ciaf.Metadata.Access;
using Ciaf.Server.Authentication;
using Microsoft.AspNetCore.Authorization;

namespace Ciaf.Server.Authorization;

/// <summary>
/// The authorization policies, one per right; an endpoint names the right it needs
/// (<c>.RequireAuthorization(CiafPolicies.Read)</c>). Default deny: the fallback policy needs an authenticated user, so an
/// endpoint that names none still needs an identity (only <c>/healthz</c> opts out with <c>AllowAnonymous</c>).
/// </summary>
public static class CiafPolicies
{
    /// <summary>Records, search, traces, reports, proofs: every role.</summary>
    public const string Read = "ciaf.read";

    /// <summary>Writing records and compliance events: writer, admin.</summary>
    public const string Write = "ciaf.write";

    /// <summary>The audit trail, verification, exports: auditor, admin.</summary>
    public const string Audit = "ciaf.audit";

    /// <summary>Legal holds, cleanup, keys: admin.</summary>
    public const string Admin = "ciaf.admin";

    /// <summary>Every policy with the roles that satisfy it.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Roles { get; } = new Dictionary<string, IReadOnlyList<string>>
    {
        [Read] = AccessRoles.All,
        [Write] = [AccessRoles.Writer, AccessRoles.Admin],
        [Audit] = [AccessRoles.Auditor, AccessRoles.Admin],
        [Admin] = [AccessRoles.Admin],
    };

    /// <summary>Registers the policies and the default-deny fallback.</summary>
    internal static void AddTo(AuthorizationOptions options)
    {
        foreach (var (name, roles) in Roles)
        {
            options.AddPolicy(name, p => p.AddAuthenticationSchemes(CiafAuthenticationSchemes.Default).RequireAuthenticatedUser().RequireRole(roles));
        }
        options.FallbackPolicy = new AuthorizationPolicyBuilder(CiafAuthenticationSchemes.Default).RequireAuthenticatedUser().Build();
    }
}
