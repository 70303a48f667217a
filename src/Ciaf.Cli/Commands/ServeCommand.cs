using System.CommandLine;
using Ciaf.Cli.Infrastructure;
using Ciaf.Metadata.Storage;
using Ciaf.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Spectre.Console;

namespace Ciaf.Cli.Commands;

/// <summary><c>ciaf serve</c>: the HTTP API over the store (src/Ciaf.Server), until Ctrl+C.</summary>
internal static class ServeCommand
{
    public static Command Create(CliApp app)
    {
        var urls = new Option<string?>("--urls")
        {
            Description = $"Where to listen, ';'-separated (default: server_urls, else {CiafServerOptions.DefaultUrl}; port 0 picks a free port).",
            HelpName = "url",
        };
        var command = new Command("serve", "Serve the store over HTTP: the JSON API under /api/v1, with API keys or OIDC tokens and roles (docs/server.md).")
        {
            urls,
        };
        app.Bind(command, async (context, parse) =>
        {
            var resolved = context.Stores.Resolve();
            // A 201 from the server means the records are durable: every request is written before it is answered.
            resolved.Options.WriteMode = WriteMode.Immediate;
            await using var storage = StoreResolver.Open(context, resolved, mustExist: true);
            string[]? given = parse.GetValue(urls) is { Length: > 0 } text
                ? text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : null;
            var config = resolved.Config ?? context.Stores.ResolveConfig().Config;
            var options = CiafServerOptionsConfig.FromConfig(config, storage, given);
            await using var server = CiafServer.Build(options, configure: b =>
                b.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true));
            await server.StartAsync(context.CancellationToken).ConfigureAwait(false);
            foreach (string url in server.Urls) context.Err.MarkupLine($"[green]ciaf serve[/]: listening on [bold]{Markup.Escape(url)}[/]  (dashboard: {Markup.Escape(url)}/dashboard, API: {Markup.Escape(url)}/api/v1, health: {Markup.Escape(url)}/healthz)");
            if ((await storage.ApiKeys.ListAsync(context.CancellationToken).ConfigureAwait(false)).Count == 0)
            {
                context.Note("No API keys yet: every request but /healthz will get 401. Create one with: ciaf apikey create NAME --role reader");
            }
            context.Note("Press Ctrl+C to stop.");
            try
            {
                await server.WaitForShutdownAsync(context.CancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await server.StopAsync(CancellationToken.None).ConfigureAwait(false);
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
