namespace Ciaf.Server.Dashboard.Views;

/// <summary>What every signed-in page shows around its content: who is signed in, what they may open, the sign-out form.</summary>
/// <param name="User">The user's name (an API key's name, or the OIDC name claim).</param>
/// <param name="Actor">The user as the audit trail records them (<c>apikey:alice</c>, <c>oidc:alice</c>).</param>
/// <param name="Roles">The user's CIAF roles.</param>
/// <param name="CanAudit">Whether the user may open the audit trail and run a verification (auditor, admin).</param>
/// <param name="Form">The anti-forgery field of the page's forms (sign-out, verify).</param>
/// <param name="Section">The navigation entry to mark as current.</param>
public sealed record DashboardChrome(string User, string Actor, IReadOnlyList<string> Roles, bool CanAudit, FormToken Form, string Section);
