namespace Ciaf.Metadata.Capture;

/// <summary>
/// Decides which captured parameters are secrets. A parameter whose name contains <c>password</c>,
/// <c>secret</c>, <c>token</c>, <c>key</c>, <c>credential</c> or <c>auth</c> — in any case, anywhere in the
/// name — is stored as <see cref="RedactedValue"/>. The match is deliberately broad: <c>api_key</c>,
/// <c>DB_PASSWORD</c> and <c>authToken</c> are redacted, and so are harmless names that happen to contain a
/// marker (<c>keyboard_layout</c>, <c>author</c>, <c>monkey</c>). Over-redacting a harmless value loses a little
/// context; under-redacting leaks a secret into an audit trail that is kept for years.
/// </summary>
public static class CaptureRedaction
{
    /// <summary>The value stored in place of a secret: <c>[REDACTED]</c> (the reference's marker).</summary>
    public const string RedactedValue = "[REDACTED]";

    /// <summary>The substrings that mark a name as secret (compared case-insensitively).</summary>
    public static IReadOnlyList<string> SensitiveMarkers { get; } = ["password", "secret", "token", "key", "credential", "auth"];

    /// <summary>Whether a parameter or field name looks like a secret.</summary>
    /// <param name="name">The name; null or empty is not sensitive.</param>
    public static bool IsSensitiveName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return false;
        }
        foreach (var marker in SensitiveMarkers)
        {
            if (name.Contains(marker, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }
}
