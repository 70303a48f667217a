using Ciaf.Server.Dashboard;
using Ciaf.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ciaf.Server;

/// <summary>
/// Builds the CIAF HTTP server over a store: Kestrel, the JSON API under <c>/api/v1</c>, authentication (API keys,
/// bearer tokens), roles, problem details and the hardening (docs/server.md). <c>ciaf serve</c> runs it; tests build it
/// on a test server (<c>configure: b => b.WebHost.UseTestServer()</c>).
/// </summary>
public static class CiafServer
{
    /// <summary>The host setting that makes ASP.NET Core watch its configuration files; the server turns it off.</summary>
    internal const string ReloadConfigOnChangeKey = "hostBuilder:reloadConfigOnChange";

    /// <summary>
    /// Builds the server: registers its services (<see cref="CiafServerServiceCollectionExtensions.AddCiafServer"/>), lets
    /// <paramref name="configure"/> add more (a front end, a test server, logging), then adds the pipeline
    /// (<see cref="CiafServerApplicationExtensions.UseCiafServer"/>) and the API's endpoints
    /// (<see cref="CiafServerApplicationExtensions.MapCiafApi"/>). Start it with <c>RunAsync</c>/<c>StartAsync</c>.
    /// </summary>
    /// <param name="options">The store and the server's settings.</param>
    /// <param name="args">Command-line arguments for ASP.NET Core's configuration (e.g. <c>--Kestrel:Certificates:Default:Path=...</c>), or null.</param>
    /// <param name="configure">More services or host settings, applied after the server's own; null for none.</param>
    /// <param name="mapEndpoints">More endpoints (a front end's pages), mapped after the API; null for none.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message names each configuration key at fault.</exception>
    public static WebApplication Build(CiafServerOptions options, string[]? args = null, Action<WebApplicationBuilder>? configure = null,
        Action<WebApplication>? mapEndpoints = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            // appsettings*.json (Kestrel's TLS settings, docs/server.md) are read once at start, not watched: a reload
            // would put a file watcher on the working folder (wherever `ciaf serve` was started, possibly a large
            // tree) and could change the server's endpoints under it. Restart to apply a change. (Given first, so an
            // explicit --hostBuilder:reloadConfigOnChange=true among the arguments still wins.)
            Args = [$"--{ReloadConfigOnChangeKey}=false", .. args ?? []],
            // Production unless ASPNETCORE_ENVIRONMENT says otherwise: never the developer exception page by accident.
            EnvironmentName = Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") is { Length: > 0 } env ? env : Environments.Production,
        });
        builder.WebHost.UseUrls([.. options.Urls]);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.EffectiveMaxRequestBodyBytes(options.Storage.MaxMetadataBytes);
        });
        // One line per request comes from the server's own request log (without keys, tokens or query strings);
        // ASP.NET Core's per-request lines would repeat it with the full URL.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.AddCiafServer(options);
        builder.Services.AddCiafDashboard(options);
        configure?.Invoke(builder);
        var app = builder.Build();
        app.UseCiafServer();
        app.MapCiafApi();
        app.MapCiafDashboard();
        mapEndpoints?.Invoke(app);
        return app;
    }
}
