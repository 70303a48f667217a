namespace Ciaf.Server;

/// <summary>
/// Per-identity rate limiting: each API key, token subject or (without one) client address may make
/// <see cref="Requests"/> requests per <see cref="Window"/>; more get 429 with <c>Retry-After</c>.
/// </summary>
public sealed class RateLimitSettings
{
    /// <summary>The default number of requests per window.</summary>
    public const int DefaultRequests = 6000;

    /// <summary>The default window.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromMinutes(1);

    /// <summary>Requests per window and identity (<c>server_rate_limit_requests</c>; default 6000); 0 turns the limit off.</summary>
    public int Requests { get; set; } = DefaultRequests;

    /// <summary>The window (<c>server_rate_limit_window_seconds</c>; default 60 s).</summary>
    public TimeSpan Window { get; set; } = DefaultWindow;

    /// <summary>Whether requests are limited at all.</summary>
    public bool Enabled => Requests > 0;

    internal void Validate(IDictionary<string, string> errors)
    {
        if (Requests < 0) errors[ServerConfigKeys.RateLimitRequests] = $"{Requests} is negative: give the requests allowed per window, or 0 for no limit.";
        if (Window < TimeSpan.FromSeconds(1) || Window > TimeSpan.FromDays(1))
            errors[ServerConfigKeys.RateLimitWindowSeconds] = $"{Window.TotalSeconds} s is outside 1 to 86400 seconds.";
    }
}
