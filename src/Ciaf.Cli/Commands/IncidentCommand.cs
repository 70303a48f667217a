using System.CommandLine;
using System.Text.Json.Nodes;
using Ciaf.Cli.Infrastructure;
using Ciaf.Metadata.Governance;
using Ciaf.Metadata.Hashing;
using Spectre.Console;

namespace Ciaf.Cli.Commands;

/// <summary>
/// <c>ciaf incident open|update|close|list</c>: serious incidents with their Art. 73 reporting deadlines (2, 10 or 15
/// days from awareness, UTC), shown as due, overdue, reported or reported late.
/// </summary>
internal static class IncidentCommand
{
    public static Command Create(CliApp app) => new("incident", "Serious incidents and their EU AI Act Art. 73 reporting deadlines.")
    {
        Open(app), Update(app), Close(app), List(app),
    };

    private static Command Open(CliApp app)
    {
        var model = new Argument<string>("model") { Description = "The model name." };
        var kind = new Option<string>("--kind") { Description = "death (10 days), serious (15), widespread (2), critical_infrastructure (2) or other (15).", Required = true };
        kind.AcceptOnlyFromAmong([.. IncidentDeadlines.KindNames]);
        var awareAt = new Option<DateTimeOffset?>("--aware-at") { Description = "When you became aware of it (the deadline runs from here). " + TimeArgument.Help, Required = true, CustomParser = TimeArgument.Parse };
        var summary = new Option<string>("--summary") { Description = "What happened.", Required = true };
        var version = new Option<string?>("--model-version") { Description = "The model version concerned (default: the version of the model's newest record)." };
        var command = new Command("open", "Open an incident; prints it with its reporting deadline (due_at).") { model, kind, awareAt, summary, version };
        app.Bind(command, async (context, parse) =>
        {
            await using var storage = context.Stores.Open(context);
            var events = await LogCommand.EventLogAsync(storage, parse.GetRequiredValue(model), parse.GetValue(version), context).ConfigureAwait(false);
            var register = new IncidentRegister(storage);
            var incident = await register.OpenAsync(events.ModelName, IncidentDeadlines.ParseKind(parse.GetRequiredValue(kind)), parse.GetValue(awareAt)!.Value,
                parse.GetRequiredValue(summary), events.ModelVersion, cancellationToken: context.CancellationToken).ConfigureAwait(false);
            Write(context, incident, register.Now, "opened");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Update(CliApp app)
    {
        var id = new Argument<string>("incident-id") { Description = "The incident id (`ciaf incident open` printed it)." };
        var summary = new Option<string?>("--summary") { Description = "A new summary." };
        var report = new Option<string?>("--report") { Description = "A report made to the market surveillance authority: initial (may be incomplete, Art. 73(5)) or complete." };
        report.AcceptOnlyFromAmong([.. IncidentRegister.ReportKinds]);
        var reportedAt = new Option<DateTimeOffset?>("--reported-at") { Description = "When the report was made (default: now). " + TimeArgument.Help, CustomParser = TimeArgument.Parse };
        var note = new Option<string?>("--note") { Description = "A note." };
        var command = new Command("update", "Record a report to the authority, a new summary or a note on an open incident.") { id, summary, report, reportedAt, note };
        app.Bind(command, async (context, parse) =>
        {
            await using var storage = context.Stores.Open(context);
            var register = new IncidentRegister(storage);
            var incident = await Run(() => register.UpdateAsync(parse.GetRequiredValue(id), parse.GetValue(summary), parse.GetValue(report), parse.GetValue(reportedAt),
                parse.GetValue(note), context.CancellationToken)).ConfigureAwait(false);
            Write(context, incident, register.Now, "updated");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Close(CliApp app)
    {
        var id = new Argument<string>("incident-id") { Description = "The incident id." };
        var resolution = new Option<string>("--resolution") { Description = "How it was resolved.", Required = true };
        var command = new Command("close", "Close an incident with its resolution.") { id, resolution };
        app.Bind(command, async (context, parse) =>
        {
            await using var storage = context.Stores.Open(context);
            var register = new IncidentRegister(storage);
            var incident = await Run(() => register.CloseAsync(parse.GetRequiredValue(id), parse.GetRequiredValue(resolution), context.CancellationToken)).ConfigureAwait(false);
            Write(context, incident, register.Now, "closed");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List(CliApp app)
    {
        var model = new Argument<string?>("model") { Description = "Only this model's incidents (default: all).", Arity = ArgumentArity.ZeroOrOne };
        var open = new Option<bool>("--open") { Description = "Only the open ones." };
        var command = new Command("list", "List incidents by awareness time, with their deadlines: due, overdue, reported, reported late.") { model, open };
        app.Bind(command, async (context, parse) =>
        {
            await using var storage = context.Stores.Open(context);
            var register = new IncidentRegister(storage);
            var now = register.Now;
            var incidents = (await register.ListAsync(parse.GetValue(model), context.CancellationToken).ConfigureAwait(false))
                .Where(i => !parse.GetValue(open) || i.ClosedAt is null).ToList();
            if (context.Json)
            {
                context.WriteJson(new JsonArray([.. incidents.Select(i => (JsonNode)i.ToJson(now))]));
                return ExitCodes.Success;
            }
            if (incidents.Count == 0)
            {
                context.Note("No incidents.");
                return ExitCodes.Success;
            }
            var table = new Table().Border(TableBorder.Rounded).AddColumns("Id", "Model", "Kind", "Aware (UTC)", "Due (UTC)", "Deadline", "Status", "Summary");
            foreach (var i in incidents)
            {
                table.AddRow(new Markup(Markup.Escape(i.Id)), new Markup(Markup.Escape(i.ModelName)), new Markup(IncidentDeadlines.Name(i.Kind)),
                    new Markup(Render.Time(i.AwareAt)), new Markup(Render.Time(i.DueAt)), new Markup(Styled(i.DeadlineState(now))),
                    new Markup(i.Status), new Markup(Markup.Escape(Render.Short(i.Summary))));
            }
            context.Out.Write(table);
            context.Note($"{incidents.Count} incident(s)");
            return ExitCodes.Success;
        });
        return command;
    }

    private static void Write(CliContext context, Incident incident, DateTimeOffset now, string what)
    {
        if (context.Json)
        {
            context.WriteJson(incident.ToJson(now));
            return;
        }
        var state = incident.DeadlineState(now);
        context.Out.MarkupLine($"Incident [bold]{Markup.Escape(incident.Id)}[/] ({IncidentDeadlines.Name(incident.Kind)}) {what}: report due {Markup.Escape(PythonTimestamp.Format(incident.DueAt))} "
            + $"({IncidentDeadlines.Article(incident.Kind)}, {IncidentDeadlines.Days(incident.Kind)} days from awareness): {Styled(state)}; {incident.Status}.");
    }

    private static string Styled(IncidentDeadlineState state) => state switch
    {
        IncidentDeadlineState.Overdue => "[red]overdue[/]",
        IncidentDeadlineState.ReportedLate => "[yellow]reported_late[/]",
        IncidentDeadlineState.Reported => "[green]reported[/]",
        _ => "due",
    };

    // "No such incident" and "already closed" are the user's to fix: one line, exit 1.
    private static async Task<Incident> Run(Func<ValueTask<Incident>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (ArgumentException e) when (e.ParamName == "incidentId")
        {
            throw new CliException(e.Message.Split(" (Parameter", 2)[0]);
        }
    }
}
