namespace Ciaf.Server.Authentication;

/// <summary>Why a request's credentials were rejected, kept on the request so its 401 problem details can say so.</summary>
internal static class AuthenticationFailure
{
    private static readonly object Key = new();

    public static void Set(HttpContext context, string reason) => context.Items[Key] = reason;

    public static string? Get(HttpContext context) => context.Items.TryGetValue(Key, out var reason) ? reason as string : null;
}
