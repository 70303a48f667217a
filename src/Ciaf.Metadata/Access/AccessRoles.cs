namespace Ciaf.Metadata.Access;

/// <summary>
/// The roles an API key (or a token's role claim) grants on a store served over HTTP (<c>ciaf serve</c>):
/// <see cref="Reader"/> reads, <see cref="Writer"/> reads and writes records and compliance events,
/// <see cref="Auditor"/> reads, verifies, exports and reads the audit trail, <see cref="Admin"/> does everything.
/// </summary>
public static class AccessRoles
{
    /// <summary>Records, search, traces, reports and proofs.</summary>
    public const string Reader = "reader";

    /// <summary>What a reader may, and writing records and compliance events.</summary>
    public const string Writer = "writer";

    /// <summary>What a reader may, and the audit trail, verification and exports.</summary>
    public const string Auditor = "auditor";

    /// <summary>Everything: also legal holds, cleanup and keys.</summary>
    public const string Admin = "admin";

    /// <summary>Every role, from the least to the most powerful.</summary>
    public static IReadOnlyList<string> All { get; } = [Reader, Writer, Auditor, Admin];

    /// <summary>Whether <paramref name="role"/> is one of <see cref="All"/> (exact, lowercase).</summary>
    public static bool IsKnown(string? role) => role is not null && All.Contains(role, StringComparer.Ordinal);
}
