using System.CommandLine;
using System.Text.Json.Nodes;
using Ciaf.Cli.Infrastructure;
using Ciaf.Metadata.Access;
using Ciaf.Metadata.Hashing;
using Spectre.Console;

namespace Ciaf.Cli.Commands;

/// <summary><c>ciaf apikey create|list|revoke</c>: the keys <c>ciaf serve</c> accepts (kept as SHA-256 hashes in the store).</summary>
internal static class ApiKeyCommand
{
    public static Command Create(CliApp app) => new("apikey", "API keys for the HTTP server (ciaf serve): create, list, revoke.")
    {
        CreateKey(app), List(app), Revoke(app),
    };

    private static Command CreateKey(CliApp app)
    {
        var name = new Argument<string>("name") { Description = "Who the key is for (a person, a job): ASCII letters, digits, . _ - @." };
        var role = new Option<string>("--role", "-r")
        {
            Description = "What it may do: reader, writer, auditor or admin.",
            Required = true,
        };
        role.AcceptOnlyFromAmong([.. AccessRoles.All]);
        var expires = new Option<DateTimeOffset?>("--expires")
        {
            Description = "When it stops working (default: never). " + TimeArgument.FutureHelp,
            CustomParser = TimeArgument.ParseAhead,
        };
        var command = new Command("create", "Create an API key; the key is printed once (the store keeps only its hash).") { name, role, expires };
        app.Bind(command, async (context, parse) =>
        {
            await using var storage = context.Stores.Open(context);
            var created = await storage.ApiKeys.CreateAsync(parse.GetRequiredValue(name), parse.GetRequiredValue(role), parse.GetValue(expires),
                context.CancellationToken).ConfigureAwait(false);
            if (context.Json)
            {
                var json = Json(created.Info);
                json["key"] = created.Key;
                context.WriteJson(json);
                return ExitCodes.Success;
            }
            context.WriteLine(created.Key);
            context.Note($"API key '{created.Info.Name}' ({created.Info.Role}, id {created.Info.Id}"
                + (created.Info.ExpiresAt is { } e ? $", expires {Render.Time(e)} UTC" : ", no expiry")
                + "). It is shown only now: the store keeps its hash. Send it in the X-API-Key header.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List(CliApp app)
    {
        var command = new Command("list", "List the store's API keys (never the keys themselves), oldest first.");
        app.Bind(command, async (context, _) =>
        {
            await using var storage = context.Stores.Open(context);
            var keys = await storage.ApiKeys.ListAsync(context.CancellationToken).ConfigureAwait(false);
            var now = DateTimeOffset.UtcNow;
            if (context.Json)
            {
                context.WriteJson(new JsonArray([.. keys.Select(k => (JsonNode)Json(k, now))]));
                return ExitCodes.Success;
            }
            if (keys.Count == 0)
            {
                context.Note("No API keys. Create one with: ciaf apikey create NAME --role reader");
                return ExitCodes.Success;
            }
            var table = new Table().Border(TableBorder.Rounded).AddColumns("Name", "Role", "Status", "Id", "Created (UTC)", "Created by", "Expires (UTC)");
            foreach (var k in keys)
            {
                table.AddRow(Render.Cells(k.Name, k.Role, StatusName(k.StatusAt(now)), k.Id, Render.Time(k.CreatedAt), k.CreatedBy ?? "-",
                    k.ExpiresAt is { } e ? Render.Time(e) : "never"));
            }
            context.Out.Write(table);
            context.Note($"{keys.Count} key(s)");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Revoke(CliApp app)
    {
        var target = new Argument<string>("name") { Description = "The key's name (or its id)." };
        var command = new Command("revoke", "Revoke an API key: it stops working at once, on every server of the store.") { target };
        app.Bind(command, async (context, parse) =>
        {
            string nameOrId = parse.GetRequiredValue(target);
            await using var storage = context.Stores.Open(context);
            var revoked = await storage.ApiKeys.RevokeAsync(nameOrId, context.CancellationToken).ConfigureAwait(false)
                ?? throw new CliException($"No API key named '{nameOrId}' (or with that id) that is not already revoked; see 'ciaf apikey list'.");
            if (context.Json) context.WriteJson(Json(revoked, DateTimeOffset.UtcNow));
            else context.Out.MarkupLine($"API key [bold]{Markup.Escape(revoked.Name)}[/] ({Markup.Escape(revoked.Id)}) revoked.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static string StatusName(ApiKeyStatus status) => status.ToString().ToLowerInvariant();

    private static JsonObject Json(ApiKeyInfo key, DateTimeOffset? now = null)
    {
        var json = new JsonObject
        {
            ["name"] = key.Name,
            ["role"] = key.Role,
            ["id"] = key.Id,
            ["created_at"] = PythonTimestamp.Format(key.CreatedAt),
            ["created_by"] = key.CreatedBy,
            ["expires_at"] = key.ExpiresAt is { } e ? PythonTimestamp.Format(e) : null,
            ["revoked_at"] = key.RevokedAt is { } r ? PythonTimestamp.Format(r) : null,
        };
        if (now is { } at) json["status"] = StatusName(key.StatusAt(at));
        return json;
    }
}
