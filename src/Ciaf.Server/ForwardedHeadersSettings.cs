using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using IPNetwork = System.Net.IPNetwork;

namespace Ciaf.Server;

/// <summary>
/// Reading <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> from a reverse proxy that terminates TLS, so that the
/// server knows the client's address (rate limiting, logs) and that the browser spoke https (cookies marked
/// <c>Secure</c>, OIDC redirect URIs in https). Off by default: a server reachable without the proxy would otherwise let
/// any client claim any address or scheme. When on, only requests from <see cref="KnownProxies"/> are believed.
/// </summary>
public sealed class ForwardedHeadersSettings
{
    /// <summary>Whether the forwarded headers are read (<c>server_forwarded_headers</c>; default <c>false</c>).</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// The proxies whose forwarded headers are believed (<c>server_known_proxies</c>): IP addresses (<c>10.0.0.5</c>,
    /// <c>::1</c>) or networks in CIDR form (<c>10.0.0.0/8</c>). Empty (the default) means loopback only
    /// (<c>127.0.0.0/8</c> and <c>::1</c>): a proxy on the same machine. Headers from any other address are ignored.
    /// </summary>
    public IList<string> KnownProxies { get; init; } = [];

    internal void Validate(IDictionary<string, string> errors)
    {
        if (!Enabled && KnownProxies.Count > 0)
        {
            errors[ServerConfigKeys.KnownProxies] = $"is set but {ServerConfigKeys.ForwardedHeaders} is false: set {ServerConfigKeys.ForwardedHeaders} to true to read the proxies' X-Forwarded-* headers, or remove the list.";
            return;
        }
        foreach (string proxy in KnownProxies)
        {
            if (!TryParse(proxy, out _, out _))
            {
                errors[ServerConfigKeys.KnownProxies] = $"'{proxy}' is not an IP address or a CIDR network (e.g. 10.0.0.5, 10.0.0.0/8, ::1, fd00::/8).";
            }
        }
    }

    /// <summary>Sets ASP.NET Core's forwarded-headers options: X-Forwarded-For and -Proto, from the known proxies only.</summary>
    internal void Configure(ForwardedHeadersOptions options)
    {
        options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
        // One proxy in front: the last address of X-Forwarded-For is the client the proxy saw.
        options.ForwardLimit = 1;
        if (KnownProxies.Count == 0) return; // ASP.NET Core's defaults: 127.0.0.0/8 and ::1
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (string proxy in KnownProxies)
        {
            TryParse(proxy, out var address, out var network);
            if (address is not null) options.KnownProxies.Add(address);
            else options.KnownIPNetworks.Add(network);
        }
    }

    private static bool TryParse(string text, out IPAddress? address, out IPNetwork network)
    {
        network = default;
        address = null;
        string value = text.Trim();
        if (value.Contains('/', StringComparison.Ordinal))
        {
            int slash = value.IndexOf('/', StringComparison.Ordinal);
            // "10.0.0.1/8" is refused rather than read as 10.0.0.0/8: whoever wrote it meant one of two things.
            return (value.Contains(':', StringComparison.Ordinal) || value[..slash].Count(c => c == '.') == 3)
                && IPNetwork.TryParse(value, out network) && IPAddress.TryParse(value[..slash], out var start) && network.BaseAddress.Equals(start);
        }
        if (!IPAddress.TryParse(value, out address)) return false;
        // IPAddress.TryParse reads "10" as 0.0.0.10: an IPv4 address must be written with its four parts.
        return address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 || value.Count(c => c == '.') == 3;
    }
}
