namespace Ciaf.Metadata.Access;

/// <summary>An API key as the store keeps it: who it is for and what it may do, never the key itself.</summary>
/// <param name="Id">The key's public identifier (16 hex digits, part of the key text).</param>
/// <param name="Name">The name it was created under (a person, a job, a service).</param>
/// <param name="Role">One of <see cref="AccessRoles.All"/>.</param>
/// <param name="CreatedAt">When it was created, UTC.</param>
/// <param name="CreatedBy">The user who created it.</param>
/// <param name="ExpiresAt">When it stops working, or <c>null</c> for never.</param>
/// <param name="RevokedAt">When it was revoked, or <c>null</c>.</param>
/// <param name="RevokedBy">The user who revoked it, or <c>null</c>.</param>
public sealed record ApiKeyInfo(string Id, string Name, string Role, DateTimeOffset CreatedAt, string? CreatedBy,
    DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, string? RevokedBy)
{
    /// <summary>Whether the key works at <paramref name="now"/>, or why not.</summary>
    public ApiKeyStatus StatusAt(DateTimeOffset now) =>
        RevokedAt is not null ? ApiKeyStatus.Revoked
        : ExpiresAt is { } expires && expires <= now ? ApiKeyStatus.Expired
        : ApiKeyStatus.Active;
}
