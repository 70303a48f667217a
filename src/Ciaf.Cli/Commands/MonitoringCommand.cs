using System.CommandLine;
using Ciaf.Cli.Infrastructure;
using Ciaf.Metadata.Governance;
using Ciaf.Metadata.Hashing;
using Spectre.Console;

namespace Ciaf.Cli.Commands;

/// <summary>
/// <c>ciaf monitoring plan set|show MODEL</c> and <c>ciaf monitoring check MODEL</c>: the EU AI Act Art. 72 post-market
/// monitoring plan (conditions in the search language over windows) and its recorded checks.
/// </summary>
internal static class MonitoringCommand
{
    public static Command Create(CliApp app)
    {
        var plan = new Command("plan", "The model's post-market monitoring plan (Art. 72(3)).") { SetPlan(app), ShowPlan(app) };
        return new Command("monitoring", "Post-market monitoring (EU AI Act Art. 72): a plan per model, and checks that evaluate and record it.") { plan, Check(app) };
    }

    private static Command SetPlan(CliApp app)
    {
        var model = new Argument<string>("model") { Description = "The model name." };
        var file = new Option<string>("--file") { Description = "The plan: {\"description\": …, \"conditions\": [{\"name\", \"filter\", \"window\", \"min_matches\"?, \"incident_kind\"?}]}.", Required = true };
        var version = new Option<string?>("--model-version") { Description = "The model version (default: the version of the model's newest record)." };
        var command = new Command("set", "Set the model's plan from a file (every problem in it is listed); the newest plan is in force.") { model, file, version };
        app.Bind(command, async (context, parse) =>
        {
            string path = context.Host.FullPath(parse.GetRequiredValue(file));
            if (!File.Exists(path)) throw new CliException($"Plan file '{path}' not found.");
            var plan = MonitoringPlan.Parse(await File.ReadAllTextAsync(path, context.CancellationToken).ConfigureAwait(false));
            await using var storage = context.Stores.Open(context);
            var events = await LogCommand.EventLogAsync(storage, parse.GetRequiredValue(model), parse.GetValue(version), context).ConfigureAwait(false);
            string id = await new PostMarketMonitor(storage).SetPlanAsync(events.ModelName, plan, events.ModelVersion, context.CancellationToken).ConfigureAwait(false);
            if (context.Json) context.WriteJson(new System.Text.Json.Nodes.JsonObject { ["id"] = id, ["plan"] = plan.ToJson() });
            else context.WriteLine(id);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command ShowPlan(CliApp app)
    {
        var model = new Argument<string>("model") { Description = "The model name." };
        var command = new Command("show", "Show the plan in force.") { model };
        app.Bind(command, async (context, parse) =>
        {
            await using var storage = context.Stores.Open(context);
            var plan = await new PostMarketMonitor(storage).GetPlanAsync(parse.GetRequiredValue(model), context.CancellationToken).ConfigureAwait(false)
                ?? throw new CliException($"Model '{parse.GetRequiredValue(model)}' has no monitoring plan: set one with `ciaf monitoring plan set MODEL --file plan.json`.");
            var json = plan.ToJson();
            json["id"] = plan.RecordId;
            string setAt = plan.SetAt is { } t ? PythonTimestamp.Format(t) : "";
            json["set_at"] = setAt;
            if (context.Json)
            {
                context.WriteJson(json);
                return ExitCodes.Success;
            }
            context.Out.MarkupLine($"Plan [bold]{Markup.Escape(plan.RecordId ?? "")}[/], set {Markup.Escape(setAt)}" + (plan.Description is null ? "" : $": {Markup.Escape(plan.Description)}"));
            var table = new Table().Border(TableBorder.Rounded).AddColumns("Condition", "Filter", "Window", "Breached at", "Incident kind");
            foreach (var c in plan.Conditions)
            {
                table.AddRow(Render.Cells(c.Name, c.Filter, c.WindowText, $"{c.MinMatches} match(es)", c.IncidentKind is { } k ? IncidentDeadlines.Name(k) : "-"));
            }
            context.Out.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Check(CliApp app)
    {
        var model = new Argument<string>("model") { Description = "The model name." };
        var openIncident = new Option<bool>("--open-incident") { Description = "Open an incident (aware now) when a condition is breached, of the most urgent kind the breached conditions name." };
        var command = new Command("check", "Evaluate the model's plan now, record the check, and optionally open an incident.") { model, openIncident };
        app.Bind(command, async (context, parse) =>
        {
            await using var storage = context.Stores.Open(context);
            MonitoringCheck check;
            try
            {
                check = await new PostMarketMonitor(storage).CheckAsync(parse.GetRequiredValue(model), parse.GetValue(openIncident), context.CancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException e)
            {
                throw new CliException(e.Message);
            }
            if (context.Json)
            {
                context.WriteJson(check.ToJson());
                return ExitCodes.Success;
            }
            var table = new Table().Border(TableBorder.Rounded).AddColumns("Condition", "Window", "Matches", "Breached at", "Status");
            foreach (var c in check.Conditions)
            {
                table.AddRow(new Markup(Markup.Escape(c.Name)), new Markup(Markup.Escape(c.Window)), new Markup(c.Matches.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    new Markup($"{c.MinMatches}"), new Markup(c.Breached ? "[red]breached[/]" : "[green]ok[/]"));
            }
            context.Out.Write(table);
            context.Out.MarkupLine($"Check [bold]{Markup.Escape(check.Id)}[/] recorded." + (check.IncidentId is { } i ? $" Incident [bold]{Markup.Escape(i)}[/] opened: see `ciaf incident list`." : ""));
            return ExitCodes.Success;
        });
        return command;
    }
}
