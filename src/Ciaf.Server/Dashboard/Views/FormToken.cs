namespace Ciaf.Server.Dashboard.Views;

/// <summary>The anti-forgery hidden field a form posts back (its name and this user's request token).</summary>
/// <param name="FieldName">The form field's name.</param>
/// <param name="Value">The request token.</param>
public sealed record FormToken(string FieldName, string Value);
