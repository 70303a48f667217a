namespace Ciaf.Server.Dashboard.Views;

/// <summary>The sign-in page.</summary>
/// <param name="ReturnUrl">The page to open after signing in (a local path).</param>
/// <param name="Error">Why the last attempt failed, or <c>null</c>.</param>
/// <param name="OidcEnabled">Whether to offer OIDC sign-in.</param>
/// <param name="Form">The form's anti-forgery field.</param>
public sealed record SignInView(string ReturnUrl, string? Error, bool OidcEnabled, FormToken Form);
